/**
 * Chain parameters passed through to op-deployer's intent (`kupcake:hardforks`, `kupcake:l2GasLimit`,
 * the EIP-1559 keys, the sequencer window and channel timeout, and the withdrawal timing keys):
 * their defaults, the intent keys they become, and the rules upstream enforces on them.
 *
 * Upstream evidence, all read at tag `op-deployer/v0.7.1` (commit 7525482253bd…, the release the
 * default `images.opDeployer` pins) of ethereum-optimism/optimism (read from the okx/optimism mirror,
 * which carries the upstream tags):
 * - `op-deployer/pkg/deployer/state/chain_intent.go`: `ChainIntent` TOML keys `gasLimit`,
 *   `eip1559Denominator`, `eip1559DenominatorCanyon`, `eip1559Elasticity`, `deployOverrides`;
 *   `Check()` refuses zero EIP-1559 values and a zero gas limit.
 * - `op-deployer/pkg/deployer/state/intent.go`: `Intent.GlobalDeployOverrides` (`[globalDeployOverrides]`);
 *   `SuperchainProofParams` JSON keys `proofMaturityDelaySeconds`, `disputeGameFinalityDelaySeconds`,
 *   `preimageOracleChallengePeriod`, `faultGameClockExtension`, `faultGameMaxClockDuration`.
 * - `op-deployer/pkg/deployer/pipeline/implementations.go`: those proof params are merged from
 *   `intent.GlobalDeployOverrides` only (not from a chain's `deployOverrides`) into the
 *   DeployImplementations input; `pipeline/opchain.go` `makeDCI` merges the clock keys from the global
 *   and then the chain overrides. So Kupcake writes all five into `[globalDeployOverrides]`.
 * - `op-deployer/pkg/deployer/state/deploy_config.go` `CombineDeployConfig`: defaults
 *   `SequencerWindowSize: 3600`, `ChannelTimeoutBedrock: 300` (JSON `sequencerWindowSize`,
 *   `channelTimeout`), `EIP1559DenominatorCanyon: 250` hard-coded (the intent's
 *   `eip1559DenominatorCanyon` is only checked for non-zero, so Kupcake also writes a
 *   `deployOverrides.eip1559DenominatorCanyon` when the value is not 250), then merges the global and the
 *   chain overrides (`jsonutil.MergeJSON`) and runs `DeployConfig.Check`.
 * - `op-deployer/pkg/deployer/standard/standard.go`: `DefaultHardforkSchedule()` activates every fork
 *   up to Jovian at genesis (Karst and Interop unset); proof defaults 604800 / 302400 / 86400 /
 *   10800 / 302400 s.
 * - `op-chain-ops/genesis/config.go`: `UpgradeScheduleDeployConfig` JSON keys
 *   `l2Genesis<Fork>TimeOffset` (type `*hexutil.Uint64`: a JSON string "0x…", so Kupcake writes hex
 *   strings); `Check()` refuses a fork earlier than its predecessor and two forks at the same non-zero
 *   offset; `SolidityForkNumber` never builds allocs older than Delta (so Regolith, Canyon and Delta
 *   stay at genesis here); `L2GenesisBlockDeployConfig.Check` needs a gas limit of at least
 *   `MaxResourceLimit + SystemTxMaxGas` = 20,000,000 + 1,000,000; `L2CoreDeployConfig.Check` refuses a
 *   zero sequencer window and channel timeout; `EIP1559DeployConfig.Check` a zero denominator or elasticity.
 * - `op-node/rollup/types.go` `Config.Check` (run by `inspect genesis/rollup`): `SeqWindowSize >= 2`.
 * - `packages/contracts-bedrock/src/L1/SystemConfig.sol`: `_setGasLimit` requires
 *   `minimumGasLimit() (= 21,000,000 with the default resource config) <= gasLimit <= MAX_GAS_LIMIT (500,000,000)`.
 * - `packages/contracts-bedrock/scripts/deploy/DeployImplementations.s.sol` `assertValidInput`:
 *   `faultGameV2ClockExtension > 0`, `maxClockDuration >= clockExtension`, `challengePeriodSeconds != 0`,
 *   `proofMaturityDelaySeconds != 0`, `disputeGameFinalityDelaySeconds != 0`.
 * - `packages/contracts-bedrock/src/dispute/FaultDisputeGame.sol` (PermissionedDisputeGame, game type 1,
 *   inherits it): the constructor reverts unless `2 * clockExtension <= maxClockDuration`; `initialize()`
 *   (every game the proposer creates) reverts unless
 *   `max(2 * clockExtension, clockExtension + PreimageOracle.challengePeriod()) <= maxClockDuration`.
 * - `op-batcher/batcher/service.go`: with Granite scheduled the batcher uses the fixed Granite channel
 *   timeout (`op-node/params/constants.go` `ChannelTimeoutGranite = 50` L1 blocks), so `channelTimeout`
 *   only matters before Granite activates.
 */

/** The OP hardforks `kupcake:hardforks` can schedule, in activation order. */
export const HARDFORKS = ["ecotone", "fjord", "granite", "holocene", "isthmus", "jovian", "karst"] as const;
export type Hardfork = (typeof HARDFORKS)[number];
/** A fork's activation: seconds after L2 genesis (0 = at genesis), or `"off"` (not scheduled). */
export type ForkActivation = number | "off";
export type HardforkSchedule = Record<Hardfork, ForkActivation>;

/**
 * What op-deployer v0.7.1 does without overrides (`standard.DefaultHardforkSchedule()`): Regolith
 * through Jovian at genesis, Karst not scheduled. Regolith, Canyon and Delta are always at genesis.
 */
export const DEFAULT_HARDFORKS: HardforkSchedule = {
  ecotone: 0,
  fjord: 0,
  granite: 0,
  holocene: 0,
  isthmus: 0,
  jovian: 0,
  karst: "off",
};

/** The deploy-config key (`UpgradeScheduleDeployConfig`) of each fork's offset. */
export const forkOverrideKey = (f: Hardfork) => `l2Genesis${f[0].toUpperCase()}${f.slice(1)}TimeOffset`;
/** Display name, as upstream spells the fork. */
export const forkName = (f: Hardfork) => f[0].toUpperCase() + f.slice(1);

/** Bounds upstream enforces on the L2 gas limit (gas): SystemConfig's minimum and maximum. */
export const MIN_L2_GAS_LIMIT = 21_000_000;
export const MAX_L2_GAS_LIMIT = 500_000_000;
/** The Holocene/Jovian block extraData encodes the denominator and elasticity as uint32. */
export const MAX_UINT32 = 4_294_967_295;
/**
 * The pre-Canyon EIP-1559 denominator the intent carries (op-deployer's standard value). Not a key:
 * Canyon is at genesis in every schedule Kupcake allows, so it never applies to a block.
 */
export const EIP1559_DENOMINATOR_PRE_CANYON = 50;
/** The denominator op-deployer v0.7.1 hard-codes for Canyon (`CombineDeployConfig`). */
export const DEPLOYER_DENOMINATOR_CANYON = 250;

/** The scalar chain parameters, their defaults and units. */
export const CHAIN_PARAM_DEFAULTS = {
  /** L2 block gas limit, gas (intent `gasLimit`; op-deployer's standard value). */
  l2GasLimit: 60_000_000,
  /** EIP-1559 base fee change denominator from Canyon on (intent `eip1559DenominatorCanyon`). */
  eip1559DenominatorCanyon: 250,
  /** EIP-1559 elasticity multiplier: gas target = gas limit / elasticity (intent `eip1559Elasticity`). */
  eip1559Elasticity: 6,
  /** Sequencing window, L1 blocks (deploy override `sequencerWindowSize`; op-deployer's default). */
  sequencerWindowSize: 3600,
  /** Channel timeout before Granite, L1 blocks (deploy override `channelTimeout`; op-deployer's default). */
  channelTimeout: 300,
  /**
   * Withdrawal timing, seconds, devnet values (op-deployer's standard values are days; see
   * `STANDARD_WITHDRAWAL_TIMING`). OptimismPortal2: a proven withdrawal can be finalized this long after its proof.
   */
  proofMaturityDelaySeconds: 12,
  /** AnchorStateRegistry: a resolved dispute game is final (usable to finalize withdrawals) this long after it resolved. */
  disputeGameFinalityDelaySeconds: 6,
  /** FaultDisputeGame clock extension (seconds): a game with an unchallenged root resolves after faultGameMaxClockDuration. */
  faultGameClockExtension: 3,
  /** FaultDisputeGame max clock duration (seconds): the earliest an unchallenged proposal's game can resolve. */
  faultGameMaxClockDuration: 12,
  /** PreimageOracle challenge period (seconds); the game needs `clockExtension + this <= maxClockDuration`. */
  preimageOracleChallengePeriod: 6,
} as const;
export type ChainParamKey = keyof typeof CHAIN_PARAM_DEFAULTS;
export type ChainParams = { [K in ChainParamKey]: number };

/** The withdrawal-timing keys: written to `[globalDeployOverrides]` under the same names. */
export const WITHDRAWAL_KEYS = [
  "proofMaturityDelaySeconds",
  "disputeGameFinalityDelaySeconds",
  "faultGameClockExtension",
  "faultGameMaxClockDuration",
  "preimageOracleChallengePeriod",
] as const satisfies readonly ChainParamKey[];

/**
 * op-deployer v0.7.1's own values for the withdrawal timing (`standard.go`), i.e. what every devnet
 * deployed before these keys existed got: a withdrawal then took 3.5 days of game clock plus 7 days
 * of proof maturity.
 */
export const STANDARD_WITHDRAWAL_TIMING: Record<(typeof WITHDRAWAL_KEYS)[number], number> = {
  proofMaturityDelaySeconds: 604800,
  disputeGameFinalityDelaySeconds: 302400,
  faultGameClockExtension: 10800,
  faultGameMaxClockDuration: 302400,
  preimageOracleChallengePeriod: 86400,
};

/** The chain parameters of a resolved config, as the intent builder takes them. */
export interface ChainSettings extends ChainParams {
  hardforks: HardforkSchedule;
}

export const DEFAULT_CHAIN_SETTINGS: ChainSettings = { ...CHAIN_PARAM_DEFAULTS, hardforks: { ...DEFAULT_HARDFORKS } };

/** The L2 block (number) a fork at `offset` seconds activates in: the first block at or after genesis + offset. */
export const activationBlock = (offset: number, l2BlockTime: number) => Math.ceil(offset / l2BlockTime);

/**
 * Cross-field rules of the chain parameters (each message: key, value, rule, fix). `userForks` are
 * the forks the stack file sets (to say "the default" for the others).
 */
export function chainParamProblems(c: ChainSettings, l2BlockTime: number, userForks: Partial<Record<Hardfork, unknown>>): string[] {
  const problems: string[] = [];
  const fk = (f: Hardfork) => `kupcake:hardforks.${f}`;
  const shown = (f: Hardfork) => `${JSON.stringify(c.hardforks[f])}${userForks[f] === undefined ? ", op-deployer's default" : ""}`;
  for (const f of HARDFORKS) {
    if (c.hardforks[f] === "off" && DEFAULT_HARDFORKS[f] !== "off") {
      problems.push(
        `${fk(f)} = "off": ${forkName(f)} cannot be turned off: op-deployer v0.7.1 activates every fork up to Jovian in every intent (standard.DefaultHardforkSchedule) and an intent override cannot unset it. ` +
          `Fix: give an offset in seconds after L2 genesis (0 = at genesis) or remove the key.`,
      );
    }
  }
  if (problems.length > 0) return problems;
  for (let i = 1; i < HARDFORKS.length; i++) {
    const [a, b] = [HARDFORKS[i - 1], HARDFORKS[i]];
    const [ta, tb] = [c.hardforks[a], c.hardforks[b]];
    if (tb === "off") continue; // later forks are off too (checked at their own pair)
    if (ta === "off") {
      problems.push(`${fk(b)} = ${tb}: ${forkName(b)} is scheduled but the fork before it, ${forkName(a)}, is off (${shown(a)}). Fix: schedule kupcake:hardforks.${a} at or before ${tb}, or remove ${fk(b)}.`);
    } else if (ta > tb) {
      // Name the key the user set: the later one if set, else the earlier one.
      const culprit = userForks[b] !== undefined ? b : a;
      problems.push(
        `${fk(culprit)} = ${c.hardforks[culprit]}: forks activate in order, but ${forkName(a)} (${shown(a)}) would come after ${forkName(b)} (${shown(b)}). ` +
          `Fix: set kupcake:hardforks.${b} to a later offset than ${ta} (e.g. ${ta + l2BlockTime}) or lower kupcake:hardforks.${a} to at most ${tb}.`,
      );
    } else if (tb > 0 && activationBlock(ta, l2BlockTime) === activationBlock(tb, l2BlockTime)) {
      const n = activationBlock(tb, l2BlockTime);
      problems.push(
        `${fk(b)} = ${tb}: ${forkName(b)} would activate in the same L2 block as ${forkName(a)} (${shown(a)}): block ${n}, ${n * l2BlockTime} s after genesis with kupcake:l2BlockTime = ${l2BlockTime}; ` +
          `upstream refuses two forks at the same post-genesis block. Fix: set kupcake:hardforks.${b} to at least ${n * l2BlockTime + 1} (the next block) or lower kupcake:hardforks.${a}.`,
      );
    }
  }
  const ext = c.faultGameClockExtension;
  const challenge = c.preimageOracleChallengePeriod;
  const needed = Math.max(2 * ext, ext + challenge);
  if (c.faultGameMaxClockDuration < needed) {
    problems.push(
      `kupcake:faultGameMaxClockDuration = ${c.faultGameMaxClockDuration}: must be at least max(2 × faultGameClockExtension, faultGameClockExtension + preimageOracleChallengePeriod) = ${needed} s ` +
        `(faultGameClockExtension = ${ext}, preimageOracleChallengePeriod = ${challenge}): otherwise every dispute game the proposer creates reverts (FaultDisputeGame.initialize: InvalidClockExtension). ` +
        `Fix: raise kupcake:faultGameMaxClockDuration to at least ${needed}, or lower kupcake:faultGameClockExtension / kupcake:preimageOracleChallengePeriod.`,
    );
  }
  if (c.eip1559Elasticity > c.l2GasLimit) {
    problems.push(
      `kupcake:eip1559Elasticity = ${c.eip1559Elasticity}: must be at most kupcake:l2GasLimit (${c.l2GasLimit}): the gas target is gas limit / elasticity and must be at least 1 gas. ` +
        `Fix: use a small elasticity such as 6 (op-deployer's standard value).`,
    );
  }
  return problems;
}
