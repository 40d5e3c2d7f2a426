import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { keccak256, parseTransaction, recoverTransactionAddress, TransactionSerialized } from "viem";

/**
 * A JSON-RPC double of a running devnet, implementing the documented upstream semantics the
 * cluster formation, readiness, drill and status code rely on (docs: opstack-upstream.md §1):
 *
 * - op-conductor: one Raft cluster; a bootstrapped conductor is the leader of a one-voter
 *   cluster and pauses itself; membership changes only on the leader (`conductor_addServerAsVoter`
 *   refuses on followers and when the new member's Raft port does not answer); a paused conductor
 *   does nothing; a resumed one runs the control loop (leader + healthy + stopped -> start its
 *   sequencer; follower + active -> stop it); when the leader's sequencer dies, another healthy
 *   voter is elected if a majority of voters is up.
 * - kona-node admin API: `admin_startSequencer` takes no parameters and is idempotent,
 *   `admin_stopSequencer` returns the head hash, `optimism_syncStatus` has unsafe/safe heads.
 * - op-reth / Anvil: `eth_chainId`, `eth_blockNumber`, `eth_getBlockByNumber` (number or
 *   `latest`, with `baseFeePerGas`), and the transaction path of op-reth (evidence in
 *   components/builders/opReth.ts): `eth_sendRawTransaction` puts a signed transaction into that
 *   node's pool (validators and non-sequencing sequencers alike); every tick, pools gossip to every
 *   running node (the devp2p graph: validators dial every sequencer slot); the active sequencer
 *   includes the transactions of its own pool in the block it seals; `eth_getTransactionReceipt`
 *   answers once the block is in that node's chain; `eth_getTransactionCount(…, "pending")` counts
 *   pooled ones. A stopped node loses its pool (reth keeps it in memory).
 *   `txGossip: false` models the old design instead: validators forward to sequencer 1
 *   (`--rollup.sequencer-http`) and fail when it is down.
 *
 * Endpoints: `/l1`, `/reth/<i>`, `/kona/<i>`, `/conductor/<i>`, `/validator/<k>` (op-reth of
 * validator k) on one loopback HTTP server. Time advances in ticks (every `tickMs`): the active,
 * reachable sequencer seals one block per tick.
 */

interface Sequencer {
  index: number;
  /** Wedged leader: neither catches up nor sequences. */
  wedged?: boolean;
  /** Whether its containers run (false after `stopNode`). */
  up: boolean;
  active: boolean;
  unsafe: number;
  safe: number;
}

interface Conductor {
  index: number;
  id: string;
  addr: string;
  up: boolean;
  paused: boolean;
  /** Knows the cluster (bootstrapped or added). */
  member: boolean;
}

export interface DoubleOptions {
  sequencers: number;
  /** Whether conductors exist (more than one sequencer). */
  conductors: boolean;
  l1ChainId?: number;
  tickMs?: number;
  /** Ticks between losing a leader and electing the next one. */
  electionTicks?: number;
  /** Whether the batcher posts: the safe head follows the unsafe head. */
  batcher?: boolean;
  /** Conductors that start with a Raft port that does not answer yet (addServerAsVoter fails). */
  lateRaftPorts?: number[];
  /**
   * The known upstream wedge (optimism#22094/#22143): a newly elected leader lags the Raft head and
   * never starts sequencing. `"hand-on"`: after `electionTicks` ticks it hands leadership to the
   * next voter by index (what `--raft.round-robin-leader-transfer` does once the lagging leader
   * turns unhealthy), which is not wedged; the lagging node then follows again.
   */
  wedgeNewLeader?: boolean | "hand-on";
  /** Whether a restarted node comes back and follows (false: it never rejoins). */
  rejoin?: boolean;
  /** Validators (op-reth endpoints `/validator/<k>`); default 0. */
  validators?: number;
  /**
   * Whether op-reth nodes gossip pooled transactions (default true). False: validators forward
   * `eth_sendRawTransaction` to sequencer 1 and fail while it is stopped (the design this replaced).
   */
  txGossip?: boolean;
}

/** A pooled transaction in the double. */
interface PooledTx {
  hash: string;
  from: string;
  nonce: number;
}

/** Base fee every double block reports, in wei (1 gwei). */
const DOUBLE_BASE_FEE = 1_000_000_000n;
/** The double's L2 chain id (what `eth_chainId` answers on op-reth endpoints). */
export const DOUBLE_L2_CHAIN_ID = 0x385;

export type Handler = (params: unknown[]) => unknown;

export class DevnetDouble {
  readonly seqs: Sequencer[];
  readonly conds: Conductor[];
  leader: string | null = null;
  voters: { id: string; addr: string; suffrage: number }[] = [];
  l1Block = 0;
  readonly calls: { path: string; method: string; params: unknown[] }[] = [];
  /** Transaction pools: key `reth/<i>` or `validator/<k>`. */
  readonly pools = new Map<string, Map<string, PooledTx>>();
  /** Included transactions: hash -> block number (the chain is one number line). */
  readonly included = new Map<string, number>();
  /** Nonce after the last included transaction, per sender (lower-case). */
  private nonces = new Map<string, number>();
  /** Override or inject a method answer for one endpoint path: return undefined to fall through. */
  readonly overrides = new Map<string, Handler>();
  private server?: Server;
  private timer?: NodeJS.Timeout;
  private electionCountdown = -1;
  /** Ticks until a wedged leader hands leadership on (wedgeNewLeader "hand-on"). */
  private handOnCountdown = -1;
  private lateRaft: Set<number>;
  base = "";

  constructor(readonly opts: DoubleOptions) {
    this.seqs = Array.from({ length: opts.sequencers }, (_, j) => ({
      index: j + 1,
      up: true,
      // A lone sequencer is active from the start; conductor-managed ones start stopped.
      active: !opts.conductors && j === 0,
      unsafe: 0,
      safe: 0,
    }));
    this.conds = opts.conductors
      ? // Started without --paused: only conductor 1 pauses itself, when it bootstraps (below).
        this.seqs.map((s) => ({ index: s.index, id: `sequencer-${s.index}`, addr: `kup-op-conductor-${s.index}:50050`, up: true, paused: s.index === 1, member: false }))
      : [];
    this.lateRaft = new Set(opts.lateRaftPorts ?? []);
    for (const s of this.seqs) this.pools.set(`reth/${s.index}`, new Map());
    for (let k = 1; k <= (opts.validators ?? 0); k++) this.pools.set(`validator/${k}`, new Map());
    if (this.conds.length > 0) {
      // --raft.bootstrap on conductor 1: a one-voter cluster led by itself, paused.
      this.conds[0].member = true;
      this.voters = [{ id: this.conds[0].id, addr: this.conds[0].addr, suffrage: 0 }];
      this.leader = this.conds[0].id;
    }
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.timer = setInterval(() => this.tick(), this.opts.tickMs ?? 20);
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  url = (path: string) => `${this.base}${path}`;
  conductorUrl = (i: number) => this.url(`/conductor/${i}`);
  konaUrl = (i: number) => this.url(`/kona/${i}`);
  rethUrl = (i: number) => this.url(`/reth/${i}`);
  validatorUrl = (k: number) => this.url(`/validator/${k}`);

  /** The drill's "docker stop" of sequencer i's op-reth and kona-node. */
  stopNode(i: number) {
    const s = this.seqs[i - 1];
    s.up = false;
    s.active = false;
    this.pools.get(`reth/${i}`)!.clear();
  }
  /** The drill's "docker start": the node comes back stopped and catches up over P2P. */
  startNode(i: number) {
    if (this.opts.rejoin === false) return;
    this.seqs[i - 1].up = true;
  }
  /**
   * Every container stopped and started again (`npm run stop` / `start`, a daemon restart, a
   * reboot): sequencers come back stopped (`--sequencer.stopped`), conductors come back unpaused
   * with their Raft state (bootstrap is skipped on existing state, so nothing pauses), and Raft
   * elects a leader again.
   */
  restartAll() {
    for (const s of this.seqs) {
      s.up = true;
      s.active = false;
    }
    for (const c of this.conds) {
      c.up = true;
      c.paused = false;
    }
    this.leader = null;
    this.electionCountdown = this.opts.electionTicks ?? 3;
  }

  setConductorUp(i: number, up: boolean) {
    this.conds[i - 1].up = up;
  }
  openRaftPort(i: number) {
    this.lateRaft.delete(i);
  }

  private head() {
    return Math.max(0, ...this.seqs.filter((s) => s.up).map((s) => s.unsafe));
  }

  /** Sequencer indexes whose conductor reports them unhealthy although they run (scripted). */
  readonly unhealthy = new Set<number>();

  private healthy(c: Conductor) {
    return this.seqs[c.index - 1].up && !this.unhealthy.has(c.index);
  }

  tick() {
    this.l1Block++;
    const producer = this.seqs.find((s) => s.up && s.active);
    if (producer) {
      producer.unsafe++;
      // The block it seals holds the executable transactions of its own pool.
      const pool = this.pools.get(`reth/${producer.index}`)!;
      for (const tx of [...pool.values()].sort((a, b) => a.nonce - b.nonce)) {
        if (tx.nonce !== (this.nonces.get(tx.from) ?? 0)) continue;
        this.included.set(tx.hash, producer.unsafe);
        this.nonces.set(tx.from, tx.nonce + 1);
      }
      for (const p of this.pools.values()) for (const h of [...p.keys()]) if (this.included.has(h)) p.delete(h);
    }
    if (this.opts.txGossip !== false) {
      // devp2p gossip: every running node's pool reaches every other running node.
      const running = [...this.pools.entries()].filter(([key]) => !key.startsWith("reth/") || this.seqs[Number(key.split("/")[1]) - 1].up);
      const all = new Map<string, PooledTx>();
      for (const [, p] of running) for (const [h, tx] of p) all.set(h, tx);
      for (const [, p] of running) for (const [h, tx] of all) p.set(h, tx);
    }
    const head = this.head();
    for (const s of this.seqs) {
      if (!s.up || s.wedged) continue;
      s.unsafe = Math.max(s.unsafe, head); // gossip
      if (this.opts.batcher !== false && this.l1Block % 3 === 0) s.safe = Math.max(s.safe, s.unsafe - 2);
    }
    if (this.conds.length === 0) return;
    // Raft: a leader whose node is down loses leadership (health check + transfer); elect another.
    const leader = this.conds.find((c) => c.id === this.leader);
    if (leader && (!leader.up || (!leader.paused && !this.healthy(leader)))) {
      this.leader = null;
      this.electionCountdown = this.opts.electionTicks ?? 3;
    }
    if (this.leader === null && this.electionCountdown >= 0) {
      if (this.electionCountdown-- === 0) {
        const voters = this.conds.filter((c) => c.member && this.voters.some((v) => v.id === c.id));
        const upVoters = voters.filter((c) => c.up);
        if (upVoters.length * 2 > this.voters.length) {
          const next = upVoters.find((c) => this.healthy(c));
          if (next) {
            this.leader = next.id;
            if (this.opts.wedgeNewLeader) {
              const s = this.seqs[next.index - 1];
              s.wedged = true;
              s.unsafe = Math.max(0, head - 2);
              if (this.opts.wedgeNewLeader === "hand-on") this.handOnCountdown = this.opts.electionTicks ?? 3;
            }
          }
          else this.electionCountdown = 1;
        } else this.electionCountdown = 1;
      }
    }
    if (this.handOnCountdown >= 0 && this.handOnCountdown-- === 0 && this.leader !== null) {
      const from = this.conds.find((c) => c.id === this.leader)!;
      const voters = this.conds.filter((c) => c.member && c.up && this.voters.some((v) => v.id === c.id)).sort((a, b) => a.index - b.index);
      const to = voters.find((c) => c.index > from.index && c.up) ?? voters.find((c) => c !== from);
      if (to) {
        this.leader = to.id;
        this.seqs[from.index - 1].wedged = false;
      }
    }
    // Control loop of each resumed conductor.
    for (const c of this.conds) {
      if (!c.up || c.paused) continue;
      const s = this.seqs[c.index - 1];
      const isLeader = this.leader === c.id;
      if (isLeader && this.healthy(c) && !s.active && s.up && !s.wedged) s.active = true;
      if (!isLeader && s.active) s.active = false;
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    let body = "";
    for await (const chunk of req) body += chunk;
    const { id, method, params = [] } = JSON.parse(body) as { id: number; method: string; params?: unknown[] };
    const path = req.url ?? "/";
    this.calls.push({ path, method, params });
    const reply = (payload: object) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ jsonrpc: "2.0", id, ...payload }));
    };
    const down = () => {
      // A stopped container: the connection is refused.
      req.socket.destroy();
    };
    try {
      const override = this.overrides.get(`${path} ${method}`);
      if (override) {
        const v = override(params);
        if (v !== undefined) return reply({ result: v });
      }
      const [, kind, n] = path.split("/");
      const i = Number(n);
      if (kind === "l1") return reply({ result: this.l1(method) });
      if (kind === "reth") {
        if (!this.seqs[i - 1]?.up) return down();
        return reply({ result: await this.reth(i, method, params) });
      }
      if (kind === "validator") {
        if (!this.pools.has(`validator/${i}`)) return reply({ error: { code: -32601, message: `no endpoint ${path}` } });
        return reply({ result: await this.validator(i, method, params) });
      }
      if (kind === "kona") {
        if (!this.seqs[i - 1]?.up) return down();
        return reply({ result: this.kona(i, method, params) });
      }
      if (kind === "conductor") {
        if (!this.conds[i - 1]?.up) return down();
        return reply({ result: this.conductor(i, method, params) });
      }
      reply({ error: { code: -32601, message: `no endpoint ${path}` } });
    } catch (e) {
      const err = e as { code?: number; message: string };
      reply({ error: { code: err.code ?? -32000, message: err.message } });
    }
  }

  private l1(method: string) {
    if (method === "eth_chainId") return "0x" + (this.opts.l1ChainId ?? 900).toString(16);
    if (method === "eth_blockNumber") return "0x" + this.l1Block.toString(16);
    throw notFound(method);
  }

  private async reth(i: number, method: string, params: unknown[]): Promise<unknown> {
    return this.execution(`reth/${i}`, this.seqs[i - 1].unsafe, method, params);
  }

  /** Validator k's op-reth: follows the network's head; with `txGossip: false` it forwards txs to sequencer 1. */
  private async validator(k: number, method: string, params: unknown[]): Promise<unknown> {
    if (method === "eth_sendRawTransaction" && this.opts.txGossip === false) {
      if (!this.seqs[0].up) throw new Error(`error sending request for url (${this.rethUrl(1)}): connection refused`);
      return this.execution("reth/1", this.seqs[0].unsafe, method, params);
    }
    return this.execution(`validator/${k}`, this.head(), method, params);
  }

  /** The op-reth methods, for the node whose pool is `poolKey` and whose head is `head`. */
  private async execution(poolKey: string, head: number, method: string, params: unknown[]): Promise<unknown> {
    const pool = this.pools.get(poolKey)!;
    switch (method) {
      case "eth_blockNumber":
        return "0x" + head.toString(16);
      case "eth_chainId":
        return "0x" + DOUBLE_L2_CHAIN_ID.toString(16);
      case "eth_getBlockByNumber": {
        const n = params[0] === "latest" ? head : Number.parseInt(String(params[0]), 16);
        return n <= head ? { number: "0x" + n.toString(16), hash: "0x" + n.toString(16).padStart(64, "0"), baseFeePerGas: "0x" + DOUBLE_BASE_FEE.toString(16) } : null;
      }
      case "eth_getTransactionCount": {
        const from = String(params[0]).toLowerCase();
        let n = this.nonces.get(from) ?? 0;
        if (params[1] === "pending") while ([...pool.values()].some((t) => t.from === from && t.nonce === n)) n++;
        return "0x" + n.toString(16);
      }
      case "eth_sendRawTransaction": {
        const raw = String(params[0]) as TransactionSerialized;
        const tx = parseTransaction(raw);
        if (tx.chainId !== DOUBLE_L2_CHAIN_ID) throw new Error(`invalid chain id: have ${tx.chainId}, want ${DOUBLE_L2_CHAIN_ID}`);
        const from = (await recoverTransactionAddress({ serializedTransaction: raw })).toLowerCase();
        const nonce = tx.nonce ?? 0;
        if (nonce < (this.nonces.get(from) ?? 0)) throw Object.assign(new Error("nonce too low"), { code: -32003 });
        const hash = keccak256(raw);
        if (pool.has(hash) || this.included.has(hash)) throw new Error("already known");
        pool.set(hash, { hash, from, nonce });
        return hash;
      }
      case "eth_getTransactionReceipt": {
        const n = this.included.get(String(params[0]));
        return n !== undefined && n <= head ? { transactionHash: params[0], blockNumber: "0x" + n.toString(16), status: "0x1" } : null;
      }
      case "txpool_status":
        return { pending: "0x" + pool.size.toString(16), queued: "0x0" };
      default:
        throw notFound(method);
    }
  }

  private kona(i: number, method: string, params: unknown[]) {
    const s = this.seqs[i - 1];
    const block = (n: number) => ({ number: n, hash: "0x" + n.toString(16).padStart(64, "0"), timestamp: n * 2 });
    switch (method) {
      case "admin_sequencerActive":
        return s.active;
      case "admin_startSequencer":
        if (params.length > 0) throw Object.assign(new Error("Invalid params"), { code: -32602 });
        s.active = true;
        return null;
      case "admin_stopSequencer":
        s.active = false;
        return block(s.unsafe).hash;
      case "optimism_syncStatus":
        return { unsafe_l2: block(s.unsafe), safe_l2: block(s.safe), finalized_l2: block(Math.max(0, s.safe - 4)), head_l1: { number: this.l1Block } };
      case "opp2p_peerStats":
        return { connected: this.seqs.filter((x) => x.up).length - 1 };
      default:
        throw notFound(method);
    }
  }

  private conductor(i: number, method: string, params: unknown[]) {
    const c = this.conds[i - 1];
    const leaderConductor = this.conds.find((x) => x.id === this.leader);
    const requireLeader = () => {
      if (this.leader !== c.id) throw new Error("node is not the leader");
    };
    switch (method) {
      case "conductor_leader":
        return c.member && this.leader === c.id;
      case "conductor_leaderWithID":
        return c.member && leaderConductor ? { id: leaderConductor.id, addr: leaderConductor.addr, suffrage: 0 } : { id: "", addr: "", suffrage: 0 };
      case "conductor_paused":
        return c.paused;
      case "conductor_active":
        return !c.paused && this.seqs[i - 1].active;
      case "conductor_stopped":
        return false;
      case "conductor_pause":
        c.paused = true;
        return null;
      case "conductor_resume":
        c.paused = false;
        return null;
      case "conductor_sequencerHealthy":
        return this.healthy(c);
      case "conductor_clusterMembership":
        if (!c.member) throw new Error("raft: not part of a cluster");
        return { servers: this.voters, version: this.voters.length };
      case "conductor_addServerAsVoter": {
        requireLeader();
        const [id, addr] = params as [string, string];
        const target = this.conds.find((x) => x.addr === addr);
        if (!target || !target.up || this.lateRaft.has(target.index)) throw new Error(`dial tcp ${addr}: connect: connection refused`);
        if (!this.voters.some((v) => v.id === id)) this.voters.push({ id, addr, suffrage: 0 });
        target.member = true;
        return null;
      }
      case "conductor_removeServer": {
        requireLeader();
        const [id] = params as [string];
        this.voters = this.voters.filter((v) => v.id !== id);
        const target = this.conds.find((x) => x.id === id);
        if (target) target.member = false;
        return null;
      }
      case "conductor_transferLeaderToServer": {
        requireLeader();
        const [id] = params as [string, string];
        const target = this.conds.find((x) => x.id === id && x.up && this.voters.some((v) => v.id === x.id));
        if (!target) throw new Error(`cannot find replication state for ${id}`);
        this.leader = target.id;
        return null;
      }
      case "conductor_transferLeader": {
        requireLeader();
        const next = this.conds.find((x) => x.id !== c.id && x.up && this.voters.some((v) => v.id === x.id));
        if (!next) throw new Error("raft: no other voter to transfer leadership to");
        this.leader = next.id;
        return null;
      }
      default:
        throw notFound(method);
    }
  }
}

function notFound(method: string) {
  return Object.assign(new Error(`the method ${method} does not exist/is not available`), { code: -32601 });
}
