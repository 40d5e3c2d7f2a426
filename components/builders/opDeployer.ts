import { ROLES } from "../accounts";
import {
  ChainSettings,
  DEFAULT_CHAIN_SETTINGS,
  DEFAULT_HARDFORKS,
  DEPLOYER_DENOMINATOR_CANYON,
  EIP1559_DENOMINATOR_PRE_CANYON,
  HARDFORKS,
  WITHDRAWAL_KEYS,
  forkOverrideKey,
} from "../config/chain";
import { TomlValue, toToml } from "./toml";

/** Where the op-deployer jobs keep their workdir: the L1 artifacts volume. */
export const DEPLOYER_WORKDIR = "/data";
/** Where the program's own generated files are uploaded inside a job container. */
export const UPLOAD_DIR = "/kupcake";
/** Files the jobs leave in the artifacts volume, as the L2 containers see them (mounted read-only). */
export const ARTIFACTS_MOUNT = "/artifacts";
export const ARTIFACT_FILES = {
  genesis: "genesis.json",
  rollup: "rollup.json",
  l1ChainConfig: "l1-chain-config.json",
  l1Addresses: "l1-addresses.json",
} as const;
/** Marker that precedes the L1 contract addresses in the inspect job's log. */
export const L1_ADDRESSES_MARKER = "KUPCAKE_L1_ADDRESSES";

/** Inputs of the intent: chain ids, the L2 block time (seconds) and the chain parameters. */
export interface IntentArgs {
  l1ChainId: number;
  l2ChainId: number;
  /** L2 block time, seconds. */
  l2BlockTime: number;
  /**
   * Hardfork schedule, gas limit, EIP-1559, sequencer window, channel timeout and withdrawal timing
   * (components/config/chain.ts). Omitted: the defaults of an empty stack config.
   */
  chain?: ChainSettings;
}

/** A fork offset as op-deployer's deploy config decodes it (`*hexutil.Uint64`: a "0x…" JSON string, not a number). */
export const hexOffset = (seconds: number) => "0x" + seconds.toString(16);

/**
 * The chain's `deployOverrides` (merged into op-deployer's deploy config, `CombineDeployConfig`, and
 * into the L2 genesis hardfork schedule): the L2 block time always, and each chain parameter only
 * when it differs from what op-deployer v0.7.1 does without it, so a default config yields the same
 * intent as before these keys existed.
 */
export function chainDeployOverrides(l2BlockTime: number, c: ChainSettings): Record<string, TomlValue> {
  const o: Record<string, TomlValue> = { l2BlockTime };
  for (const f of HARDFORKS) {
    const t = c.hardforks[f];
    if (t !== "off" && t !== DEFAULT_HARDFORKS[f]) o[forkOverrideKey(f)] = hexOffset(t);
  }
  if (c.sequencerWindowSize !== DEFAULT_CHAIN_SETTINGS.sequencerWindowSize) o.sequencerWindowSize = c.sequencerWindowSize;
  if (c.channelTimeout !== DEFAULT_CHAIN_SETTINGS.channelTimeout) o.channelTimeout = c.channelTimeout;
  // v0.7.1 ignores the intent's eip1559DenominatorCanyon (CombineDeployConfig hard-codes 250): the override is what applies.
  if (c.eip1559DenominatorCanyon !== DEPLOYER_DENOMINATOR_CANYON) o.eip1559DenominatorCanyon = c.eip1559DenominatorCanyon;
  return o;
}

/**
 * `[globalDeployOverrides]`: the withdrawal timing. op-deployer v0.7.1 reads the proof parameters for
 * the implementations (OptimismPortal2, AnchorStateRegistry, PreimageOracle, the dispute games) from
 * the global overrides only (pipeline/implementations.go), and the chain's game clocks from global
 * then chain overrides (pipeline/opchain.go), so they all go here.
 */
export function globalDeployOverrides(c: ChainSettings): Record<string, TomlValue> {
  return Object.fromEntries(WITHDRAWAL_KEYS.map((k) => [k, c[k]]));
}

/** A chain id as op-deployer's intent wants it: a 32-byte hex string. */
export const chainIdHex = (id: number) => "0x" + id.toString(16).padStart(64, "0");

/**
 * The whole `intent.toml`, written by the program (not patched from `op-deployer init` output,
 * which is how Kupcake dropped required keys). Roles come from the public dev mnemonic; all four
 * fee-vault recipients are set because op-deployer rejects a zero recipient.
 */
export function intentToml(a: IntentArgs): string {
  const lower = (addr: string) => addr.toLowerCase();
  const c = a.chain ?? DEFAULT_CHAIN_SETTINGS;
  return toToml({
    configType: "custom",
    l1ChainID: a.l1ChainId,
    fundDevAccounts: true,
    l1ContractsLocator: "embedded",
    l2ContractsLocator: "embedded",
    superchainRoles: {
      SuperchainProxyAdminOwner: lower(ROLES.deployer.address),
      SuperchainGuardian: lower(ROLES.deployer.address),
      ProtocolVersionsOwner: lower(ROLES.deployer.address),
      Challenger: lower(ROLES.challenger.address),
    },
    globalDeployOverrides: globalDeployOverrides(c),
    chains: [
      {
        id: chainIdHex(a.l2ChainId),
        baseFeeVaultRecipient: lower(ROLES.deployer.address),
        l1FeeVaultRecipient: lower(ROLES.l1FeeVault.address),
        sequencerFeeVaultRecipient: lower(ROLES.sequencerFeeVault.address),
        operatorFeeVaultRecipient: lower(ROLES.operatorFeeVault.address),
        eip1559DenominatorCanyon: c.eip1559DenominatorCanyon,
        eip1559Denominator: EIP1559_DENOMINATOR_PRE_CANYON,
        eip1559Elasticity: c.eip1559Elasticity,
        gasLimit: c.l2GasLimit,
        operatorFeeScalar: 0,
        operatorFeeConstant: 0,
        roles: {
          l1ProxyAdminOwner: lower(ROLES.l1ProxyAdminOwner.address),
          l2ProxyAdminOwner: lower(ROLES.l2ProxyAdminOwner.address),
          systemConfigOwner: lower(ROLES.systemConfigOwner.address),
          unsafeBlockSigner: lower(ROLES.unsafeBlockSigner.address),
          batcher: lower(ROLES.batcher.address),
          proposer: lower(ROLES.proposer.address),
          challenger: lower(ROLES.challenger.address),
        },
        deployOverrides: chainDeployOverrides(a.l2BlockTime, c),
      },
    ],
  });
}

/** One op-deployer one-shot step. */
export interface DeployerJob {
  /** Step name; the container is `<network>-op-deployer-<step>`. */
  step: "init" | "apply" | "inspect-genesis" | "inspect-rollup" | "inspect-l1";
  command: string[];
  /** Files the program uploads into the container before it starts. */
  uploads: { file: string; content: string }[];
}

export interface DeployerJobArgs extends IntentArgs {
  /** Anvil's URL on the devnet network. */
  l1RpcUrl: string;
  /** The L1 chain config kona-node reads, as JSON text. */
  l1ChainConfigJson: string;
}

const sh = (script: string) => ["sh", "-c", script];
const cli = `op-deployer --cache-dir ${DEPLOYER_WORKDIR}/.cache`;
// kona-node runs as uid 10001: everything it reads must be world-readable.
const publish = `chmod -R a+rX ${DEPLOYER_WORKDIR}`;

/**
 * The jobs, in the order they must run: init (creates state.json; our intent replaces its intent),
 * apply against Anvil, then inspect genesis, rollup and the L1 contract addresses.
 * `--workdir` comes before the chain id: urfave/cli stops parsing flags at the first argument.
 */
export function deployerJobs(a: DeployerJobArgs): DeployerJob[] {
  const w = DEPLOYER_WORKDIR;
  const inspect = (what: string, file: string) =>
    `set -e; ${cli} inspect ${what} --workdir ${w} --outfile ${w}/${file} ${a.l2ChainId}; ${publish}`;
  return [
    {
      step: "init",
      command: sh(
        `set -e; ${cli} init --l1-chain-id ${a.l1ChainId} --l2-chain-ids ${a.l2ChainId} --workdir ${w} --intent-type custom; ` +
          `cp ${UPLOAD_DIR}/intent.toml ${w}/intent.toml; cp ${UPLOAD_DIR}/${ARTIFACT_FILES.l1ChainConfig} ${w}/${ARTIFACT_FILES.l1ChainConfig}; ${publish}`,
      ),
      uploads: [
        { file: `${UPLOAD_DIR}/intent.toml`, content: intentToml(a) },
        { file: `${UPLOAD_DIR}/${ARTIFACT_FILES.l1ChainConfig}`, content: a.l1ChainConfigJson },
      ],
    },
    {
      step: "apply",
      command: sh(
        `set -e; ${cli} apply --workdir ${w} --l1-rpc-url ${a.l1RpcUrl} --private-key ${ROLES.deployer.privateKey} --deployment-target live; ${publish}`,
      ),
      uploads: [],
    },
    { step: "inspect-genesis", command: sh(inspect("genesis", ARTIFACT_FILES.genesis)), uploads: [] },
    { step: "inspect-rollup", command: sh(inspect("rollup", ARTIFACT_FILES.rollup)), uploads: [] },
    {
      step: "inspect-l1",
      command: sh(
        `${inspect("l1", ARTIFACT_FILES.l1Addresses)}; echo "${L1_ADDRESSES_MARKER} $(tr -d '\\n\\r\\t ' < ${w}/${ARTIFACT_FILES.l1Addresses})"`,
      ),
      uploads: [],
    },
  ];
}

/** The L1 contract addresses this program exports and passes on. */
export const L1_CONTRACTS = [
  "DisputeGameFactoryProxy",
  "OptimismPortalProxy",
  "SystemConfigProxy",
  "L1StandardBridgeProxy",
  "L1CrossDomainMessengerProxy",
  "L1ERC721BridgeProxy",
  "OptimismMintableERC20FactoryProxy",
  "AnchorStateRegistryProxy",
  "ProxyAdmin",
  "SuperchainConfigProxy",
] as const;
export type L1Contract = (typeof L1_CONTRACTS)[number];

/**
 * Reads the contract addresses from the inspect job's log. Accepts the shapes op-deployer has
 * used across versions: nested objects whose keys are `<Name>`, `<name>Address` or `<name>Proxy`.
 */
export function parseL1Addresses(logs: string): Record<string, string> {
  const line = logs.split(/\r?\n/).find((l) => l.includes(L1_ADDRESSES_MARKER + " "));
  if (!line) throw new Error(`the op-deployer inspect-l1 job printed no "${L1_ADDRESSES_MARKER}" line`);
  const json = line.slice(line.indexOf(L1_ADDRESSES_MARKER) + L1_ADDRESSES_MARKER.length).trim();
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new Error(`the op-deployer inspect-l1 output is not JSON: ${(e as Error).message}`);
  }
  const found: Record<string, string> = {};
  const walk = (v: unknown) => {
    if (!v || typeof v !== "object") return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (typeof x === "string" && /^0x[0-9a-fA-F]{40}$/.test(x)) {
        const name = k.replace(/Address$/, "").replace(/^./, (c) => c.toUpperCase());
        found[name] ??= x;
      } else walk(x);
    }
  };
  walk(doc);
  const missing = ["DisputeGameFactoryProxy", "OptimismPortalProxy", "SystemConfigProxy"].filter((n) => !found[n]);
  if (missing.length > 0) throw new Error(`the op-deployer inspect-l1 output lacks ${missing.join(", ")}`);
  return found;
}

/** Turns a job's exit code into a clear error with its last log lines (a non-zero exit does not fail a docker.Container). */
export function jobFailure(container: string, exitCode: number | undefined, logs: string | undefined): string | undefined {
  if (exitCode === 0) return undefined;
  const tail = (logs ?? "").replace(/[\x00-\x08\x0e-\x1f]/g, "").split(/\r?\n/).filter((l) => l.trim()).slice(-20);
  return (
    `${container} exited with code ${exitCode ?? "unknown"}.` +
    (tail.length ? ` Last log lines:\n${tail.map((l) => `    ${l}`).join("\n")}` : " It printed nothing.") +
    `\n  See \`docker logs ${container}\`; re-run the step with \`pulumi up --replace <its urn>\` once fixed.`
  );
}
