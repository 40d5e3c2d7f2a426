import { ROLES } from "../components/accounts";
import { hexToNumber, rpcCall, sleep } from "../components/dynamic/rpc";
import { DevnetEndpoints, NodeEndpoint } from "./endpoints";

/** A node's health as `npm run status` shows it. */
export interface NodeStatus {
  container: string;
  role: "sequencer" | "validator";
  index: number;
  /** Chain id its op-reth reports. */
  chainId?: number;
  unsafe?: number;
  safe?: number;
  finalized?: number;
  peers?: number;
  /** Blocks behind the highest unsafe head of the devnet. */
  lag?: number;
  /** Sequencers: producing blocks now. */
  active?: boolean;
  /** Sequencers with conductors: Raft leader / conductor's health view. */
  leader?: boolean;
  healthy?: boolean;
  error?: string;
  /** Set when the node's ports answer for another chain: not this stack's node, nothing of it is shown. */
  foreign?: boolean;
}

/** The L1 as the stack's published L1 RPC shows it. */
export interface L1Status {
  rpc: string;
  chainId?: number;
  block?: number;
  /** Blocks mined during the sampling window. */
  advanced?: number;
  error?: string;
}

/** op-batcher's progress: the L2 safe head (what the batcher's posts let nodes derive) and its L1 transactions. */
export interface BatcherStatus {
  /** Highest safe head among the nodes, and the highest unsafe head. */
  safe?: number;
  unsafe?: number;
  /** How far the safe head moved during the window. */
  safeMoved?: number;
  /** Transactions the batcher key has sent on L1 (its nonce), and how many during the window. */
  l1Txs?: number;
  l1TxsDuringWindow?: number;
}

/** The latest dispute game of the DisputeGameFactory (the proposer's output roots). */
export interface GameStatus {
  count: number;
  index: number;
  gameType: number;
  /** Creation time (unix seconds) and age at the time of the status. */
  createdAt: number;
  ageSeconds: number;
  proxy: string;
  l2Block?: number;
  rootClaim?: string;
}

/** op-proposer's progress: its L1 transactions and the latest game it created. */
export interface ProposerStatus {
  /** Transactions the proposer key has sent on L1 (its nonce): one per proposal. */
  l1Txs?: number;
  l1TxsDuringWindow?: number;
  latestGame?: GameStatus;
  /** Why the latest game is not shown. */
  gameNote?: string;
}

export interface DevnetStatus {
  network: string;
  /** Length of the sampling window between the two readings (0: one snapshot, progress not judged). */
  windowMs: number;
  l1: L1Status;
  nodes: NodeStatus[];
  batcher: BatcherStatus;
  /** Absent when the stack runs no proposer. */
  proposer?: ProposerStatus;
  /** Why the devnet is unhealthy; empty when healthy. */
  problems: string[];
  /** Worth knowing, not unhealthy. */
  warnings: string[];
}

/** A node further behind the head than this many blocks counts as out of sync. */
export const MAX_LAG = 10;
/** A safe head further behind the unsafe head than this (in seconds of L2 blocks) that does not move means the batcher is stuck. */
export const MAX_SAFE_LAG_SECONDS = 120;
/** A latest dispute game older than this is worth a warning (the proposer proposes every 60 s). */
export const PROPOSER_STALE_SECONDS = 600;

/** Function selectors (keccak-256 of the signature, first 4 bytes; checked in test/status.test.ts). */
export const SELECTORS = {
  gameCount: "0x4d1975b4", // gameCount()
  gameAtIndex: "0xbb8aa1fc", // gameAtIndex(uint256)
  l2BlockNumber: "0x8b85902b", // l2BlockNumber()
  rootClaim: "0xbcef3b55", // rootClaim()
} as const;

interface SyncStatus {
  unsafe_l2: { number: number };
  safe_l2: { number: number };
  finalized_l2: { number: number };
}

export interface StatusOptions {
  /** Time between the two readings; 0 takes one snapshot and judges no progress. */
  windowMs?: number;
  /** Unix time in seconds (tests). */
  nowSeconds?: () => number;
}

async function nodeStatus(n: NodeEndpoint, l2ChainId: number | undefined): Promise<NodeStatus> {
  const s: NodeStatus = { container: n.konaNode, role: n.role, index: n.index };
  try {
    s.chainId = hexToNumber(await rpcCall<string>(n.rpc, "eth_chainId"));
    if (l2ChainId !== undefined && s.chainId !== l2ChainId) {
      s.foreign = true;
      s.error = `its op-reth port ${n.rpc} answers for chain ${s.chainId}, not this stack's chain ${l2ChainId}: another devnet holds the port`;
      return s;
    }
    const sync = await rpcCall<SyncStatus>(n.kona, "optimism_syncStatus");
    s.unsafe = sync.unsafe_l2.number;
    s.safe = sync.safe_l2.number;
    s.finalized = sync.finalized_l2.number;
    s.peers = await rpcCall<{ connected: number }>(n.kona, "opp2p_peerStats").then((p) => p.connected, () => undefined);
    if (n.role === "sequencer") s.active = await rpcCall<boolean>(n.kona, "admin_sequencerActive");
    if (n.conductorRpc) {
      s.leader = await rpcCall<boolean>(n.conductorRpc, "conductor_leader");
      s.healthy = await rpcCall<boolean>(n.conductorRpc, "conductor_sequencerHealthy");
    }
  } catch (e) {
    s.error = (e as Error).message;
  }
  return s;
}

const nonce = (l1Rpc: string, address: string) => rpcCall<string>(l1Rpc, "eth_getTransactionCount", [address, "latest"]).then(hexToNumber);
const word = (data: string, i: number) => data.slice(2 + 64 * i, 2 + 64 * (i + 1));

/** The latest game of the DisputeGameFactory at `factory`, read over `eth_call`. */
export async function latestGame(l1Rpc: string, factory: string, nowSeconds: number): Promise<GameStatus | string> {
  const call = (to: string, data: string) => rpcCall<string>(l1Rpc, "eth_call", [{ to, data }, "latest"]);
  const countData = await call(factory, SELECTORS.gameCount);
  if (!/^0x[0-9a-fA-F]{64,}$/.test(countData)) return `the DisputeGameFactory at ${factory} returned ${JSON.stringify(countData)} for gameCount()`;
  const count = Number(BigInt("0x" + word(countData, 0)));
  if (count === 0) return "no dispute game yet (the proposer proposes every 60 s once the safe head moves)";
  const index = count - 1;
  const at = await call(factory, SELECTORS.gameAtIndex + index.toString(16).padStart(64, "0"));
  if (!/^0x[0-9a-fA-F]{192,}$/.test(at)) return `the DisputeGameFactory at ${factory} returned ${JSON.stringify(at)} for gameAtIndex(${index})`;
  const proxy = "0x" + word(at, 2).slice(24);
  const createdAt = Number(BigInt("0x" + word(at, 1)));
  const game: GameStatus = { count, index, gameType: Number(BigInt("0x" + word(at, 0))), createdAt, ageSeconds: Math.max(0, Math.round(nowSeconds - createdAt)), proxy };
  const l2Block = await call(proxy, SELECTORS.l2BlockNumber).catch(() => "");
  if (/^0x[0-9a-fA-F]{64}/.test(l2Block)) game.l2Block = Number(BigInt("0x" + word(l2Block, 0)));
  const root = await call(proxy, SELECTORS.rootClaim).catch(() => "");
  if (/^0x[0-9a-fA-F]{64}/.test(root)) game.rootClaim = "0x" + word(root, 0);
  return game;
}

/** One reading of everything that moves. */
interface Reading {
  l1: L1Status;
  nodes: NodeStatus[];
  batcherTxs?: number;
  proposerTxs?: number;
}

async function read(e: DevnetEndpoints): Promise<Reading> {
  const l1: L1Status = { rpc: e.l1Rpc };
  const l1Read = (async () => {
    try {
      l1.chainId = hexToNumber(await rpcCall<string>(e.l1Rpc, "eth_chainId"));
      if (e.l1ChainId !== undefined && l1.chainId !== e.l1ChainId) return;
      l1.block = hexToNumber(await rpcCall<string>(e.l1Rpc, "eth_blockNumber"));
    } catch (err) {
      l1.error = (err as Error).message;
    }
  })();
  const nodes = Promise.all([...e.sequencers, ...e.validators].map((n) => nodeStatus(n, e.l2ChainId)));
  await l1Read;
  const ok = l1.block !== undefined;
  const [batcherTxs, proposerTxs] = await Promise.all([
    ok ? nonce(e.l1Rpc, ROLES.batcher.address).catch(() => undefined) : undefined,
    ok && e.proposerRpc !== undefined ? nonce(e.l1Rpc, ROLES.proposer.address).catch(() => undefined) : undefined,
  ]);
  return { l1, nodes: await nodes, batcherTxs, proposerTxs };
}

const maxOf = (xs: (number | undefined)[]) => {
  const v = xs.filter((x): x is number => x !== undefined);
  return v.length ? Math.max(...v) : undefined;
};

/**
 * Reads the devnet twice, `windowMs` apart, and judges it: the L1 answers with the stack's chain id
 * and mines; every node answers with the stack's L2 chain id and follows the head; exactly one
 * sequencer is active (and, with conductors, leads); the batcher moves the safe head; the proposer's
 * latest dispute game. Nodes on the stack's ports that belong to another chain are never reported
 * under this stack's names.
 */
export async function collectStatus(e: DevnetEndpoints, o: StatusOptions = {}): Promise<DevnetStatus> {
  const windowMs = o.windowMs ?? 0;
  const first = await read(e);
  let last = first;
  if (windowMs > 0) {
    await sleep(windowMs);
    last = await read(e);
  }
  const problems: string[] = [];
  const warnings: string[] = [];
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

  // L1
  const l1: L1Status = { ...last.l1 };
  if (l1.error) problems.push(`the L1 at ${e.l1Rpc} does not answer: ${l1.error}`);
  else if (e.l1ChainId !== undefined && l1.chainId !== e.l1ChainId) {
    problems.push(`the L1 port ${e.l1Rpc} answers for chain ${l1.chainId}, not this stack's L1 chain ${e.l1ChainId}: another devnet holds the port`);
  } else if (windowMs > 0 && first.l1.block !== undefined && l1.block !== undefined) {
    l1.advanced = l1.block - first.l1.block;
    const enough = e.blockTime === undefined || windowMs >= e.blockTime * 1000;
    if (l1.advanced <= 0 && enough) problems.push(`the L1 does not mine: block ${l1.block} for ${secs(windowMs)} (block time ${e.blockTime ?? "?"}s)`);
  }

  // L2 nodes
  const nodes = last.nodes;
  const live = nodes.filter((n) => !n.error);
  const head = Math.max(0, ...live.map((n) => n.unsafe ?? 0));
  for (const n of nodes) {
    if (n.foreign) {
      problems.push(`${n.container}: ${n.error}; its heads are not shown`);
      continue;
    }
    if (n.error) {
      problems.push(`${n.container} does not answer: ${n.error}`);
      continue;
    }
    n.lag = head - (n.unsafe ?? 0);
    if (n.lag > MAX_LAG) problems.push(`${n.container} is ${n.lag} blocks behind the head (${head})`);
  }
  const sequencers = live.filter((n) => n.role === "sequencer");
  const active = sequencers.filter((n) => n.active);
  if (active.length !== 1) problems.push(`${active.length} sequencers are active (expected exactly 1: ${active.map((n) => n.container).join(", ") || "none"})`);
  if (e.sequencers.some((s) => s.conductorRpc)) {
    const leaders = sequencers.filter((n) => n.leader);
    if (leaders.length !== 1) problems.push(`${leaders.length} conductors report leadership (expected exactly 1)`);
    for (const l of leaders) if (l.healthy === false) problems.push(`the leader's conductor (sequencer ${l.index}) reports its sequencer unhealthy`);
    for (const l of leaders) if (!l.active) problems.push(`the leader (sequencer ${l.index}) is not sequencing`);
  }

  // Batcher: the safe head follows the unsafe head.
  const batcher: BatcherStatus = { safe: maxOf(live.map((n) => n.safe)), unsafe: live.length ? head : undefined, l1Txs: last.batcherTxs };
  const firstSafe = maxOf(first.nodes.filter((n) => !n.error).map((n) => n.safe));
  if (windowMs > 0 && batcher.safe !== undefined && firstSafe !== undefined) batcher.safeMoved = batcher.safe - firstSafe;
  if (windowMs > 0 && last.batcherTxs !== undefined && first.batcherTxs !== undefined) batcher.l1TxsDuringWindow = last.batcherTxs - first.batcherTxs;
  if (batcher.safe !== undefined && batcher.unsafe !== undefined) {
    const lagBlocks = batcher.unsafe - batcher.safe;
    const limit = Math.ceil(MAX_SAFE_LAG_SECONDS / (e.l2BlockTime ?? 2));
    if (lagBlocks > limit && !(batcher.safeMoved !== undefined && batcher.safeMoved > 0)) {
      problems.push(
        `the batcher makes no progress: the safe head ${batcher.safe} is ${lagBlocks} blocks behind the unsafe head ${batcher.unsafe}` +
          (windowMs > 0 ? ` and did not move in ${secs(windowMs)}` : "") +
          `; see docker logs ${e.network}-op-batcher`,
      );
    }
  }

  // Proposer: its L1 transactions and the latest dispute game.
  let proposer: ProposerStatus | undefined;
  if (e.proposerRpc !== undefined) {
    proposer = { l1Txs: last.proposerTxs };
    if (windowMs > 0 && last.proposerTxs !== undefined && first.proposerTxs !== undefined) proposer.l1TxsDuringWindow = last.proposerTxs - first.proposerTxs;
    const factory = e.contracts?.DisputeGameFactoryProxy;
    if (!factory) proposer.gameNote = "latest game unknown: no DisputeGameFactory address (the stack outputs are not readable here)";
    else if (l1.block === undefined) proposer.gameNote = "latest game unknown: the L1 does not answer";
    else {
      const g = await latestGame(e.l1Rpc, factory, (o.nowSeconds ?? (() => Date.now() / 1000))()).catch((err: Error) => `latest game unreadable: ${err.message}`);
      if (typeof g === "string") proposer.gameNote = g;
      else {
        proposer.latestGame = g;
        if (g.ageSeconds > PROPOSER_STALE_SECONDS) warnings.push(`the proposer's latest dispute game is ${g.ageSeconds}s old (it proposes every 60 s); see docker logs ${e.network}-op-proposer`);
      }
    }
  }
  return { network: e.network, windowMs, l1, nodes, batcher, ...(proposer ? { proposer } : {}), problems, warnings };
}

const show = (v: number | boolean | undefined) => (v === undefined ? "-" : v === true ? "yes" : v === false ? "no" : String(v));
const moved = (v: number | undefined, windowMs: number) => (v === undefined ? "" : ` (${v >= 0 ? "+" : ""}${v} in ${(windowMs / 1000).toFixed(1)}s)`);

export function statusTable(s: DevnetStatus): string {
  const rows = [["NODE", "ROLE", "CHAIN", "UNSAFE", "SAFE", "FINALIZED", "PEERS", "LAG", "ACTIVE", "LEADER", "HEALTHY"]];
  for (const n of s.nodes) {
    const cells = n.foreign
      ? [show(n.chainId), "foreign", "", "", "", "", "", "", ""]
      : n.error
        ? [show(n.chainId), "unreachable", "", "", "", "", "", "", ""]
        : [show(n.chainId), show(n.unsafe), show(n.safe), show(n.finalized), show(n.peers), show(n.lag), show(n.active), show(n.leader), show(n.healthy)];
    rows.push([n.container, `${n.role} ${n.index}`, ...cells]);
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const table = rows.map((r) => r.map((c, i) => c.padEnd(w[i])).join("  ").trimEnd()).join("\n");
  const lines = [table, ""];
  const l1 = s.l1;
  lines.push(`L1        ${l1.error ? `unreachable (${l1.rpc})` : `chain ${show(l1.chainId)}, block ${show(l1.block)}${moved(l1.advanced, s.windowMs)} (${l1.rpc})`}`);
  const b = s.batcher;
  lines.push(
    `batcher   safe head ${show(b.safe)}${moved(b.safeMoved, s.windowMs)}` +
      (b.safe !== undefined && b.unsafe !== undefined ? `, ${b.unsafe - b.safe} blocks behind the unsafe head` : "") +
      `; ${show(b.l1Txs)} L1 transactions${moved(b.l1TxsDuringWindow, s.windowMs)}`,
  );
  if (s.proposer) {
    const p = s.proposer;
    const g = p.latestGame;
    lines.push(
      `proposer  ${show(p.l1Txs)} L1 transactions${moved(p.l1TxsDuringWindow, s.windowMs)}; ` +
        (g ? `latest game #${g.index} (type ${g.gameType}): L2 block ${show(g.l2Block)}, output root ${g.rootClaim ?? "-"}, ${g.ageSeconds}s old` : (p.gameNote ?? "latest game unknown")),
    );
  }
  lines.push("");
  if (s.warnings.length) lines.push(`warnings:\n${s.warnings.map((p) => `  - ${p}`).join("\n")}`, "");
  lines.push(s.problems.length ? `UNHEALTHY:\n${s.problems.map((p) => `  - ${p}`).join("\n")}` : `healthy: ${s.network}`);
  return lines.join("\n");
}
