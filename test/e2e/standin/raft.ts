import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { lookup } from "node:dns/promises";
import { connect } from "node:net";
import { Server } from "node:http";
import { join } from "node:path";
import { Logger, RpcHandler, RpcMethodError, boundPort, callRpc, closeServer, serveJsonRpc } from "./conductorRpc";

/**
 * Raft-lite for the op-conductor stand-in: leader election, membership and a replicated state
 * machine holding the latest unsafe payload, spoken as JSON-RPC over plain HTTP on the consensus
 * port. It keeps the properties the conductor relies on, not hashicorp/raft's wire format:
 *
 * - Terms and one vote per term, persisted before answering; randomised election timeouts
 *   (1.5–3 s); a candidate needs a majority of the voters in its configuration; a vote goes only to a
 *   candidate at least as up to date (last term, then last index); voters ignore candidates outside
 *   their configuration and, while they hear from a leader, candidates not sent by a leadership transfer.
 * - No log: the state machine is small, so every entry replaces it whole. The leader sends the full
 *   state to followers that are behind (and a bare heartbeat to those that are not) every ~300 ms; an
 *   entry (payload commit or membership change) counts as committed when a majority of the voters of
 *   the resulting configuration hold it.
 * - A node with no configuration (fresh storage, no bootstrap), a non-voter, or a node removed from
 *   the configuration never starts an election.
 * - A leader that cannot reach a majority of voters for the lease time steps down.
 * - Leadership transfer: the leader brings the target up to date, sends it "timeout now" (it starts an
 *   election at once, flagged as a transfer) and steps down.
 *
 * State lives in `<storage dir>/<server id>/raft-state.json`, written atomically (temp file + rename).
 */

export interface ServerInfo {
  id: string;
  addr: string;
  /** 0 = voter, 1 = non-voter (hashicorp's suffrage numbering). */
  suffrage: number;
}

export interface ClusterConfig {
  servers: ServerInfo[];
  /** Index of the entry that set this configuration. */
  version: number;
}

export interface UnsafeHead {
  number: number;
  hash: string;
}

interface PersistedState {
  currentTerm: number;
  votedFor: string | null;
  config: ClusterConfig | null;
  lastIndex: number;
  lastTerm: number;
  head: UnsafeHead | null;
  /** The last committed ExecutionPayloadEnvelope, as the sequencer sent it. */
  payload: unknown;
}

interface Replicated {
  config: ClusterConfig | null;
  lastIndex: number;
  lastTerm: number;
  head: UnsafeHead | null;
  payload: unknown;
}

interface AppendRequest {
  term: number;
  leaderId: string;
  leaderAddr: string;
  state?: Replicated;
}
interface AppendResponse {
  term: number;
  success: boolean;
  lastIndex: number;
  lastTerm: number;
}
interface VoteRequest {
  term: number;
  candidateId: string;
  candidateAddr: string;
  lastIndex: number;
  lastTerm: number;
  transfer: boolean;
}
interface VoteResponse {
  term: number;
  granted: boolean;
  reason?: string;
}

export interface RaftOptions {
  id: string;
  /** `host:port` peers dial; empty = the bound address (refused when it is 0.0.0.0/::). */
  advertised: string;
  bindHost: string;
  bindPort: number;
  storageDir: string;
  bootstrap: boolean;
  log: Logger;
  heartbeatMs?: number;
  electionMinMs?: number;
  electionMaxMs?: number;
  /** A leader without contact to a voter majority for this long steps down. */
  leaseMs?: number;
  /** Called whenever this node gains or loses leadership. */
  onLeaderChange?: (leader: boolean) => void;
  /** Extra JSON-RPC methods served on the consensus port (e.g. the conductor's health probe). */
  extraMethods?: Record<string, RpcHandler>;
}

export const ERR_NOT_LEADER = "node is not the leader";

type Role = "follower" | "candidate" | "leader";

const majority = (n: number) => Math.floor(n / 2) + 1;
const stamp = (index: number, term: number) => `${index}:${term}`;

export class RaftNode {
  readonly id: string;
  advertised = "";
  private role: Role = "follower";
  private state: PersistedState = { currentTerm: 0, votedFor: null, config: null, lastIndex: 0, lastTerm: 0, head: null, payload: null };
  private leaderId: string | null = null;
  private leaderAddr: string | null = null;
  private lastLeaderContact = 0;
  private leaderSince = 0;
  private electionDeadline = 0;
  private peers = new Map<string, { lastAck: number; match: string; inflight: boolean }>();
  private server?: Server;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private proposals: Promise<unknown> = Promise.resolve();
  private readonly file: string;
  private readonly heartbeatMs: number;
  private readonly electionMinMs: number;
  private readonly electionMaxMs: number;
  private readonly leaseMs: number;
  private readonly log: Logger;

  constructor(private readonly o: RaftOptions) {
    this.id = o.id;
    this.log = o.log;
    this.file = join(o.storageDir, o.id, "raft-state.json");
    this.heartbeatMs = o.heartbeatMs ?? 300;
    this.electionMinMs = o.electionMinMs ?? 1500;
    this.electionMaxMs = o.electionMaxMs ?? 3000;
    this.leaseMs = o.leaseMs ?? 2500;
  }

  /** Loads (or bootstraps) state and starts serving the consensus port. Returns whether it bootstrapped. */
  async start(): Promise<{ bootstrapped: boolean; port: number }> {
    const existing = existsSync(this.file);
    if (existing) {
      try {
        this.state = { ...this.state, ...(JSON.parse(readFileSync(this.file, "utf8")) as PersistedState) };
      } catch (e) {
        throw new Error(`failed to read raft state ${this.file}: ${(e as Error).message}`);
      }
    } else {
      mkdirSync(join(this.o.storageDir, this.o.id), { recursive: true });
    }
    this.server = await serveJsonRpc({
      host: this.o.bindHost,
      port: this.o.bindPort,
      dispatch: (m) => this.methods()[m],
    }).catch((e: Error) => {
      throw new Error(`failed to create raft tcp transport on ${this.o.bindHost}:${this.o.bindPort}: ${e.message}`);
    });
    const port = boundPort(this.server);
    if (this.o.advertised) {
      this.advertised = this.o.advertised;
    } else {
      if (["0.0.0.0", "::", ""].includes(this.o.bindHost)) throw new Error("local bind address is not advertisable");
      this.advertised = `${this.o.bindHost}:${port}`;
    }
    const host = this.advertised.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
    try {
      await lookup(host);
    } catch (e) {
      throw new Error(`failed to resolve tcp address ${this.advertised}: ${(e as Error).message}`);
    }

    let bootstrapped = false;
    if (this.o.bootstrap && !existing) {
      this.state = {
        currentTerm: 1,
        votedFor: this.id,
        config: { servers: [{ id: this.id, addr: this.advertised, suffrage: 0 }], version: 1 },
        lastIndex: 1,
        lastTerm: 1,
        head: null,
        payload: null,
      };
      this.persist();
      bootstrapped = true;
      this.log.info("bootstrapped a one-voter Raft cluster", { server: this.id, addr: this.advertised });
    } else if (this.o.bootstrap) {
      this.log.info("Raft state exists, skipping bootstrap (cluster already bootstrapped)", { server: this.id });
    }
    if (existing) {
      this.log.info("loaded Raft state", {
        server: this.id,
        term: this.state.currentTerm,
        index: this.state.lastIndex,
        members: this.state.config?.servers.map((s) => s.id).join(",") ?? "none",
        head: this.state.head?.number ?? "none",
      });
    } else if (!bootstrapped) {
      this.log.info("no Raft state and no bootstrap: waiting to be added to a cluster", { server: this.id, addr: this.advertised });
    }

    this.resetElectionTimer();
    if (bootstrapped) this.becomeLeader();
    this.timers.push(setInterval(() => this.heartbeatRound(), this.heartbeatMs));
    this.timers.push(setInterval(() => this.electionCheck(), 50));
    return { bootstrapped, port };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    const wasLeader = this.role === "leader";
    this.role = "follower";
    if (wasLeader) this.o.onLeaderChange?.(false);
    await closeServer(this.server);
  }

  // ---- queries -------------------------------------------------------------------------------

  isLeader(): boolean {
    return !this.stopped && this.role === "leader";
  }

  /** The leader this node knows, or null. */
  leader(): ServerInfo | null {
    if (this.stopped) return null;
    if (this.role === "leader") return { id: this.id, addr: this.advertised, suffrage: 0 };
    if (this.leaderId && Date.now() - this.lastLeaderContact < this.electionMaxMs * 2) return { id: this.leaderId, addr: this.leaderAddr ?? "", suffrage: 0 };
    return null;
  }

  config(): ClusterConfig | null {
    return this.state.config ? { servers: this.state.config.servers.map((s) => ({ ...s })), version: this.state.config.version } : null;
  }

  /** Voters other than this node, in configuration order starting after this node (round robin). */
  otherVoters(): ServerInfo[] {
    const servers = this.state.config?.servers ?? [];
    const me = servers.findIndex((s) => s.id === this.id);
    const ordered = me >= 0 ? [...servers.slice(me + 1), ...servers.slice(0, me)] : servers;
    return ordered.filter((s) => s.suffrage === 0 && s.id !== this.id);
  }

  latestPayload(): { head: UnsafeHead; payload: unknown } | null {
    return this.state.head ? { head: { ...this.state.head }, payload: this.state.payload } : null;
  }

  term(): number {
    return this.state.currentTerm;
  }

  // ---- leader operations ---------------------------------------------------------------------

  /** Replicates a new unsafe head; resolves once a voter majority holds it. */
  commitPayload(head: UnsafeHead, payload: unknown): Promise<void> {
    return this.propose("commit", (s) => {
      s.head = head;
      s.payload = payload;
    }, 3000);
  }

  async addServer(id: string, addr: string, suffrage: number, version: number): Promise<void> {
    this.requireLeader();
    this.checkVersion(version);
    const cur = this.state.config?.servers ?? [];
    if (cur.some((s) => s.id === id && s.addr === addr && s.suffrage === suffrage)) return;
    await dialTcp(addr);
    await this.propose("membership", (s, index) => {
      const servers = (s.config?.servers ?? []).filter((x) => x.id !== id && x.addr !== addr);
      servers.push({ id, addr, suffrage });
      s.config = { servers, version: index };
    }, 10000);
    this.log.info(`added server as ${suffrage === 0 ? "voter" : "non-voter"}`, { server: this.id, id, addr, version: this.state.config?.version });
  }

  async removeServer(id: string, version: number): Promise<void> {
    this.requireLeader();
    this.checkVersion(version);
    const removed = this.state.config?.servers.find((s) => s.id === id);
    if (!removed) return;
    await this.propose("membership", (s, index) => {
      s.config = { servers: (s.config?.servers ?? []).filter((x) => x.id !== id), version: index };
    }, 10000);
    this.log.info("removed server from the cluster", { server: this.id, id, addr: removed.addr, version: this.state.config?.version });
    // Tell the removed server its new configuration, so it knows it is out (best effort).
    if (id !== this.id) void this.sendAppend(removed, true).catch(() => undefined);
    else this.stepDown(this.state.currentTerm, "removed itself from the cluster");
  }

  /** Hands leadership to `target` (a voter): brings it up to date, tells it to campaign, steps down. */
  async transferTo(target: ServerInfo): Promise<void> {
    this.requireLeader();
    const voter = this.state.config?.servers.find((s) => s.id === target.id && s.suffrage === 0);
    if (!voter || target.id === this.id) throw new RpcMethodError(`cannot transfer leadership to ${target.id}: not another voter in the configuration`);
    const addr = target.addr || voter.addr;
    const resp = await this.sendAppend({ ...voter, addr }, true);
    if (!resp.success) throw new RpcMethodError(`leadership transfer to ${target.id} failed: it rejected the state (term ${resp.term})`);
    await callRpc(`http://${addr}/`, "raft_timeoutNow", [{ term: this.state.currentTerm, leaderId: this.id }], 1000).catch((e: Error) => {
      throw new RpcMethodError(`leadership transfer to ${target.id} failed: ${e.message}`);
    });
    this.log.info("leadership transfer: sent timeout-now, stepping down", { server: this.id, to: target.id, addr, term: this.state.currentTerm });
    this.stepDown(this.state.currentTerm, `transferred leadership to ${target.id}`);
  }

  // ---- internals -----------------------------------------------------------------------------

  private requireLeader() {
    if (!this.isLeader()) throw new RpcMethodError(ERR_NOT_LEADER);
  }

  private checkVersion(version: number) {
    const cur = this.state.config?.version ?? 0;
    if (version !== 0 && version !== cur) throw new RpcMethodError(`configuration changed since ${version} (latest is ${cur})`);
  }

  private persist() {
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, JSON.stringify(this.state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }

  private replicated(): Replicated {
    const s = this.state;
    return { config: s.config, lastIndex: s.lastIndex, lastTerm: s.lastTerm, head: s.head, payload: s.payload };
  }

  private isVoter(id: string, cfg = this.state.config) {
    return !!cfg?.servers.some((s) => s.id === id && s.suffrage === 0);
  }

  private resetElectionTimer() {
    this.electionDeadline = Date.now() + this.electionMinMs + Math.random() * (this.electionMaxMs - this.electionMinMs);
  }

  private methods(): Record<string, RpcHandler> {
    return {
      raft_appendEntries: (p) => this.onAppend(p[0] as AppendRequest),
      raft_requestVote: (p) => this.onVote(p[0] as VoteRequest),
      raft_timeoutNow: (p) => this.onTimeoutNow(p[0] as { term: number; leaderId: string }),
      ...(this.o.extraMethods ?? {}),
    };
  }

  private stepDown(term: number, why: string) {
    const wasLeader = this.role === "leader";
    if (term > this.state.currentTerm) {
      this.state.currentTerm = term;
      this.state.votedFor = null;
      this.persist();
    }
    this.role = "follower";
    if (wasLeader) {
      this.leaderId = null;
      this.leaderAddr = null;
      this.resetElectionTimer();
      this.log.info("lost leadership", { server: this.id, term: this.state.currentTerm, reason: why });
      this.o.onLeaderChange?.(false);
    }
  }

  private becomeLeader() {
    this.role = "leader";
    this.leaderId = this.id;
    this.leaderAddr = this.advertised;
    this.leaderSince = Date.now();
    this.peers.clear();
    for (const s of this.state.config?.servers ?? []) if (s.id !== this.id) this.peers.set(s.id, { lastAck: Date.now(), match: "", inflight: false });
    this.log.info("election won: this node is the Raft leader", { server: this.id, term: this.state.currentTerm, addr: this.advertised });
    this.o.onLeaderChange?.(true);
    this.heartbeatRound();
  }

  private onAppend(req: AppendRequest): AppendResponse {
    if (this.stopped) throw new RpcMethodError("raft is shutdown");
    const s = this.state;
    if (req.term < s.currentTerm) return { term: s.currentTerm, success: false, lastIndex: s.lastIndex, lastTerm: s.lastTerm };
    if (req.term > s.currentTerm || this.role !== "follower") this.stepDown(req.term, `leader ${req.leaderId} has term ${req.term}`);
    if (this.leaderId !== req.leaderId) {
      this.log.info("leader changed", { server: this.id, leader: req.leaderId, addr: req.leaderAddr, term: req.term });
    }
    this.leaderId = req.leaderId;
    this.leaderAddr = req.leaderAddr;
    this.lastLeaderContact = Date.now();
    this.resetElectionTimer();
    if (req.state) {
      const before = s.config;
      const wasMember = !!before?.servers.some((x) => x.id === this.id);
      const isMember = !!req.state.config?.servers.some((x) => x.id === this.id);
      Object.assign(s, req.state);
      this.persist();
      if (JSON.stringify(before) !== JSON.stringify(req.state.config)) {
        this.log.info("cluster membership changed", {
          server: this.id,
          members: req.state.config?.servers.map((x) => `${x.id}@${x.addr}${x.suffrage ? "(nonvoter)" : ""}`).join(",") ?? "none",
          version: req.state.config?.version ?? 0,
        });
        if (!wasMember && isMember) this.log.info("joined the Raft cluster", { server: this.id, leader: req.leaderId });
        if (wasMember && !isMember) this.log.info("removed from the Raft cluster: will not campaign", { server: this.id });
      }
    }
    return { term: s.currentTerm, success: true, lastIndex: s.lastIndex, lastTerm: s.lastTerm };
  }

  private onVote(req: VoteRequest): VoteResponse {
    if (this.stopped) throw new RpcMethodError("raft is shutdown");
    const s = this.state;
    const deny = (reason: string): VoteResponse => {
      this.log.debug("rejecting vote request", { server: this.id, candidate: req.candidateId, term: req.term, reason });
      return { term: s.currentTerm, granted: false, reason };
    };
    if (s.config && !this.isVoter(req.candidateId)) return deny("candidate is not a voter in our configuration");
    if (!req.transfer) {
      if (this.role === "leader") return deny("this node is the leader");
      if (this.leaderId && this.leaderId !== req.candidateId && Date.now() - this.lastLeaderContact < this.electionMinMs) return deny("we have a leader");
    }
    if (req.term < s.currentTerm) return deny("stale term");
    if (req.term > s.currentTerm) this.stepDown(req.term, `vote request from ${req.candidateId} with term ${req.term}`);
    if (s.votedFor && s.votedFor !== req.candidateId) return deny(`already voted for ${s.votedFor} in term ${s.currentTerm}`);
    const upToDate = req.lastTerm > s.lastTerm || (req.lastTerm === s.lastTerm && req.lastIndex >= s.lastIndex);
    if (!upToDate) return deny("candidate is behind");
    s.votedFor = req.candidateId;
    this.persist();
    this.resetElectionTimer();
    this.log.info("granted vote", { server: this.id, candidate: req.candidateId, term: req.term, transfer: req.transfer });
    return { term: s.currentTerm, granted: true };
  }

  private onTimeoutNow(req: { term: number; leaderId: string }) {
    if (this.stopped) throw new RpcMethodError("raft is shutdown");
    if (req.term < this.state.currentTerm) throw new RpcMethodError("stale term");
    if (!this.isVoter(this.id)) throw new RpcMethodError("not a voter");
    this.log.info("received timeout-now (leadership transfer): campaigning", { server: this.id, from: req.leaderId });
    setImmediate(() => void this.campaign(true));
    return null;
  }

  private electionCheck() {
    if (this.stopped || this.role === "leader") return;
    if (Date.now() < this.electionDeadline) return;
    if (!this.isVoter(this.id)) {
      this.resetElectionTimer();
      if (this.leaderId && Date.now() - this.lastLeaderContact > this.electionMaxMs * 2) {
        this.leaderId = null;
        this.leaderAddr = null;
      }
      return;
    }
    void this.campaign(false);
  }

  private async campaign(transfer: boolean) {
    if (this.stopped || this.role === "leader" || !this.isVoter(this.id)) return;
    const s = this.state;
    s.currentTerm += 1;
    s.votedFor = this.id;
    this.persist();
    this.role = "candidate";
    if (this.leaderId) this.log.info("no contact with the leader: starting an election", { server: this.id, lastLeader: this.leaderId });
    this.leaderId = null;
    this.leaderAddr = null;
    this.resetElectionTimer();
    const term = s.currentTerm;
    const voters = (s.config?.servers ?? []).filter((x) => x.suffrage === 0);
    const need = majority(voters.length);
    let votes = 1;
    this.log.info("starting election", { server: this.id, term, voters: voters.length, needed: need, transfer });
    if (votes >= need) return this.becomeLeader();
    const req: VoteRequest = { term, candidateId: this.id, candidateAddr: this.advertised, lastIndex: s.lastIndex, lastTerm: s.lastTerm, transfer };
    await Promise.all(
      voters
        .filter((v) => v.id !== this.id)
        .map(async (v) => {
          try {
            const r = await callRpc<VoteResponse>(`http://${v.addr}/`, "raft_requestVote", [req], 1000);
            if (this.stopped) return;
            if (r.term > this.state.currentTerm) return this.stepDown(r.term, `voter ${v.id} has term ${r.term}`);
            if (!r.granted || this.role !== "candidate" || this.state.currentTerm !== term) return;
            votes++;
            if (votes >= need) this.becomeLeader();
          } catch {
            /* unreachable voter: no vote */
          }
        }),
    );
    if (this.role === "candidate" && this.state.currentTerm === term && votes < need) {
      this.log.info("election lost or undecided", { server: this.id, term, votes, needed: need });
    }
  }

  private async sendAppend(to: ServerInfo, full: boolean, timeoutMs = 1000): Promise<AppendResponse> {
    const req: AppendRequest = { term: this.state.currentTerm, leaderId: this.id, leaderAddr: this.advertised, ...(full ? { state: this.replicated() } : {}) };
    const r = await callRpc<AppendResponse>(`http://${to.addr}/`, "raft_appendEntries", [req], timeoutMs);
    if (r.term > this.state.currentTerm) this.stepDown(r.term, `follower ${to.id} has term ${r.term}`);
    return r;
  }

  private heartbeatRound() {
    if (this.stopped || this.role !== "leader") return;
    const now = Date.now();
    const cur = stamp(this.state.lastIndex, this.state.lastTerm);
    for (const srv of this.state.config?.servers ?? []) {
      if (srv.id === this.id) continue;
      let p = this.peers.get(srv.id);
      if (!p) this.peers.set(srv.id, (p = { lastAck: now, match: "", inflight: false }));
      if (p.inflight) continue;
      p.inflight = true;
      const peer = p;
      this.sendAppend(srv, peer.match !== cur)
        .then((r) => {
          if (r.success) {
            peer.lastAck = Date.now();
            peer.match = stamp(r.lastIndex, r.lastTerm);
          }
        })
        .catch(() => undefined)
        .finally(() => (peer.inflight = false));
    }
    // Leader lease: step down when a voter majority has not answered for the lease time.
    const voters = (this.state.config?.servers ?? []).filter((x) => x.suffrage === 0);
    const inContact = voters.filter((v) => v.id === this.id || now - (this.peers.get(v.id)?.lastAck ?? 0) < this.leaseMs).length;
    if (voters.length > 0 && inContact < majority(voters.length) && now - this.leaderSince > this.leaseMs) {
      this.log.warn("failed to contact a quorum of voters, stepping down", { server: this.id, inContact, voters: voters.length });
      this.stepDown(this.state.currentTerm, "lost contact with a quorum");
    }
  }

  /** Applies `mutate` as the next entry and waits until a voter majority of the new configuration holds it. */
  private propose(kind: string, mutate: (s: PersistedState, index: number) => void, timeoutMs: number): Promise<void> {
    const run = async () => {
      this.requireLeader();
      const index = this.state.lastIndex + 1;
      mutate(this.state, index);
      this.state.lastIndex = index;
      this.state.lastTerm = this.state.currentTerm;
      this.persist();
      await this.replicate(index, timeoutMs).catch((e: Error) => {
        throw new RpcMethodError(`${kind} entry ${index} not committed: ${e.message}`);
      });
    };
    const p = this.proposals.then(run, run);
    this.proposals = p.catch(() => undefined);
    return p;
  }

  private replicate(index: number, timeoutMs: number): Promise<void> {
    const cfg = this.state.config;
    const voters = (cfg?.servers ?? []).filter((x) => x.suffrage === 0);
    const need = majority(voters.length);
    let acks = voters.some((v) => v.id === this.id) ? 1 : 0;
    if (acks >= need) return Promise.resolve();
    const others = (cfg?.servers ?? []).filter((x) => x.id !== this.id);
    return new Promise<void>((resolveCommit, reject) => {
      let pending = others.length;
      let done = false;
      const finish = (err?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolveCommit();
      };
      const timer = setTimeout(() => finish(new Error(`leadership lost while committing log: only ${acks} of ${need} needed voters acknowledged within ${timeoutMs} ms`)), timeoutMs);
      if (pending === 0) finish(new Error(`no voter majority (${acks}/${need})`));
      for (const srv of others) {
        this.sendAppend(srv, true, timeoutMs)
          .then((r) => {
            const peer = this.peers.get(srv.id);
            if (r.success && peer) {
              peer.lastAck = Date.now();
              peer.match = stamp(r.lastIndex, r.lastTerm);
            }
            if (r.success && r.lastIndex >= index && srv.suffrage === 0) acks++;
          })
          .catch(() => undefined)
          .finally(() => {
            pending--;
            if (this.role !== "leader") return finish(new Error(ERR_NOT_LEADER));
            if (acks >= need) return finish();
            if (pending === 0) finish(new Error(`leadership lost while committing log: ${acks} of ${need} needed voters acknowledged`));
          });
      }
    });
  }
}

/** Opens (and closes) a TCP connection to `addr`, failing with Go-like dial errors. */
export function dialTcp(addr: string, timeoutMs = 3000): Promise<void> {
  const m = /^(.*):(\d+)$/.exec(addr);
  if (!m) return Promise.reject(new RpcMethodError(`address ${addr}: missing port in address`));
  const host = m[1].replace(/^\[|\]$/g, "");
  const port = Number(m[2]);
  return new Promise((resolveDial, reject) => {
    const sock = connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new RpcMethodError(`dial tcp ${addr}: i/o timeout`));
    }, timeoutMs);
    sock.once("connect", () => {
      clearTimeout(timer);
      sock.end();
      sock.destroy();
      resolveDial();
    });
    sock.once("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      sock.destroy();
      if (e.code === "ECONNREFUSED") reject(new RpcMethodError(`dial tcp ${addr}: connect: connection refused`));
      else if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN") reject(new RpcMethodError(`dial tcp: lookup ${host}: no such host`));
      else reject(new RpcMethodError(`dial tcp ${addr}: ${e.message}`));
    });
  });
}
