/**
 * op-deployer stand-in: `init`, `apply --deployment-target live` and `inspect genesis|rollup|l1`.
 * apply validates the intent like op-deployer does for custom intents and makes REAL L1
 * transactions from the --private-key account: one tiny contract per L1 contract the devnet
 * reads (runtime code: log the calldata and stop), then records their addresses and the L1 start
 * block in state.json. Artifacts (genesis.json, rollup.json, the `inspect l1` JSON) are built from
 * state.json; the L2 genesis is the stand-in chain's (chain.ts), funding the dev accounts.
 * Errors: a message on stderr and exit 1, like the real binary.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Genesis, genesisPayload, ZERO_ADDR, ZERO_HASH } from "./chain";
import { devAddresses } from "./devAccounts";
import { Cli } from "./flags";
import { L1Sender, l1Block, l1ChainId } from "./l1";
import { fatal, info } from "./log";
import { hexQ } from "./rpc";
import { parseToml } from "./toml";

/** Creation code returning an 11-byte runtime that emits LOG0(calldata) and stops. */
const STUB_INITCODE = "0x600b600c600039600b6000f3" + "366000600037366000a000";

const SUPERCHAIN = ["ProxyAdmin", "SuperchainConfigProxy", "SuperchainConfigImpl", "ProtocolVersionsProxy", "ProtocolVersionsImpl"];
const IMPLEMENTATIONS = [
  "Opcm", "DelayedWETHImpl", "OptimismPortalImpl", "PreimageOracleSingleton", "MipsSingleton", "SystemConfigImpl", "L1CrossDomainMessengerImpl",
  "L1ERC721BridgeImpl", "L1StandardBridgeImpl", "OptimismMintableERC20FactoryImpl", "DisputeGameFactoryImpl",
];
const OPCHAIN = [
  "ProxyAdmin", "AddressManager", "L1ERC721BridgeProxy", "SystemConfigProxy", "OptimismMintableERC20FactoryProxy", "L1StandardBridgeProxy",
  "L1CrossDomainMessengerProxy", "OptimismPortalProxy", "DisputeGameFactoryProxy", "AnchorStateRegistryProxy", "AnchorStateRegistryImpl",
  "PermissionedDisputeGame", "DelayedWETHPermissionedGameProxy",
];
/** Not deployed by a default permissioned-games devnet: reported as the zero address. */
const OPCHAIN_ABSENT = ["FaultDisputeGame", "DataAvailabilityChallengeProxy", "DataAvailabilityChallengeImpl"];

const lcFirst = (s: string) => s[0].toLowerCase() + s.slice(1);
const isAddr = (v: unknown) => typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v);
const nonZeroAddr = (v: unknown) => isAddr(v) && BigInt(v as string) !== 0n;

interface ChainIntent {
  id: string;
  baseFeeVaultRecipient?: string;
  l1FeeVaultRecipient?: string;
  sequencerFeeVaultRecipient?: string;
  operatorFeeVaultRecipient?: string;
  eip1559DenominatorCanyon?: number;
  eip1559Denominator?: number;
  eip1559Elasticity?: number;
  gasLimit?: number;
  roles?: Record<string, string>;
  deployOverrides?: { l2BlockTime?: number; [k: string]: unknown };
  [k: string]: unknown;
}
interface Intent {
  configType?: string;
  l1ChainID?: number;
  fundDevAccounts?: boolean;
  superchainRoles?: Record<string, string>;
  chains?: ChainIntent[];
  [k: string]: unknown;
}
interface ChainState {
  id: string;
  startBlock: { hash: string; number: string; timestamp: string };
  [k: string]: unknown;
}
interface DeployerState {
  version: number;
  create2Salt: string;
  appliedIntent: Intent | null;
  superchainDeployment: Record<string, string> | null;
  implementationsDeployment: Record<string, string> | null;
  opChainDeployments: ChainState[];
  /** Stand-in bookkeeping: what `init` was told. */
  kupcakeStandin: { l1ChainId: number; l2ChainIds: number[] };
}

const chainHex = (id: number | bigint) => "0x" + BigInt(id).toString(16).padStart(64, "0");

function readState(workdir: string): DeployerState {
  const p = join(workdir, "state.json");
  try {
    return JSON.parse(readFileSync(p, "utf8")) as DeployerState;
  } catch (e) {
    return fatal(`failed to read state: ${(e as Error).message}`);
  }
}
function writeJson(path: string, v: unknown) {
  writeFileSync(path, JSON.stringify(v, null, 2) + "\n");
}

function init(cli: Cli) {
  const workdir = cli.get("--workdir") ?? ".";
  const l1 = cli.int("--l1-chain-id", 11155111);
  const l2 = (cli.get("--l2-chain-ids") ?? "").split(",").filter(Boolean).map((x) => Number(x.trim()));
  if (l2.length === 0 || l2.some((x) => !Number.isSafeInteger(x) || x <= 0)) fatal("failed to parse L2 chain IDs: must specify at least one L2 chain ID");
  const type = cli.get("--intent-type") ?? "standard";
  if (!["standard", "custom", "standard-overrides"].includes(type)) fatal(`intent type not supported: ${type} (supported: standard, custom, standard-overrides)`);
  mkdirSync(workdir, { recursive: true });
  const state: DeployerState = {
    version: 1,
    create2Salt: "0x" + randomBytes(32).toString("hex"),
    appliedIntent: null,
    superchainDeployment: null,
    implementationsDeployment: null,
    opChainDeployments: [],
    kupcakeStandin: { l1ChainId: l1, l2ChainIds: l2 },
  };
  writeJson(join(workdir, "state.json"), state);
  // What init writes for a custom intent: locators set, roles and recipients zero (apply rejects those).
  const z = `"${ZERO_ADDR}"`;
  const chains = l2
    .map((id) =>
      [
        "[[chains]]", `id = "${chainHex(id)}"`, `baseFeeVaultRecipient = ${z}`, `l1FeeVaultRecipient = ${z}`, `sequencerFeeVaultRecipient = ${z}`,
        `operatorFeeVaultRecipient = ${z}`, "eip1559DenominatorCanyon = 250", "eip1559Denominator = 50", "eip1559Elasticity = 6", "gasLimit = 60000000",
        "[chains.roles]", ...["l1ProxyAdminOwner", "l2ProxyAdminOwner", "systemConfigOwner", "unsafeBlockSigner", "batcher", "proposer", "challenger"].map((r) => `${r} = ${z}`),
      ].join("\n"),
    )
    .join("\n\n");
  writeFileSync(
    join(workdir, "intent.toml"),
    `configType = "${type}"\nl1ChainID = ${l1}\nfundDevAccounts = false\nl1ContractsLocator = "embedded"\nl2ContractsLocator = "embedded"\n\n[superchainRoles]\n` +
      ["SuperchainProxyAdminOwner", "SuperchainGuardian", "ProtocolVersionsOwner", "Challenger"].map((r) => `${r} = ${z}`).join("\n") +
      `\n\n${chains}\n`,
  );
  info("initialized workdir", { workdir, l1ChainId: l1, l2ChainIds: l2.join(",") });
}

/** Validation op-deployer applies to an intent before deploying (custom intents). */
export function checkIntent(intent: Intent): string | undefined {
  if (!["standard", "custom", "standard-overrides"].includes(String(intent.configType))) return `unsupported intent type: ${intent.configType}`;
  if (!Number.isSafeInteger(intent.l1ChainID)) return "l1ChainID must be set";
  if (intent.configType === "custom") {
    for (const r of ["SuperchainProxyAdminOwner", "SuperchainGuardian", "ProtocolVersionsOwner", "Challenger"])
      if (!nonZeroAddr(intent.superchainRoles?.[r])) return `superchainRoles.${r} must be set for custom intents`;
  }
  if (!intent.chains?.length) return "must specify at least one chain";
  for (const c of intent.chains) {
    if (typeof c.id !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(c.id)) return `chain id ${c.id} must be a 32-byte hex string`;
    for (const f of ["baseFeeVaultRecipient", "l1FeeVaultRecipient", "sequencerFeeVaultRecipient", "operatorFeeVaultRecipient"])
      if (!nonZeroAddr(c[f])) return `chain ${c.id}: ${f} must be set`;
    for (const r of ["l1ProxyAdminOwner", "l2ProxyAdminOwner", "systemConfigOwner", "unsafeBlockSigner", "batcher", "proposer", "challenger"])
      if (!nonZeroAddr(c.roles?.[r])) return `chain ${c.id}: roles.${r} must be set`;
    for (const f of ["eip1559DenominatorCanyon", "eip1559Denominator", "eip1559Elasticity", "gasLimit"])
      if (!(typeof c[f] === "number" && (c[f] as number) > 0)) return `chain ${c.id}: ${f} must be set`;
  }
  return undefined;
}

async function apply(cli: Cli) {
  const workdir = cli.get("--workdir") ?? ".";
  const target = cli.get("--deployment-target") ?? "live";
  if (target !== "live") fatal(`deployment target ${target} is not supported by the stand-in (live only)`);
  const url = cli.get("--l1-rpc-url") ?? process.env.L1_RPC_URL;
  const key = cli.get("--private-key");
  if (!url) fatal("l1 RPC URL must be specified for live deployment");
  if (!key || !/^(0x)?[0-9a-fA-F]{64}$/.test(key)) fatal("private key must be specified for live deployment");
  const state = readState(workdir);
  let intent: Intent;
  try {
    intent = parseToml(readFileSync(join(workdir, "intent.toml"), "utf8")) as Intent;
  } catch (e) {
    return fatal(`failed to read intent: ${(e as Error).message}`);
  }
  const bad = checkIntent(intent);
  if (bad) fatal(`failed to validate intent: ${bad}`);
  let l1Id: number;
  try {
    l1Id = await l1ChainId(url);
  } catch (e) {
    return fatal(`failed to connect to L1 RPC: ${(e as Error).message}`);
  }
  if (l1Id !== intent.l1ChainID) fatal(`chain ID mismatch: intent has l1ChainID ${intent.l1ChainID}, L1 RPC reports ${l1Id}`);
  const sender = new L1Sender(url, key);
  if ((await sender.balance()) === 0n) fatal(`deployer address ${sender.address} has no funds on L1`);
  info("deploying L1 contracts", { deployer: sender.address, l1ChainId: l1Id, chains: intent.chains!.length });

  // Send every creation transaction (sequential nonces), then wait for all receipts.
  const jobs: { bundle: string; name: string; hash: string }[] = [];
  const deploy = async (bundle: string, name: string) => jobs.push({ bundle, name, hash: await sender.send({ data: STUB_INITCODE, gas: 200_000n }) });
  try {
    for (const n of SUPERCHAIN) await deploy("superchain", n);
    for (const n of IMPLEMENTATIONS) await deploy("implementations", n);
    for (const c of intent.chains!) for (const n of OPCHAIN) await deploy(c.id, n);
    const receipts = await Promise.all(jobs.map((j) => sender.receipt(j.hash, 120_000)));
    const failed = receipts.findIndex((r) => r.status !== "0x1" || !r.contractAddress);
    if (failed >= 0) fatal(`deployment of ${jobs[failed].name} failed in tx ${jobs[failed].hash}`);
    const addr = (bundle: string) => Object.fromEntries(jobs.map((j, i) => [j, receipts[i]] as const).filter(([j]) => j.bundle === bundle).map(([j, r]) => [`${lcFirst(j.name)}Address`, r.contractAddress!.toLowerCase()]));
    state.superchainDeployment = addr("superchain");
    state.implementationsDeployment = addr("implementations");
    state.opChainDeployments = [];
    for (const c of intent.chains!) {
      const sysIdx = jobs.findIndex((j) => j.bundle === c.id && j.name === "SystemConfigProxy");
      const start = await l1Block(url, Number(BigInt(receipts[sysIdx].blockNumber)));
      if (!start) fatal("failed to read the L1 start block");
      const cs: ChainState = { id: c.id, ...addr(c.id), startBlock: { hash: start.hash, number: hexQ(start.number), timestamp: hexQ(start.timestamp) } };
      for (const n of OPCHAIN_ABSENT) cs[`${lcFirst(n)}Address`] = ZERO_ADDR;
      state.opChainDeployments.push(cs);
    }
  } catch (e) {
    return fatal(`failed to deploy: ${(e as Error).message}`);
  }
  state.appliedIntent = intent;
  writeJson(join(workdir, "state.json"), state);
  info("deployment complete", { contracts: jobs.length, startBlock: Number(BigInt(state.opChainDeployments[0].startBlock.number)) });
}

/** The L2 genesis for a deployed chain (deterministic: inspect genesis and inspect rollup agree). */
export function buildGenesis(state: DeployerState, chain: ChainIntent, cs: ChainState, l2ChainId: number): Genesis {
  const intent = state.appliedIntent!;
  const alloc: Genesis["alloc"] = {};
  const rich = "0x" + (10n ** 22n).toString(16); // 10,000 ETH
  if (intent.fundDevAccounts) for (const a of devAddresses(30)) alloc[a] = { balance: rich };
  const forks = ["homesteadBlock", "eip150Block", "eip155Block", "eip158Block", "byzantiumBlock", "constantinopleBlock", "petersburgBlock", "istanbulBlock", "muirGlacierBlock", "berlinBlock", "londonBlock", "arrowGlacierBlock", "grayGlacierBlock", "mergeNetsplitBlock", "bedrockBlock"];
  const times = ["shanghaiTime", "cancunTime", "pragueTime", "regolithTime", "canyonTime", "ecotoneTime", "fjordTime", "graniteTime", "holoceneTime", "isthmusTime"];
  return {
    config: {
      chainId: l2ChainId,
      ...Object.fromEntries(forks.map((f) => [f, 0])),
      ...Object.fromEntries(times.map((t) => [t, 0])),
      terminalTotalDifficulty: 0,
      depositContractAddress: ZERO_ADDR,
      optimism: { eip1559Elasticity: chain.eip1559Elasticity, eip1559Denominator: chain.eip1559Denominator, eip1559DenominatorCanyon: chain.eip1559DenominatorCanyon },
    },
    nonce: "0x0",
    timestamp: cs.startBlock.timestamp,
    extraData: "0x",
    gasLimit: hexQ(chain.gasLimit ?? 60_000_000),
    difficulty: "0x0",
    mixHash: ZERO_HASH,
    coinbase: "0x4200000000000000000000000000000000000011",
    alloc,
    number: "0x0",
    gasUsed: "0x0",
    parentHash: ZERO_HASH,
    baseFeePerGas: "0x3b9aca00",
    excessBlobGas: "0x0",
    blobGasUsed: "0x0",
  };
}

function inspect(cli: Cli) {
  const what = cli.subcommands[1];
  const workdir = cli.get("--workdir") ?? ".";
  const outfile = cli.get("--outfile") ?? "-";
  if (cli.positionals.length !== 1) fatal("must specify exactly one L2 chain ID");
  let l2: bigint;
  try {
    l2 = BigInt(cli.positionals[0]);
  } catch {
    return fatal(`invalid L2 chain ID: ${cli.positionals[0]}`);
  }
  const state = readState(workdir);
  const id = chainHex(l2);
  const cs = state.opChainDeployments.find((c) => c.id.toLowerCase() === id);
  const chain = state.appliedIntent?.chains?.find((c) => c.id.toLowerCase() === id);
  if (!cs || !chain) fatal(`failed to get chain state for ID ${id}: chain not found`);
  let doc: unknown;
  if (what === "l1") {
    const pick = (names: string[], src: Record<string, unknown>) => Object.fromEntries(names.map((n) => [`${lcFirst(n)}Address`, src[`${lcFirst(n)}Address`] ?? ZERO_ADDR]));
    doc = {
      superchainDeployment: pick(SUPERCHAIN, state.superchainDeployment ?? {}),
      opChainDeployment: pick([...OPCHAIN, ...OPCHAIN_ABSENT], cs),
      implementationsDeployment: pick(IMPLEMENTATIONS, state.implementationsDeployment ?? {}),
    };
  } else if (what === "genesis") {
    doc = buildGenesis(state, chain, cs, Number(l2));
  } else if (what === "rollup") {
    const genesis = buildGenesis(state, chain, cs, Number(l2));
    const l2Genesis = genesisPayload(genesis);
    const blockTime = Number(chain.deployOverrides?.l2BlockTime ?? 2);
    doc = {
      genesis: {
        l1: { hash: cs.startBlock.hash, number: Number(BigInt(cs.startBlock.number)) },
        l2: { hash: l2Genesis.blockHash, number: 0 },
        l2_time: Number(BigInt(cs.startBlock.timestamp)),
        system_config: {
          batcherAddr: chain.roles!.batcher.toLowerCase(),
          overhead: "0x" + "00".repeat(32),
          scalar: "0x010000000000000000000000000000000000000000000000000c5fc500000558",
          gasLimit: chain.gasLimit,
          eip1559Params: "0x0000000000000000",
          operatorFeeParams: "0x" + "00".repeat(32),
        },
      },
      block_time: blockTime,
      max_sequencer_drift: 600,
      seq_window_size: 3600,
      channel_timeout: 300,
      l1_chain_id: state.appliedIntent!.l1ChainID,
      l2_chain_id: Number(l2),
      regolith_time: 0, canyon_time: 0, delta_time: 0, ecotone_time: 0, fjord_time: 0, granite_time: 0, holocene_time: 0, isthmus_time: 0,
      batch_inbox_address: "0xff" + l2.toString(16).padStart(38, "0"),
      deposit_contract_address: cs.optimismPortalProxyAddress,
      l1_system_config_address: cs.systemConfigProxyAddress,
      protocol_versions_address: state.superchainDeployment?.protocolVersionsProxyAddress ?? ZERO_ADDR,
      chain_op_config: { eip1559Elasticity: chain.eip1559Elasticity, eip1559Denominator: chain.eip1559Denominator, eip1559DenominatorCanyon: chain.eip1559DenominatorCanyon },
    };
  }
  const text = JSON.stringify(doc, null, 2) + "\n";
  if (outfile === "-") process.stdout.write(text);
  else writeFileSync(outfile, text);
  info(`wrote ${what}`, { outfile });
}

/** Runs one op-deployer command. */
export async function runOpDeployer(cli: Cli): Promise<void> {
  const sub = cli.subcommands[0];
  if (sub === "init") return init(cli);
  if (sub === "apply") return apply(cli);
  if (sub === "inspect") return inspect(cli);
  fatal(`the stand-in does not implement op-deployer ${sub}`);
}

