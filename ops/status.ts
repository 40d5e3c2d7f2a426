import { rpcCall } from "../components/dynamic/rpc";
import { DevnetEndpoints, NodeEndpoint } from "./endpoints";

/** A node's health as `npm run status` shows it. */
export interface NodeStatus {
  container: string;
  role: "sequencer" | "validator";
  index: number;
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
}

export interface DevnetStatus {
  network: string;
  nodes: NodeStatus[];
  /** Why the devnet is unhealthy; empty when healthy. */
  problems: string[];
}

/** A node further behind the head than this many blocks counts as out of sync. */
export const MAX_LAG = 10;

interface SyncStatus {
  unsafe_l2: { number: number };
  safe_l2: { number: number };
  finalized_l2: { number: number };
}

async function nodeStatus(n: NodeEndpoint): Promise<NodeStatus> {
  const s: NodeStatus = { container: n.konaNode, role: n.role, index: n.index };
  try {
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

/** Reads every node's view of the chain and judges the devnet. */
export async function collectStatus(e: DevnetEndpoints): Promise<DevnetStatus> {
  const nodes = await Promise.all([...e.sequencers, ...e.validators].map(nodeStatus));
  const problems: string[] = [];
  const head = Math.max(0, ...nodes.map((n) => n.unsafe ?? 0));
  for (const n of nodes) {
    if (n.error) {
      problems.push(`${n.container} does not answer: ${n.error}`);
      continue;
    }
    n.lag = head - (n.unsafe ?? 0);
    if (n.lag > MAX_LAG) problems.push(`${n.container} is ${n.lag} blocks behind the head (${head})`);
  }
  const sequencers = nodes.filter((n) => n.role === "sequencer" && !n.error);
  const active = sequencers.filter((n) => n.active);
  if (active.length !== 1) problems.push(`${active.length} sequencers are active (expected exactly 1: ${active.map((n) => n.container).join(", ") || "none"})`);
  if (e.sequencers.some((s) => s.conductorRpc)) {
    const leaders = sequencers.filter((n) => n.leader);
    if (leaders.length !== 1) problems.push(`${leaders.length} conductors report leadership (expected exactly 1)`);
    for (const l of leaders) if (l.healthy === false) problems.push(`the leader's conductor (sequencer ${l.index}) reports its sequencer unhealthy`);
    for (const l of leaders) if (!l.active) problems.push(`the leader (sequencer ${l.index}) is not sequencing`);
  }
  return { network: e.network, nodes, problems };
}

const show = (v: number | boolean | undefined) => (v === undefined ? "-" : v === true ? "yes" : v === false ? "no" : String(v));

export function statusTable(s: DevnetStatus): string {
  const rows = [["NODE", "ROLE", "UNSAFE", "SAFE", "FINALIZED", "PEERS", "LAG", "ACTIVE", "LEADER", "HEALTHY"]];
  for (const n of s.nodes) {
    rows.push([n.container, `${n.role} ${n.index}`, ...(n.error ? ["unreachable", "", "", "", "", "", "", ""] : [show(n.unsafe), show(n.safe), show(n.finalized), show(n.peers), show(n.lag), show(n.active), show(n.leader), show(n.healthy)])]);
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const table = rows.map((r) => r.map((c, i) => c.padEnd(w[i])).join("  ").trimEnd()).join("\n");
  return `${table}\n\n${s.problems.length ? `UNHEALTHY:\n${s.problems.map((p) => `  - ${p}`).join("\n")}` : `healthy: ${s.network}`}`;
}
