import { DEFAULT_CHAIN_SETTINGS, ForkActivation, HARDFORKS, Hardfork, STANDARD_WITHDRAWAL_TIMING } from "./config/chain";
import type { DevnetConfig } from "./config/schema";

/** The chain parameters of the config that go to the intent unchanged (units as in DevnetConfig). */
type ChainParameters = Pick<
  DevnetConfig,
  | "l1ChainId"
  | "l2ChainId"
  | "blockTime"
  | "l2BlockTime"
  | "l2GasLimit"
  | "eip1559DenominatorCanyon"
  | "eip1559Elasticity"
  | "sequencerWindowSize"
  | "channelTimeout"
  | "proofMaturityDelaySeconds"
  | "disputeGameFinalityDelaySeconds"
  | "faultGameClockExtension"
  | "faultGameMaxClockDuration"
  | "preimageOracleChallengePeriod"
>;

/**
 * The settings that define a devnet's chains. The L1 genesis (chain id, block time) and everything
 * op-deployer writes (contracts, L2 genesis, rollup config: both chain ids, both block times, the
 * op-deployer release, and every chain parameter of the intent: hardfork schedule, gas limit,
 * EIP-1559, sequencer window, channel timeout, withdrawal timing) derive from them, and every node, volume and job of the stack derives from
 * those. Changing one on a live devnet cannot be applied piecemeal: the provider would replace
 * only the containers whose own inputs mention the value and leave the rest on the old chain.
 */
export interface ChainIdentity extends ChainParameters {
  /** The op-deployer image reference that deploys the contracts and writes the genesis. */
  opDeployerImage: string;
  /** Each hardfork's activation (`kupcake:hardforks.<fork>`): seconds after L2 genesis, or "off". */
  hardforkEcotone: ForkActivation;
  hardforkFjord: ForkActivation;
  hardforkGranite: ForkActivation;
  hardforkHolocene: ForkActivation;
  hardforkIsthmus: ForkActivation;
  hardforkJovian: ForkActivation;
  hardforkKarst: ForkActivation;
}

type ForkField = `hardfork${Capitalize<Hardfork>}`;
const forkField = (f: Hardfork) => `hardfork${f[0].toUpperCase()}${f.slice(1)}` as ForkField;

/** The stack config key behind each identity field, as users write it. */
export const CHAIN_DEFINING_KEYS: Record<keyof ChainIdentity, string> = {
  l1ChainId: "kupcake:l1ChainId",
  l2ChainId: "kupcake:l2ChainId",
  blockTime: "kupcake:blockTime",
  l2BlockTime: "kupcake:l2BlockTime",
  opDeployerImage: "kupcake:images.opDeployer",
  ...(Object.fromEntries(HARDFORKS.map((f) => [forkField(f), `kupcake:hardforks.${f}`])) as Record<ForkField, string>),
  l2GasLimit: "kupcake:l2GasLimit",
  eip1559DenominatorCanyon: "kupcake:eip1559DenominatorCanyon",
  eip1559Elasticity: "kupcake:eip1559Elasticity",
  sequencerWindowSize: "kupcake:sequencerWindowSize",
  channelTimeout: "kupcake:channelTimeout",
  proofMaturityDelaySeconds: "kupcake:proofMaturityDelaySeconds",
  disputeGameFinalityDelaySeconds: "kupcake:disputeGameFinalityDelaySeconds",
  faultGameClockExtension: "kupcake:faultGameClockExtension",
  faultGameMaxClockDuration: "kupcake:faultGameMaxClockDuration",
  preimageOracleChallengePeriod: "kupcake:preimageOracleChallengePeriod",
};

/** The fields the first version of the guard recorded (every guard on a deployed stack has them). */
const FIRST_FIELDS = ["l1ChainId", "l2ChainId", "blockTime", "l2BlockTime", "opDeployerImage"] as const;

/**
 * What a devnet deployed before the chain-parameter keys existed was built with, for each later
 * field: op-deployer v0.7.1's standard withdrawal timing (days), and otherwise today's defaults
 * (the intent did not change). A guard that recorded the first fields but not these compares
 * against these values, so switching such a devnet to the devnet withdrawal timing is refused
 * instead of silently re-running the deployer jobs on a live chain.
 */
export const PRE_CHAIN_PARAMS_VALUES: Omit<ChainIdentity, (typeof FIRST_FIELDS)[number]> = {
  ...(Object.fromEntries(HARDFORKS.map((f) => [forkField(f), DEFAULT_CHAIN_SETTINGS.hardforks[f]])) as Record<ForkField, ForkActivation>),
  l2GasLimit: DEFAULT_CHAIN_SETTINGS.l2GasLimit,
  eip1559DenominatorCanyon: DEFAULT_CHAIN_SETTINGS.eip1559DenominatorCanyon,
  eip1559Elasticity: DEFAULT_CHAIN_SETTINGS.eip1559Elasticity,
  sequencerWindowSize: DEFAULT_CHAIN_SETTINGS.sequencerWindowSize,
  channelTimeout: DEFAULT_CHAIN_SETTINGS.channelTimeout,
  ...STANDARD_WITHDRAWAL_TIMING,
};

/** The chain-defining part of a resolved config. */
export function chainIdentity(
  cfg: ChainParameters & Pick<DevnetConfig, "images" | "hardforks">,
): ChainIdentity {
  return {
    l1ChainId: cfg.l1ChainId,
    l2ChainId: cfg.l2ChainId,
    blockTime: cfg.blockTime,
    l2BlockTime: cfg.l2BlockTime,
    opDeployerImage: cfg.images.opDeployer,
    ...(Object.fromEntries(HARDFORKS.map((f) => [forkField(f), cfg.hardforks[f]])) as Record<ForkField, ForkActivation>),
    l2GasLimit: cfg.l2GasLimit,
    eip1559DenominatorCanyon: cfg.eip1559DenominatorCanyon,
    eip1559Elasticity: cfg.eip1559Elasticity,
    sequencerWindowSize: cfg.sequencerWindowSize,
    channelTimeout: cfg.channelTimeout,
    proofMaturityDelaySeconds: cfg.proofMaturityDelaySeconds,
    disputeGameFinalityDelaySeconds: cfg.disputeGameFinalityDelaySeconds,
    faultGameClockExtension: cfg.faultGameClockExtension,
    faultGameMaxClockDuration: cfg.faultGameMaxClockDuration,
    preimageOracleChallengePeriod: cfg.preimageOracleChallengePeriod,
  };
}

/** One chain-defining value that differs between the deployed devnet and the config. */
export interface ChainChange {
  /** The identity field (and the guard resource's input property). */
  field: keyof ChainIdentity;
  /** The stack config key, e.g. `kupcake:l2BlockTime`. */
  key: string;
  from: unknown;
  to: unknown;
}

/**
 * The chain-defining values that differ. `deployed` may be partial or empty (a stack deployed
 * before this check existed, or nothing deployed yet): missing fields never count as changes,
 * except that a guard which recorded all the first fields but none of a later one stands for the
 * values such a devnet was built with (`PRE_CHAIN_PARAMS_VALUES`).
 */
export function chainChanges(deployed: Partial<Record<keyof ChainIdentity, unknown>>, wanted: ChainIdentity): ChainChange[] {
  const known = (v: unknown) => v !== undefined && v !== null;
  const firstGuard = FIRST_FIELDS.every((k) => known(deployed[k]));
  const was = (k: keyof ChainIdentity): unknown =>
    known(deployed[k]) ? deployed[k] : firstGuard && k in PRE_CHAIN_PARAMS_VALUES ? PRE_CHAIN_PARAMS_VALUES[k as keyof typeof PRE_CHAIN_PARAMS_VALUES] : undefined;
  return (Object.keys(CHAIN_DEFINING_KEYS) as (keyof ChainIdentity)[])
    .filter((k) => known(was(k)) && JSON.stringify(was(k)) !== JSON.stringify(wanted[k]))
    .map((k) => ({ field: k, key: CHAIN_DEFINING_KEYS[k], from: was(k), to: wanted[k] }));
}

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/**
 * The refusal users see (from `pulumi preview`/`up` and from `npm run plan -- --diff`): which
 * values changed, why they cannot be applied to a live devnet, and the two ways out.
 */
export function chainChangeMessage(stack: string, changes: ChainChange[]): string {
  const list = changes.map((c) => `${c.key} ${show(c.from)} -> ${show(c.to)}`).join(", ");
  const restore = changes.map((c) => `pulumi config set${c.key.includes(".") ? " --path" : ""} ${c.key} ${show(c.from)}`).join("; ");
  return (
    `refusing to change the chain of the live devnet "${stack}": ${list}. ` +
    `These values define the L1 and L2 chains (genesis, contracts, rollup config) that every node, volume and job derives from; ` +
    `applying them to a running devnet would replace some containers and leave the others on the old chain. ` +
    `Fix: put the deployed value${changes.length === 1 ? "" : "s"} back (${restore}), ` +
    `or start a new chain: npm run destroy -- --stack ${stack}, then npm run up -- --stack ${stack} (deletes the old chain's data).`
  );
}
