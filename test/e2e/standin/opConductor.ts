import { readFileSync } from "node:fs";
import { Server } from "node:http";
import { ConductorConfig, FlagError, conductorConfig, parseConductorFlags } from "./conductorFlags";
import { Logger, RpcCallError, RpcHandler, RpcMethodError, callRpc, closeServer, makeLogger, missingArg, serveJsonRpc, sleep } from "./conductorRpc";
import { ERR_NOT_LEADER, RaftNode, ServerInfo, UnsafeHead } from "./raft";

/**
 * Stand-in for op-conductor v0.9.4: run with the exact command line the plan gives the conductor
 * container, it behaves like op-conductor on the wire.
 *
 * - Startup: flag parsing and config checks like the real binary (unknown flag, missing required flag
 *   or unreadable rollup config: message on stderr, exit 1); then the handshake with the sequencer
 *   (`admin_conductorEnabled` until true, then `admin_sequencerActive`); only then the consensus
 *   port, the conductor RPC and metrics are served.
 * - Consensus: Raft-lite (./raft.ts) on `--consensus.port`, state in `--raft.storage.dir`.
 *   `--raft.bootstrap` on empty storage makes a one-voter cluster led by this node and pauses the
 *   conductor; on existing storage it is ignored and nothing pauses.
 * - Health (every `--healthcheck.interval` s, paused or not): the node's `optimism_syncStatus`
 *   unsafe head no older than `--healthcheck.unsafe-interval` s, and `opp2p_peerStats.connected` at
 *   least `--healthcheck.min-peer-count`; an RPC failure means "connection down".
 * - Control loop (while not paused), op-conductor's eight (leader, healthy, active) cases: a healthy
 *   leader starts its sequencer at the Raft head (posting the committed payload first when the node is
 *   exactly one block behind; any other mismatch is retried forever, the known v0.9.4 wedge); a
 *   follower stops an active sequencer; a leader unhealthy for two consecutive checks stops its
 *   sequencer and hands leadership to a voter whose sequencer is healthy (asked over the consensus
 *   port), else to one whose node at least answers; a freshly elected leader whose node answers but
 *   is stale (e.g. after a full restart) tries to start sequencing first.
 * - RPC: the `conductor_*` API; with `--rpc.enable-proxy` (default true) the leader-only proxies the
 *   batcher and proposer use. Metrics: Prometheus text on `--metrics.port`.
 */

const VERSION = "v0.9.4";

type HealthReason = "connection" | "unsafe" | "safe" | "peers";

interface State {
  leader: boolean;
  healthy: boolean;
  active: boolean;
}

/** An action that cannot proceed yet and is simply tried again at the next tick, without an error log. */
class Waiting extends Error {}

const toNumber = (v: unknown): number => {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string") return v.startsWith("0x") || v.startsWith("0X") ? Number.parseInt(v, 16) : Number(v);
  return Number.NaN;
};

/** Reads block number and hash from an ExecutionPayloadEnvelope (camelCase or snake_case) or a bare payload. */
export function payloadHead(envelope: unknown): UnsafeHead {
  const env = (envelope ?? {}) as Record<string, unknown>;
  const ep = (env.executionPayload ?? env.execution_payload ?? env) as Record<string, unknown>;
  const number = toNumber(ep.blockNumber ?? ep.block_number ?? ep.number);
  const hash = ep.blockHash ?? ep.block_hash ?? ep.hash;
  if (!Number.isFinite(number) || typeof hash !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(hash)) {
    throw new RpcMethodError("invalid argument 0: execution payload envelope without a block number and block hash", -32602);
  }
  return { number, hash: hash.toLowerCase() };
}

class Metrics {
  private counters = new Map<string, number>();
  constructor(private readonly gauges: () => Record<string, number>) {}
  inc(name: string, labels: Record<string, string | boolean>) {
    const key = `${name}{${Object.entries(labels)
      .map(([k, v]) => `${k}="${String(v)}"`)
      .join(",")}}`;
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
  }
  render(): string {
    const lines: string[] = [];
    const help: Record<string, [string, string]> = {
      op_conductor_up: ["gauge", "1 if the op-conductor has finished starting up"],
      op_conductor_info: ["gauge", "Pseudo-metric tracking version and config info"],
      op_conductor_leader: ["gauge", "1 if this conductor is the Raft leader"],
      op_conductor_healthy: ["gauge", "1 if the last health check of the sequencer passed"],
      op_conductor_active: ["gauge", "1 if the sequencer is known to be active"],
      op_conductor_paused: ["gauge", "1 if the control loop is paused"],
      op_conductor_state_changes_count: ["counter", "Number of state changes (leader, healthy, active)"],
      op_conductor_healthchecks_count: ["counter", "Number of health checks"],
      op_conductor_leader_transfers_count: ["counter", "Number of leadership transfers"],
      op_conductor_sequencer_starts_count: ["counter", "Number of sequencer starts"],
      op_conductor_sequencer_stops_count: ["counter", "Number of sequencer stops"],
    };
    const g = this.gauges();
    for (const [name, [type, text]] of Object.entries(help)) {
      lines.push(`# HELP ${name} ${text}`, `# TYPE ${name} ${type}`);
      if (name === "op_conductor_info") lines.push(`op_conductor_info{version="${VERSION}"} 1`);
      else if (name in g) lines.push(`${name} ${g[name]}`);
      for (const [key, v] of this.counters) if (key.startsWith(name + "{")) lines.push(`${key} ${v}`);
    }
    return lines.join("\n") + "\n";
  }
}

class Conductor {
  private raft!: RaftNode;
  private rpcServer?: Server;
  private metricsServer?: Server;
  private timers: NodeJS.Timeout[] = [];
  private paused: boolean;
  private stopped = false;
  private shuttingDown = false;
  private healthy = true;
  private healthReason?: HealthReason;
  private healthDetail = "";
  private unhealthyStreak = 0;
  private seqActive = false;
  private leaderOverride = false;
  private prevState: State = { leader: false, healthy: true, active: false };
  private actionQueued = false;
  private actionRunning = false;
  private retryTimer?: NodeJS.Timeout;
  private lastLogged = new Map<string, number>();
  private readonly metrics: Metrics;
  private done!: () => void;

  constructor(
    private readonly cfg: ConductorConfig,
    private readonly log: Logger,
  ) {
    this.paused = cfg.paused;
    this.metrics = new Metrics(() => ({
      op_conductor_up: 1,
      op_conductor_leader: this.raft?.isLeader() ? 1 : 0,
      op_conductor_healthy: this.healthy ? 1 : 0,
      op_conductor_active: this.seqActive ? 1 : 0,
      op_conductor_paused: this.paused ? 1 : 0,
    }));
  }

  /** Logs `msg` at most once per `everyMs` for the same key (retries loop every second or two). */
  private throttled(level: "info" | "warn" | "error", key: string, msg: string, f: Record<string, unknown>, everyMs = 15000) {
    const now = Date.now();
    if (now - (this.lastLogged.get(key) ?? 0) < everyMs) return;
    this.lastLogged.set(key, now);
    this.log[level](msg, f);
  }

  async run(): Promise<void> {
    const finished = new Promise<void>((r) => (this.done = r));
    const onSignal = (sig: string) => {
      this.log.info("received signal, shutting down", { signal: sig });
      void this.shutdown().finally(() => process.exit(0));
      setTimeout(() => process.exit(0), 3000).unref();
    };
    process.once("SIGTERM", () => onSignal("SIGTERM"));
    process.once("SIGINT", () => onSignal("SIGINT"));

    this.log.info("initializing OpConductor", { version: VERSION, server: this.cfg.serverId });
    await this.handshake();
    if (this.shuttingDown) return finished;

    this.raft = new RaftNode({
      id: this.cfg.serverId,
      advertised: this.cfg.advertised,
      bindHost: this.cfg.consensusAddr,
      bindPort: this.cfg.consensusPort,
      storageDir: this.cfg.storageDir,
      bootstrap: this.cfg.bootstrap,
      log: this.log,
      onLeaderChange: (leader) => {
        this.log.info("Leadership status changed", { server: this.cfg.serverId, leader });
        this.queueAction();
      },
      extraMethods: {
        // The conductor's view of its own sequencer, for peers choosing a leadership-transfer target.
        raft_health: () => ({ id: this.cfg.serverId, healthy: this.healthy, reason: this.healthReason ?? null, active: this.seqActive }),
      },
    });
    let bootstrapped = false;
    try {
      bootstrapped = (await this.raft.start()).bootstrapped;
    } catch (e) {
      fatal(`failed to initialize consensus: ${(e as Error).message}`);
    }
    if (bootstrapped) {
      this.paused = true;
      this.log.info("Raft cluster bootstrapped, pausing conductor.", { server: this.cfg.serverId });
    }

    this.timers.push(setInterval(() => void this.checkHealth(), this.cfg.healthInterval * 1000));
    void this.checkHealth();

    try {
      this.rpcServer = await serveJsonRpc({
        host: this.cfg.rpcAddr,
        port: this.cfg.rpcPort,
        dispatch: (m) => this.rpcMethods()[m],
        get: (path) => (path === "/healthz" ? { status: 200, type: "application/json", body: JSON.stringify({ version: VERSION }) } : undefined),
      });
    } catch (e) {
      fatal(`failed to start JSON-RPC server on ${this.cfg.rpcAddr}:${this.cfg.rpcPort}: ${(e as Error).message}`);
    }
    this.log.info("started JSON-RPC server", { addr: `${this.cfg.rpcAddr}:${this.cfg.rpcPort}`, proxy: this.cfg.enableProxy });
    if (this.cfg.metricsEnabled) {
      try {
        this.metricsServer = await serveJsonRpc({
          host: this.cfg.metricsAddr,
          port: this.cfg.metricsPort,
          dispatch: () => undefined,
          get: () => ({ status: 200, type: "text/plain; version=0.0.4; charset=utf-8", body: this.metrics.render() }),
        });
      } catch (e) {
        fatal(`failed to start metrics server on ${this.cfg.metricsAddr}:${this.cfg.metricsPort}: ${(e as Error).message}`);
      }
      this.log.info("started metrics server", { addr: `${this.cfg.metricsAddr}:${this.cfg.metricsPort}` });
    }
    this.timers.push(setInterval(() => this.queueAction(), this.cfg.healthInterval * 1000));
    this.log.info("OpConductor started", { server: this.cfg.serverId, paused: this.paused, consensus: this.raft.advertised });
    this.queueAction();
    return finished;
  }

  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.retryTimer);
    await Promise.allSettled([this.raft?.stop(), closeServer(this.rpcServer), closeServer(this.metricsServer)]);
    this.log.info("OpConductor stopped", { server: this.cfg.serverId });
    this.done?.();
  }

  // ---- startup handshake ---------------------------------------------------------------------

  private async handshake() {
    const node = this.cfg.nodeRpc;
    const attempts = 300;
    for (let i = 1; ; i++) {
      if (this.shuttingDown) return;
      try {
        const enabled = await callRpc<boolean>(node, "admin_conductorEnabled", [], 3000);
        if (enabled !== true) fatal("conductor is not enabled on sequencer, exiting...");
        this.log.info("conductor is enabled on the sequencer", { node });
        break;
      } catch (e) {
        if (e instanceof RpcCallError && e.code === -32601) {
          this.log.warn("admin_conductorEnabled is not implemented by the sequencer, assuming enabled", { node });
          break;
        }
        if (i >= attempts) fatal(`failed to check if conductor is enabled on sequencer: ${(e as Error).message}`);
        if (i === 1 || i % 10 === 0) this.log.warn("waiting for the sequencer to answer admin_conductorEnabled", { node, attempt: i, err: (e as Error).message });
        await sleep(1000);
      }
    }
    for (let i = 1; ; i++) {
      if (this.shuttingDown) return;
      try {
        this.seqActive = (await callRpc<boolean>(node, "admin_sequencerActive", [], 3000)) === true;
        this.log.info("sequencer active status", { active: this.seqActive });
        return;
      } catch (e) {
        if (i >= 60) fatal(`failed to initialize sequencer control: failed to get sequencer active status: ${(e as Error).message}`);
        await sleep(1000);
      }
    }
  }

  // ---- health --------------------------------------------------------------------------------

  private async probeHealth(): Promise<{ reason?: HealthReason; detail: string }> {
    const node = this.cfg.nodeRpc;
    let status: { unsafe_l2?: Record<string, unknown>; safe_l2?: Record<string, unknown> };
    try {
      status = await callRpc(node, "optimism_syncStatus", [], 2000);
    } catch (e) {
      return { reason: "connection", detail: `sequencer connection down: optimism_syncStatus: ${(e as Error).message}` };
    }
    const now = Date.now() / 1000;
    const unsafeTime = toNumber(status?.unsafe_l2?.timestamp ?? status?.unsafe_l2?.time);
    if (!Number.isFinite(unsafeTime)) return { reason: "unsafe", detail: "optimism_syncStatus has no unsafe_l2.timestamp" };
    if (now - unsafeTime > this.cfg.unsafeInterval) {
      return { reason: "unsafe", detail: `unsafe head #${toNumber(status.unsafe_l2?.number)} is ${Math.round(now - unsafeTime)}s old (limit ${this.cfg.unsafeInterval}s)` };
    }
    if (this.cfg.safeEnabled) {
      const safeTime = toNumber(status?.safe_l2?.timestamp ?? status?.safe_l2?.time);
      if (!Number.isFinite(safeTime) || now - safeTime > this.cfg.safeInterval) return { reason: "safe", detail: `safe head is older than ${this.cfg.safeInterval}s` };
    }
    let peers: { connected?: unknown };
    try {
      peers = await callRpc(node, "opp2p_peerStats", [], 2000);
    } catch (e) {
      return { reason: "connection", detail: `sequencer connection down: opp2p_peerStats: ${(e as Error).message}` };
    }
    const connected = toNumber(peers?.connected);
    if (!(connected >= this.cfg.minPeerCount)) return { reason: "peers", detail: `${connected} peers connected, need ${this.cfg.minPeerCount}` };
    return { detail: "" };
  }

  private checking = false;
  private async checkHealth() {
    if (this.checking || this.shuttingDown || this.stopped) return;
    this.checking = true;
    try {
      const r = await this.probeHealth();
      const healthy = r.reason === undefined;
      this.metrics.inc("op_conductor_healthchecks_count", { success: healthy, error: r.reason ?? "" });
      this.unhealthyStreak = healthy ? 0 : this.unhealthyStreak + 1;
      this.applyHealth(r);
    } finally {
      this.checking = false;
    }
  }

  /**
   * Before acting on an "unhealthy" verdict, look again: the periodic check can be up to one interval
   * old (e.g. a sequencer started by hand just before `conductor_resume`). Only a pass changes the
   * verdict here; failures keep counting on the periodic checks alone.
   */
  private async recheckIfUnhealthy() {
    if (this.healthy) return;
    const r = await this.probeHealth();
    if (r.reason === undefined) {
      this.unhealthyStreak = 0;
      this.applyHealth(r);
    }
  }

  private applyHealth(r: { reason?: HealthReason; detail: string }) {
    const healthy = r.reason === undefined;
    const old = this.healthy;
    this.healthy = healthy;
    this.healthReason = r.reason;
    this.healthDetail = r.detail;
    if (old !== healthy) {
      this.log.info("Health state changed", { server: this.cfg.serverId, old, new: healthy, ...(healthy ? {} : { err: r.detail }) });
      this.lastLogged.delete("unhealthy");
      this.queueAction();
    }
    if (!healthy) {
      this.throttled("error", "unhealthy", "Sequencer is unhealthy", { server: this.cfg.serverId, err: r.detail, consecutive: this.unhealthyStreak });
      this.queueAction();
    }
  }

  // ---- control loop --------------------------------------------------------------------------

  private queueAction() {
    if (this.actionQueued) return;
    this.actionQueued = true;
    setImmediate(() => void this.drain());
  }

  private async drain() {
    if (this.actionRunning) return;
    this.actionRunning = true;
    try {
      while (this.actionQueued) {
        this.actionQueued = false;
        await this.action();
      }
    } finally {
      this.actionRunning = false;
    }
  }

  private retryLater() {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.queueAction();
    }, Math.random() * 2000);
  }

  private async action() {
    if (this.paused || this.stopped || this.shuttingDown || !this.raft) return;
    try {
      this.seqActive = (await callRpc<boolean>(this.cfg.nodeRpc, "admin_sequencerActive", [], 2000)) === true;
    } catch {
      /* node unreachable: keep the last known value */
    }
    await this.recheckIfUnhealthy();
    if (this.paused || this.stopped || this.shuttingDown) return;
    const status: State = { leader: this.raft.isLeader(), healthy: this.healthy, active: this.seqActive };
    const { leader, healthy, active } = status;
    const prev = this.prevState;
    try {
      if (!leader && !healthy && !active) {
        this.throttled("error", "follower-unhealthy", "server (follower) is not healthy", { server: this.cfg.serverId, err: this.healthDetail });
      } else if (!leader && active) {
        // A follower (or a leader that just stepped down) must not sequence.
        await this.stopSequencer();
      } else if (!leader) {
        // Normal follower.
      } else if (!healthy && !active) {
        // Just elected while the node answers but is stale (e.g. everything restarted): try to sequence first.
        if (!prev.leader && !prev.active && this.healthReason !== "connection") {
          try {
            await this.startSequencer();
            return this.recordState(status);
          } catch (e) {
            if (this.unhealthyStreak < 2) throw e;
            this.log.error("failed to start sequencer, transferring leadership instead", { server: this.cfg.serverId, err: (e as Error).message });
          }
        }
        if (this.unhealthyStreak < 2) throw new Waiting("leader unhealthy once; waiting for a second failed health check before transferring leadership");
        await this.transferLeader();
      } else if (!healthy && active) {
        if (prev.leader && !prev.healthy && !prev.active && this.healthReason !== "connection") {
          throw new Waiting("waiting for sequencing to become healthy by itself");
        }
        if (this.unhealthyStreak < 2) throw new Waiting("leader unhealthy once; waiting for a second failed health check");
        const errors: string[] = [];
        await this.stopSequencer().catch((e: Error) => errors.push(e.message));
        await this.transferLeader().catch((e: Error) => errors.push(e.message));
        if (errors.length > 0) throw new Error(errors.join("; "));
      } else if (!active) {
        await this.startSequencer();
      }
      // leader, healthy, active: normal leader.
      this.recordState(status);
    } catch (e) {
      if (e instanceof Waiting) {
        this.log.debug(e.message, { server: this.cfg.serverId });
        return;
      }
      this.throttled("error", `step:${(e as Error).message}`, "failed to execute step, queueing another one to retry", {
        server: this.cfg.serverId,
        err: (e as Error).message,
        leader,
        healthy,
        active,
      }, 10000);
      this.retryLater();
    }
  }

  private recordState(s: State) {
    const p = this.prevState;
    if (p.leader === s.leader && p.healthy === s.healthy && p.active === s.active) return;
    this.log.info("state changed", {
      server: this.cfg.serverId,
      prev_state: `leader=${p.leader},healthy=${p.healthy},active=${p.active}`,
      new_state: `leader=${s.leader},healthy=${s.healthy},active=${s.active}`,
    });
    this.prevState = { ...s };
    this.metrics.inc("op_conductor_state_changes_count", { leader: s.leader, healthy: s.healthy, active: s.active });
  }

  private async startSequencer() {
    const latest = this.raft.latestPayload();
    if (!latest) throw new Error("no unsafe head in consensus yet (a fresh cluster's first block is started by hand)");
    let block: { number?: unknown; hash?: string } | null;
    try {
      block = await callRpc(this.cfg.executionRpc, "eth_getBlockByNumber", ["latest", false], 3000);
    } catch (e) {
      throw new Error(`failed to get latest unsafe block from EL during compareUnsafeHead phase: ${(e as Error).message}`);
    }
    const nodeNum = toNumber(block?.number);
    const nodeHash = (block?.hash ?? "").toLowerCase();
    const cons = latest.head;
    if (nodeHash !== cons.hash) {
      const fields = { server: this.cfg.serverId, consensus_num: cons.number, consensus_hash: cons.hash, node_num: nodeNum, node_hash: nodeHash };
      this.throttled("warn", `mismatch:${cons.number}:${nodeNum}`, "latest unsafe block in consensus is not the same as the one in op-node", fields, 10000);
      if (cons.number - nodeNum === 1) {
        this.log.info("posting unsafe head payload to the node (one block behind)", fields);
        await callRpc(this.cfg.nodeRpc, "admin_postUnsafePayload", [latest.payload], 5000).catch((e: Error) => {
          throw new Error(`failed to post unsafe head payload envelope to the node: ${e.message}`);
        });
      } else {
        this.throttled(
          "error",
          `wedge:${cons.number}:${nodeNum}`,
          "unsafe head mismatch: the node is not exactly one block behind the Raft head, so v0.9.4 will not post the payload and retries forever (known upstream wedge, ethereum-optimism/optimism#22094, fixed after v0.9.4 by #22143)",
          { ...fields, behind: cons.number - nodeNum },
          10000,
        );
        throw new Error("unsafe head mismatch");
      }
    }
    this.log.info("starting sequencer", { server: this.cfg.serverId, leader: this.raft.isLeader(), healthy: this.healthy, active: this.seqActive, hash: cons.hash, number: cons.number });
    try {
      await callRpc(this.cfg.nodeRpc, "admin_startSequencer", [cons.hash], 5000);
    } catch (e) {
      const msg = (e as Error).message;
      if (/already (started|running|active)/i.test(msg)) {
        this.log.warn("sequencer already started.", { err: msg });
      } else if (e instanceof RpcCallError && (e.code === -32602 || /invalid param/i.test(msg))) {
        // op-conductor always sends the hash; a node whose handler takes no parameters should ignore it.
        this.log.warn("the node rejected admin_startSequencer's block-hash parameter; calling it without (stand-in leniency, check the node)", { err: msg });
        await callRpc(this.cfg.nodeRpc, "admin_startSequencer", [], 5000).catch((e2: Error) => {
          this.metrics.inc("op_conductor_sequencer_starts_count", { success: false });
          throw new Error(`failed to start sequencer: ${e2.message}`);
        });
      } else {
        this.metrics.inc("op_conductor_sequencer_starts_count", { success: false });
        throw new Error(`failed to start sequencer: ${msg}`);
      }
    }
    this.metrics.inc("op_conductor_sequencer_starts_count", { success: true });
    this.seqActive = true;
    this.log.info("started sequencer", { server: this.cfg.serverId, hash: cons.hash, number: cons.number });
  }

  private async stopSequencer() {
    this.log.info("stopping sequencer", { server: this.cfg.serverId, leader: this.raft.isLeader(), healthy: this.healthy, active: this.seqActive });
    try {
      const head = await callRpc(this.cfg.nodeRpc, "admin_stopSequencer", [], 5000);
      this.log.info("stopped sequencer", { server: this.cfg.serverId, latestHead: head });
    } catch (e) {
      const msg = (e as Error).message;
      if (!/already stopped|not (running|active|started)/i.test(msg)) {
        this.metrics.inc("op_conductor_sequencer_stops_count", { success: false });
        throw new Error(`failed to stop sequencer: ${msg}`);
      }
      this.log.warn("sequencer already stopped", { err: msg });
    }
    this.metrics.inc("op_conductor_sequencer_stops_count", { success: true });
    this.seqActive = false;
  }

  /** Picks a transfer target: a voter whose sequencer is healthy, else one whose node answers, else any that answers. */
  private async pickTransferTarget(): Promise<ServerInfo> {
    const voters = this.raft.otherVoters();
    if (voters.length === 0) throw new RpcMethodError("cannot transfer leadership: no other voter in the cluster configuration");
    const probes = await Promise.all(
      voters.map(async (v) => {
        try {
          const h = await callRpc<{ healthy: boolean; reason: string | null }>(`http://${v.addr}/`, "raft_health", [], 1000);
          return { v, reachable: true, healthy: h.healthy === true, nodeUp: h.reason !== "connection" };
        } catch {
          return { v, reachable: false, healthy: false, nodeUp: false };
        }
      }),
    );
    const pick = probes.find((p) => p.healthy) ?? probes.find((p) => p.reachable && p.nodeUp) ?? probes.find((p) => p.reachable);
    if (!pick) throw new RpcMethodError(`cannot transfer leadership: no other voter answers (${voters.map((v) => `${v.id}@${v.addr}`).join(", ")})`);
    if (!pick.healthy) this.log.warn("no voter reports a healthy sequencer; transferring leadership anyway", { to: pick.v.id });
    return pick.v;
  }

  private async transferLeader(target?: ServerInfo) {
    this.log.info("transferring leadership", { server: this.cfg.serverId, to: target?.id ?? "(next healthy voter)" });
    try {
      const to = target ?? (await this.pickTransferTarget());
      await this.raft.transferTo(to);
      this.metrics.inc("op_conductor_leader_transfers_count", { success: true });
      this.log.info("transferred leadership", { server: this.cfg.serverId, to: to.id });
    } catch (e) {
      this.metrics.inc("op_conductor_leader_transfers_count", { success: false });
      if ((e as Error).message === ERR_NOT_LEADER) {
        this.log.warn("cannot transfer leadership since current server is not the leader");
        return;
      }
      this.log.error("failed to transfer leadership", { server: this.cfg.serverId, err: (e as Error).message });
      throw e;
    }
  }

  // ---- RPC -----------------------------------------------------------------------------------

  private rpcMethods(): Record<string, RpcHandler> {
    const str = (p: unknown[], i: number) => {
      if (p[i] === undefined || p[i] === null) throw missingArg(i);
      if (typeof p[i] !== "string") throw new RpcMethodError(`invalid argument ${i}: json: cannot unmarshal ${typeof p[i]} into Go value of type string`, -32602);
      return p[i] as string;
    };
    const uint = (p: unknown[], i: number) => {
      if (p[i] === undefined || p[i] === null) throw missingArg(i);
      const n = toNumber(p[i]);
      if (!Number.isInteger(n) || n < 0) throw new RpcMethodError(`invalid argument ${i}: expected a uint64`, -32602);
      return n;
    };
    const requireRunning = () => {
      if (this.stopped) throw new RpcMethodError("conductor is stopped");
    };
    const methods: Record<string, RpcHandler> = {
      conductor_leader: () => this.leaderOverride || this.raft.isLeader(),
      conductor_leaderWithID: () =>
        this.leaderOverride ? { id: "N/A (Leader overridden)", addr: "N/A", suffrage: 0 } : (this.raft.leader() ?? { id: "", addr: "", suffrage: 0 }),
      conductor_active: () => !this.paused && !this.stopped,
      conductor_paused: () => this.paused,
      conductor_stopped: () => this.stopped,
      conductor_pause: () => {
        if (!this.paused) this.log.info("OpConductor has been paused", { server: this.cfg.serverId });
        this.paused = true;
        return null;
      },
      conductor_resume: async () => {
        try {
          this.seqActive = (await callRpc<boolean>(this.cfg.nodeRpc, "admin_sequencerActive", [], 3000)) === true;
        } catch (e) {
          throw new RpcMethodError(`cannot resume because failed to get sequencer active status: ${(e as Error).message}`);
        }
        if (this.paused) this.log.info("OpConductor has been resumed", { server: this.cfg.serverId, active: this.seqActive });
        this.paused = false;
        this.queueAction();
        return null;
      },
      conductor_stop: async () => {
        if (this.stopped) return null;
        this.stopped = true;
        for (const t of this.timers) clearInterval(t);
        clearTimeout(this.retryTimer);
        await this.raft.stop();
        this.log.info("OpConductor stopped (RPC conductor_stop); the JSON-RPC server keeps answering", { server: this.cfg.serverId });
        return null;
      },
      conductor_sequencerHealthy: () => this.healthy,
      conductor_addServerAsVoter: async (p) => {
        requireRunning();
        await this.raft.addServer(str(p, 0), str(p, 1), 0, uint(p, 2));
        return null;
      },
      conductor_addServerAsNonvoter: async (p) => {
        requireRunning();
        await this.raft.addServer(str(p, 0), str(p, 1), 1, uint(p, 2));
        return null;
      },
      conductor_removeServer: async (p) => {
        requireRunning();
        await this.raft.removeServer(str(p, 0), uint(p, 1));
        return null;
      },
      conductor_transferLeader: async () => {
        requireRunning();
        if (!this.raft.isLeader()) throw new RpcMethodError(ERR_NOT_LEADER);
        await this.transferLeader();
        return null;
      },
      conductor_transferLeaderToServer: async (p) => {
        requireRunning();
        if (!this.raft.isLeader()) throw new RpcMethodError(ERR_NOT_LEADER);
        await this.transferLeader({ id: str(p, 0), addr: str(p, 1), suffrage: 0 });
        return null;
      },
      conductor_clusterMembership: () => {
        const c = this.raft.config();
        if (!c) throw new RpcMethodError("raft: not part of a cluster (no configuration; add this server on the leader)");
        return c;
      },
      conductor_commitUnsafePayload: async (p) => {
        requireRunning();
        if (p[0] === undefined || p[0] === null) throw missingArg(0);
        const head = payloadHead(p[0]);
        await this.raft.commitPayload(head, p[0]);
        this.log.debug("committed unsafe payload", { number: head.number, hash: head.hash });
        return null;
      },
      conductor_latestUnsafePayload: () => this.raft.latestPayload()?.payload ?? null,
      conductor_overrideLeader: (p) => {
        if (typeof p[0] !== "boolean") throw p[0] === undefined ? missingArg(0) : new RpcMethodError("invalid argument 0: expected a bool", -32602);
        this.leaderOverride = p[0];
        this.log.warn("leader override set", { server: this.cfg.serverId, override: p[0] });
        return null;
      },
      conductor_leaderOverridden: () => this.leaderOverride,
    };
    if (this.cfg.enableProxy) {
      const proxy = (backend: string, method: string): RpcHandler => async (params) => {
        let result: unknown;
        try {
          result = await callRpc(backend, method, params, 10000);
        } catch (e) {
          const err = e as RpcCallError;
          throw new RpcMethodError(err.message, err.kind === "rpc" && typeof err.code === "number" ? err.code : -32000);
        }
        if (!this.raft.isLeader()) throw new RpcMethodError("refusing to proxy request to non-leader sequencer");
        return result;
      };
      methods.eth_getBlockByNumber = proxy(this.cfg.executionRpc, "eth_getBlockByNumber");
      methods.miner_setMaxDASize = proxy(this.cfg.executionRpc, "miner_setMaxDASize");
      methods.optimism_syncStatus = proxy(this.cfg.nodeRpc, "optimism_syncStatus");
      methods.optimism_outputAtBlock = proxy(this.cfg.nodeRpc, "optimism_outputAtBlock");
      methods.optimism_rollupConfig = proxy(this.cfg.nodeRpc, "optimism_rollupConfig");
      methods.admin_sequencerActive = proxy(this.cfg.nodeRpc, "admin_sequencerActive");
    }
    return methods;
  }
}

function fatal(message: string): never {
  process.stderr.write(message.endsWith("\n") ? message : message + "\n");
  process.exit(1);
}

const USAGE = `NAME:
   op-conductor - Optimism Sequencer Conductor Service (stand-in ${VERSION})

USAGE:
   op-conductor [global options]

Required: --consensus.addr --consensus.port --raft.server.id --raft.storage.dir --node.rpc --execution.rpc
          --healthcheck.interval --healthcheck.unsafe-interval --healthcheck.min-peer-count, and --rollup.config or --network
`;

/** Runs the op-conductor stand-in with `argv` (everything after the binary name); resolves on shutdown. */
export async function runOpConductor(argv: string[]): Promise<void> {
  let cfg: ConductorConfig;
  try {
    cfg = conductorConfig(parseConductorFlags(argv));
  } catch (e) {
    if (e instanceof FlagError && e.message === "help requested") {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    if (e instanceof FlagError) fatal(`Incorrect Usage: ${e.message}\n\n${USAGE}\nerror: ${e.message}`);
    throw e;
  }
  const log = makeLogger(cfg.logLevel);
  if (cfg.rollupConfigPath) {
    try {
      const rollup = JSON.parse(readFileSync(cfg.rollupConfigPath, "utf8")) as { l2_chain_id?: unknown; block_time?: unknown };
      log.info("loaded rollup config", { path: cfg.rollupConfigPath, l2_chain_id: rollup.l2_chain_id ?? "?", block_time: rollup.block_time ?? "?" });
    } catch (e) {
      fatal(`failed to load rollup config: failed to read rollup config ${cfg.rollupConfigPath}: ${(e as Error).message}`);
    }
  } else {
    log.warn("--network given: the stand-in does not load named chain configs (none of its behaviour depends on it)", { network: cfg.network });
  }
  await new Conductor(cfg, log).run();
}
