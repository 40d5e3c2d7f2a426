import { z } from "zod";
import { DEFAULT_IMAGES, IMAGE_KEYS, ServiceImage, parseImageRef } from "../images";
import { SEQUENCER_CLIENTS, SequencerClient } from "../naming";
import { MOVING_TAGS, PUBLIC_CHAIN_IDS, unpinnedReason } from "./guards";
import {
  CHAIN_PARAM_DEFAULTS,
  ChainSettings,
  DEFAULT_HARDFORKS,
  HARDFORKS,
  Hardfork,
  HardforkSchedule,
  MAX_L2_GAS_LIMIT,
  MAX_UINT32,
  MIN_L2_GAS_LIMIT,
} from "./chain";

/**
 * The stack configuration contract: every `kupcake:<key>` a stack file may set, its default and
 * its rule. `pulumi up`, `pulumi preview` and the offline plan all validate through `validateConfig`.
 */

/** The Pulumi project name (Pulumi.yaml): stack config keys are `kupcake:<key>`. */
export const PROJECT = "kupcake";

/** Largest supported topology: ports, Raft quorum and the benchmarks are sized for it. */
export const MAX_SEQUENCERS = 9;
export const MAX_L2_NODES = 100;
/** Every published port of node i is `base + PORT_STRIDE * (i - 1)`. */
export const PORT_STRIDE = 100;
/**
 * `kupcake:portOffset` moves every host port by a multiple of this, up to `MAX_PORT_OFFSET`.
 * With the default bases, stacks whose offsets differ never share a host port, whatever their
 * topologies (checked for every pair of offsets up to the largest topology in test/configContract.test.ts):
 * the bases end in 00, 45..48, 60 and 90 and grow by 100 per node, so a shift by 10..90 lands between them.
 */
export const PORT_OFFSET_STEP = 10;
export const MAX_PORT_OFFSET = 90;

export const DEFAULT_PORTS = {
  /** Anvil JSON-RPC (and its beacon endpoints) on the host. */
  l1Rpc: 8545,
  /** op-reth HTTP RPC of sequencer 1; sequencer i uses `+100 * (i - 1)`. */
  sequencerRpc: 9545,
  /** op-reth WebSocket RPC of sequencer 1; +100 per sequencer. */
  sequencerWs: 9546,
  /** kona-node RPC of sequencer 1; +100 per sequencer. */
  sequencerKonaRpc: 7545,
  /** op-conductor RPC of sequencer 1; +100 per sequencer (only with more than one sequencer). */
  conductorRpc: 8547,
  /** Validator k publishes op-reth RPC at `base + 100*(k-1)`, WS at +1 and kona-node RPC at +2. */
  validatorBase: 19545,
  /** op-batcher RPC. */
  batcherRpc: 8548,
  /** op-proposer RPC. */
  proposerRpc: 8560,
  /** Prometheus web UI and API. */
  prometheus: 9090,
  /** Grafana web UI. */
  grafana: 3000,
} as const;
export type PortBases = { [K in keyof typeof DEFAULT_PORTS]: number };

export const DATA_AVAILABILITY = ["calldata", "blobs", "auto"] as const;

const publicIds = Object.entries(PUBLIC_CHAIN_IDS)
  .map(([id, name]) => `${id} (${name})`)
  .join(", ");

/** One entry per top-level key: the user-facing rule and how to fix a violation. */
export const CONFIG_KEYS = {
  network: {
    rule: "lowercase letters, digits and dashes, 1-40 characters, starting with a letter; default `kup-<stack>`",
    fix: "use a name like `kup-dev`",
  },
  l1ChainId: {
    rule: `integer 1..4294967295, not a public chain's id (${publicIds}), different from l2ChainId; default derived from the network name (stable across \`up\`s)`,
    fix: "pick an unused id such as 900",
  },
  l2ChainId: {
    rule: `integer 1..4294967295, not a public chain's id (same list as l1ChainId), different from l1ChainId; default derived from the network name (stable across \`up\`s)`,
    fix: "pick an unused id such as 901",
  },
  blockTime: { rule: "L1 (Anvil) block time in seconds, 1..60, at least l2BlockTime; default 4", fix: "use a whole number of seconds between 1 and 60" },
  l2BlockTime: {
    rule: "L2 block time in seconds, 1..30, at most blockTime; default 2",
    fix: "use a whole number of seconds between 1 and 30, at most kupcake:blockTime",
  },
  l2Nodes: {
    rule: `total L2 nodes (sequencers + validators), 1..${MAX_L2_NODES}; default 5`,
    fix: `use a whole number between 1 and ${MAX_L2_NODES}`,
  },
  sequencerCount: {
    rule: `sequencers, 1..${MAX_SEQUENCERS} and at most l2Nodes; default min(2, l2Nodes) (validators = l2Nodes - sequencerCount)`,
    fix: `use a whole number between 1 and min(l2Nodes, ${MAX_SEQUENCERS})`,
  },
  sequencerClient: {
    rule:
      `consensus client of every sequencer: ${SEQUENCER_CLIENTS.join(" | ")}; default kona-node (validators always run kona-node). ` +
      "op-node is the client upstream tests op-conductor with; kona-node's conductor support is partial up to v1.6.0 (ethereum-optimism/optimism#21906)",
    fix: `use one of ${SEQUENCER_CLIENTS.join(", ")}`,
  },
  images: {
    rule: `object with optional image references for ${IMAGE_KEYS.join(", ")}, each pinned to a release tag or a digest (never untagged or ${MOVING_TAGS.map((t) => `\`${t}\``).join("/")})`,
    fix: "set e.g. `images: { opReth: \"<registry>/<repo>:<release tag>\" }`",
  },
  bindAddress: {
    rule: "IPv4 address the published ports bind to; default 127.0.0.1; an address outside 127.0.0.0/8 needs exposePorts: true",
    fix: "use 127.0.0.1 (default) or another IPv4 address of this host",
  },
  exposePorts: {
    rule: "boolean: allow a bindAddress outside 127.0.0.0/8, i.e. publish the devnet's RPCs (whose dev keys are public) beyond this host; default false",
    fix: "use true or false",
  },
  ports: {
    rule: `object of host port bases (${Object.keys(DEFAULT_PORTS).join(", ")}), each 1024..65535, no two published ports equal`,
    fix: "set e.g. `ports: { grafana: 3300 }`",
  },
  portOffset: {
    rule: `added to every published host port: 0, ${PORT_OFFSET_STEP}, ${2 * PORT_OFFSET_STEP}, ..., ${MAX_PORT_OFFSET}; stacks whose offsets differ never share a port (with the default bases); default 0`,
    fix: `use one of 0, ${PORT_OFFSET_STEP}, ${2 * PORT_OFFSET_STEP}, ..., ${MAX_PORT_OFFSET}, a different one per stack you run side by side`,
  },
  monitoring: { rule: "boolean: deploy Prometheus and Grafana; default true", fix: "use true or false" },
  proposer: { rule: "boolean: deploy op-proposer; default true", fix: "use true or false" },
  challenger: {
    rule: "boolean: deploy op-challenger; default false (it needs challengerPrestatesUrl)",
    fix: "use true or false",
  },
  challengerPrestatesUrl: {
    rule: "http(s) URL serving absolute prestates (`<hash>.json`) for op-challenger `--prestates-url`; required when challenger is true",
    fix: "set it to a prestate server URL reachable from the Docker network",
  },
  dataAvailability: {
    rule: `op-batcher data availability type: ${DATA_AVAILABILITY.join(" | ")}; default calldata`,
    fix: "use calldata (works against Anvil), blobs or auto",
  },
  readinessTimeout: {
    rule: "seconds `pulumi up` waits for the devnet to be live, 30..3600; default 600",
    fix: "use a whole number of seconds between 30 and 3600",
  },
  hardforks: {
    rule:
      `object: when each OP hardfork activates, in seconds after L2 genesis (0 = at genesis), for ${HARDFORKS.join(", ")}; ` +
      "unset forks keep op-deployer v0.7.1's schedule (Regolith through Jovian at genesis, Karst off; Regolith, Canyon and Delta always at genesis); " +
      "forks activate in this order and never two in the same L2 block; karst may be \"off\"",
    fix: "set e.g. `hardforks: { jovian: 60 }` (Jovian activates 60 s after genesis)",
  },
  l2GasLimit: {
    rule: `L2 block gas limit in gas, ${MIN_L2_GAS_LIMIT}..${MAX_L2_GAS_LIMIT} (SystemConfig's minimum and maximum); default ${CHAIN_PARAM_DEFAULTS.l2GasLimit}`,
    fix: `use a gas limit between ${MIN_L2_GAS_LIMIT} and ${MAX_L2_GAS_LIMIT}`,
  },
  eip1559DenominatorCanyon: {
    rule: `EIP-1559 base fee change denominator from Canyon on (Canyon is always at genesis here, so this is the one in effect; the pre-Canyon denominator stays 50), 1..${MAX_UINT32}; default ${CHAIN_PARAM_DEFAULTS.eip1559DenominatorCanyon}`,
    fix: `use a whole number between 1 and ${MAX_UINT32}, e.g. 250`,
  },
  eip1559Elasticity: {
    rule: `EIP-1559 elasticity multiplier (gas target = l2GasLimit / elasticity), 1..${MAX_UINT32} and at most l2GasLimit; default ${CHAIN_PARAM_DEFAULTS.eip1559Elasticity}`,
    fix: `use a whole number between 1 and ${MAX_UINT32}, e.g. 6`,
  },
  sequencerWindowSize: {
    rule: `sequencing window in L1 blocks: batches for an L2 block must land on L1 within this many blocks of its L1 origin, else the chain reorgs to deposits only; at least 2; default ${CHAIN_PARAM_DEFAULTS.sequencerWindowSize}`,
    fix: "use a whole number of L1 blocks, at least 2",
  },
  channelTimeout: {
    rule: `channel timeout in L1 blocks before Granite (from Granite on the protocol fixes it at 50), at least 1; default ${CHAIN_PARAM_DEFAULTS.channelTimeout}`,
    fix: "use a whole number of L1 blocks, at least 1",
  },
  proofMaturityDelaySeconds: {
    rule: `seconds a proven withdrawal waits before it can be finalized (OptimismPortal2), at least 1; default ${CHAIN_PARAM_DEFAULTS.proofMaturityDelaySeconds} (op-deployer's standard value is 604800, 7 days)`,
    fix: "use a whole number of seconds, at least 1",
  },
  disputeGameFinalityDelaySeconds: {
    rule: `seconds a resolved dispute game waits before withdrawals can use it (AnchorStateRegistry), at least 1; default ${CHAIN_PARAM_DEFAULTS.disputeGameFinalityDelaySeconds} (standard: 302400, 3.5 days)`,
    fix: "use a whole number of seconds, at least 1",
  },
  faultGameClockExtension: {
    rule: `dispute game clock extension in seconds, at least 1; default ${CHAIN_PARAM_DEFAULTS.faultGameClockExtension} (standard: 10800)`,
    fix: "use a whole number of seconds, at least 1",
  },
  faultGameMaxClockDuration: {
    rule: `dispute game max clock duration in seconds: an unchallenged proposal's game resolves this long after it was created; at least max(2 × faultGameClockExtension, faultGameClockExtension + preimageOracleChallengePeriod); default ${CHAIN_PARAM_DEFAULTS.faultGameMaxClockDuration} (standard: 302400)`,
    fix: "use a whole number of seconds, at least max(2 × faultGameClockExtension, faultGameClockExtension + preimageOracleChallengePeriod)",
  },
  preimageOracleChallengePeriod: {
    rule: `PreimageOracle large-preimage challenge period in seconds, at least 1; default ${CHAIN_PARAM_DEFAULTS.preimageOracleChallengePeriod} (standard: 86400)`,
    fix: "use a whole number of seconds, at least 1",
  },
} as const;
export type ConfigKey = keyof typeof CONFIG_KEYS;

/** Rule and fix for a key inside an object-valued key (`images.<service>`, `ports.<base>`). */
export const NESTED_KEYS = {
  images: {
    rule: "an image reference pinned to a release tag or a sha256 digest",
    fix:
      "use a released version tag (e.g. `...:v1.16.3`) or a digest (`...@sha256:<64 hex digits>`); " +
      `a moving tag (${MOVING_TAGS.join(", ")}) or no tag lets the image change under a running devnet`,
  },
  ports: {
    rule: "a host port base, 1024..65535",
    fix: "use a port between 1024 and 65535 (ports below 1024 need root)",
  },
  hardforks: {
    rule: "seconds after L2 genesis, 0 (at genesis) or more; \"off\" only for karst",
    fix: "use a whole number of seconds (0 = active at genesis)",
  },
} as const;

const port = z.int().min(1024).max(65535);
const imageRef = z.string().superRefine((ref, ctx) => {
  if (parseImageRef(ref) === undefined) ctx.addIssue({ code: "custom", message: "is not a valid image reference" });
  else {
    const why = unpinnedReason(ref);
    if (why) ctx.addIssue({ code: "custom", message: `is not pinned: it ${why}` });
  }
});
const ipv4 = z.string().regex(/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/, {
  message: "is not an IPv4 address",
});
const chainId = z
  .int()
  .min(1)
  .max(4294967295)
  .superRefine((id, ctx) => {
    const name = PUBLIC_CHAIN_IDS[id];
    if (name) ctx.addIssue({ code: "custom", message: `is ${name}'s chain id: the OP tooling would look it up in its registry, and wallets would take the devnet for ${name}` });
  });

/** Seconds after L2 genesis, or "off"; upstream stores offsets as uint64 (safe integers here). */
const forkActivation = z.union([z.int().min(0).max(Number.MAX_SAFE_INTEGER), z.literal("off")], { error: "must be a whole number of seconds (0 = at genesis) or \"off\"" });
/** A positive number of seconds or L1 blocks (uint64 upstream; safe integers here). */
const positive = z.int().min(1).max(Number.MAX_SAFE_INTEGER);
const uint32 = z.int().min(1).max(MAX_UINT32);

/** Raw input as it comes from the stack file: every key optional. */
export const ConfigInputSchema = z
  .object({
    network: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, { message: "is not a valid network name" }),
    l1ChainId: chainId,
    l2ChainId: chainId,
    blockTime: z.int().min(1).max(60),
    l2BlockTime: z.int().min(1).max(30),
    l2Nodes: z.int().min(1).max(MAX_L2_NODES),
    sequencerCount: z.int().min(1).max(MAX_SEQUENCERS),
    sequencerClient: z.enum(SEQUENCER_CLIENTS),
    images: z.strictObject(Object.fromEntries(IMAGE_KEYS.map((k) => [k, imageRef.optional()])) as Record<ServiceImage, z.ZodOptional<typeof imageRef>>),
    bindAddress: ipv4,
    exposePorts: z.boolean(),
    ports: z.strictObject(
      Object.fromEntries(Object.keys(DEFAULT_PORTS).map((k) => [k, port.optional()])) as Record<keyof PortBases, z.ZodOptional<typeof port>>,
    ),
    portOffset: z.int().min(0).max(MAX_PORT_OFFSET).multipleOf(PORT_OFFSET_STEP),
    monitoring: z.boolean(),
    proposer: z.boolean(),
    challenger: z.boolean(),
    challengerPrestatesUrl: z.string().regex(/^https?:\/\/\S+$/, { message: "is not an http(s) URL" }),
    dataAvailability: z.enum(DATA_AVAILABILITY),
    readinessTimeout: z.int().min(30).max(3600),
    hardforks: z.strictObject(Object.fromEntries(HARDFORKS.map((f) => [f, forkActivation.optional()])) as Record<Hardfork, z.ZodOptional<typeof forkActivation>>),
    l2GasLimit: z.int().min(MIN_L2_GAS_LIMIT).max(MAX_L2_GAS_LIMIT),
    eip1559DenominatorCanyon: uint32,
    eip1559Elasticity: uint32,
    sequencerWindowSize: z.int().min(2).max(Number.MAX_SAFE_INTEGER),
    channelTimeout: positive,
    proofMaturityDelaySeconds: positive,
    disputeGameFinalityDelaySeconds: positive,
    faultGameClockExtension: positive,
    faultGameMaxClockDuration: positive,
    preimageOracleChallengePeriod: positive,
  })
  .partial()
  .strict();
export type ConfigInput = z.infer<typeof ConfigInputSchema>;

/** The resolved configuration every component reads. */
export interface DevnetConfig {
  /** Pulumi stack name. */
  stack: string;
  /** Prefix of every container, volume and network name. */
  network: string;
  l1ChainId: number;
  l2ChainId: number;
  /** L1 block time (seconds). */
  blockTime: number;
  /** L2 block time (seconds). */
  l2BlockTime: number;
  l2Nodes: number;
  sequencerCount: number;
  /** Derived: `l2Nodes - sequencerCount`. */
  validatorCount: number;
  /** Consensus client of the sequencers (validators always run kona-node). */
  sequencerClient: SequencerClient;
  images: Record<ServiceImage, string>;
  bindAddress: string;
  /** Whether a non-loopback `bindAddress` was explicitly allowed. */
  exposePorts: boolean;
  /** Host port bases in effect: `kupcake:ports` over the defaults, each plus `portOffset`. */
  ports: PortBases;
  /** Added to every host port base (already included in `ports`). */
  portOffset: number;
  monitoring: boolean;
  proposer: boolean;
  challenger: boolean;
  challengerPrestatesUrl?: string;
  dataAvailability: (typeof DATA_AVAILABILITY)[number];
  readinessTimeout: number;
  /** When each OP hardfork activates: seconds after L2 genesis (0 = at genesis) or "off". */
  hardforks: HardforkSchedule;
  /** L2 block gas limit, gas. */
  l2GasLimit: number;
  /** EIP-1559 denominator from Canyon on. */
  eip1559DenominatorCanyon: number;
  /** EIP-1559 elasticity multiplier. */
  eip1559Elasticity: number;
  /** Sequencing window, L1 blocks. */
  sequencerWindowSize: number;
  /** Channel timeout before Granite, L1 blocks. */
  channelTimeout: number;
  /** Seconds between proving and finalizing a withdrawal (OptimismPortal2). */
  proofMaturityDelaySeconds: number;
  /** Seconds between a dispute game's resolution and its use for withdrawals (AnchorStateRegistry). */
  disputeGameFinalityDelaySeconds: number;
  /** Dispute game clock extension, seconds. */
  faultGameClockExtension: number;
  /** Dispute game max clock duration, seconds. */
  faultGameMaxClockDuration: number;
  /** PreimageOracle challenge period, seconds. */
  preimageOracleChallengePeriod: number;
}

/** The chain parameters of a resolved config, as the intent builder (components/builders/opDeployer.ts) takes them. */
export function chainSettings(cfg: DevnetConfig): ChainSettings {
  return {
    hardforks: { ...cfg.hardforks },
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

/** FNV-1a, so default chain ids follow the network name and never change between runs. */
function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of Buffer.from(text, "utf8")) {
    h ^= ch;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Default chain ids: 5-digit numbers derived from the network name, never equal to each other
 * and never a public chain's id (a name that hashes onto one moves to the next free number).
 */
export function defaultChainIds(network: string): { l1ChainId: number; l2ChainId: number } {
  const next = (id: number) => 10000 + ((id - 10000 + 1) % 90000);
  const free = (id: number, taken?: number) => {
    while (PUBLIC_CHAIN_IDS[id] !== undefined || id === taken) id = next(id);
    return id;
  };
  const l1ChainId = free(10000 + (stableHash(`${network}/l1`) % 90000));
  const l2ChainId = free(10000 + (stableHash(`${network}/l2`) % 90000), l1ChainId);
  return { l1ChainId, l2ChainId };
}

/** Applies defaults to validated input. Cross-field rules are checked by `validateConfig`. */
export function resolveConfig(stack: string, input: ConfigInput): DevnetConfig {
  const network = input.network ?? `kup-${stack.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`.slice(0, 40);
  const ids = defaultChainIds(network);
  const l2Nodes = input.l2Nodes ?? 5;
  const sequencerCount = input.sequencerCount ?? Math.min(2, l2Nodes);
  const portOffset = input.portOffset ?? 0;
  return {
    stack,
    network,
    l1ChainId: input.l1ChainId ?? ids.l1ChainId,
    l2ChainId: input.l2ChainId ?? ids.l2ChainId,
    blockTime: input.blockTime ?? 4,
    l2BlockTime: input.l2BlockTime ?? 2,
    l2Nodes,
    sequencerCount,
    validatorCount: l2Nodes - sequencerCount,
    sequencerClient: input.sequencerClient ?? "kona-node",
    images: { ...DEFAULT_IMAGES, ...stripUndefined(input.images ?? {}) },
    bindAddress: input.bindAddress ?? "127.0.0.1",
    exposePorts: input.exposePorts ?? false,
    ports: shiftPorts({ ...DEFAULT_PORTS, ...stripUndefined(input.ports ?? {}) }, portOffset),
    portOffset,
    monitoring: input.monitoring ?? true,
    proposer: input.proposer ?? true,
    challenger: input.challenger ?? false,
    challengerPrestatesUrl: input.challengerPrestatesUrl,
    dataAvailability: input.dataAvailability ?? "calldata",
    readinessTimeout: input.readinessTimeout ?? 600,
    hardforks: { ...DEFAULT_HARDFORKS, ...stripUndefined(input.hardforks ?? {}) },
    l2GasLimit: input.l2GasLimit ?? CHAIN_PARAM_DEFAULTS.l2GasLimit,
    eip1559DenominatorCanyon: input.eip1559DenominatorCanyon ?? CHAIN_PARAM_DEFAULTS.eip1559DenominatorCanyon,
    eip1559Elasticity: input.eip1559Elasticity ?? CHAIN_PARAM_DEFAULTS.eip1559Elasticity,
    sequencerWindowSize: input.sequencerWindowSize ?? CHAIN_PARAM_DEFAULTS.sequencerWindowSize,
    channelTimeout: input.channelTimeout ?? CHAIN_PARAM_DEFAULTS.channelTimeout,
    proofMaturityDelaySeconds: input.proofMaturityDelaySeconds ?? CHAIN_PARAM_DEFAULTS.proofMaturityDelaySeconds,
    disputeGameFinalityDelaySeconds: input.disputeGameFinalityDelaySeconds ?? CHAIN_PARAM_DEFAULTS.disputeGameFinalityDelaySeconds,
    faultGameClockExtension: input.faultGameClockExtension ?? CHAIN_PARAM_DEFAULTS.faultGameClockExtension,
    faultGameMaxClockDuration: input.faultGameMaxClockDuration ?? CHAIN_PARAM_DEFAULTS.faultGameMaxClockDuration,
    preimageOracleChallengePeriod: input.preimageOracleChallengePeriod ?? CHAIN_PARAM_DEFAULTS.preimageOracleChallengePeriod,
  };
}

/**
 * The port bases in effect: each base plus the stack's `portOffset`. Applied once, here, so every
 * consumer of `cfg.ports` (components/ports.ts, stack outputs, ops/) publishes and dials the same ports.
 */
export function shiftPorts(bases: PortBases, portOffset: number): PortBases {
  return Object.fromEntries(Object.entries(bases).map(([k, v]) => [k, v + portOffset])) as PortBases;
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
