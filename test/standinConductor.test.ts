import assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { opConductorCommand } from "../components/builders/opConductor";
import { ConductorRef, bootstrapCluster, findLeader, joinCluster, leaveCluster } from "../components/dynamic/conductorCluster";
import { rpcCall, waitFor } from "../components/dynamic/rpc";
import { EMBEDDED_FLAGS, acceptedFlags, conductorConfig, parseConductorFlags } from "./e2e/standin/conductorFlags";
import { payloadHead } from "./e2e/standin/opConductor";

/**
 * The op-conductor stand-in as separate host processes on loopback, each steering a tiny fake
 * sequencer (CL + EL JSON-RPC in one server), formed and changed with the program's own
 * conductorCluster functions: bootstrap, join, failover, full restart, removal, bad flags.
 */

const ROOT = resolve(__dirname, "..");
const MAIN = join(ROOT, "test/e2e/standin/conductorMain.ts");
const W = { timeoutMs: 20000, pollMs: 100 };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Block {
  number: number;
  hash: string;
  parentHash: string;
  timestamp: number;
}

const hex = (n: number) => "0x" + n.toString(16);
const newHash = () => "0x" + randomBytes(32).toString("hex");

/** The L2 chain as gossip shares it: every reachable node sees the same tip at once. */
class FakeChain {
  blocks: Block[] = [{ number: 0, hash: newHash(), parentHash: "0x" + "0".repeat(64), timestamp: Math.floor(Date.now() / 1000) - 100 }];
  nodes: FakeNode[] = [];
  tip = () => this.blocks[this.blocks.length - 1];
}

/**
 * A sequencer's kona-node + op-reth as one JSON-RPC endpoint. Like op-node, a block is published only
 * after its own conductor accepted `conductor_commitUnsafePayload`. `up = false` drops every
 * connection (a stopped container).
 */
class FakeNode {
  up = true;
  active = false;
  url = "";
  conductorRpc = "";
  calls: string[] = [];
  private server?: Server;
  private timer?: NodeJS.Timeout;
  private building = false;

  constructor(
    readonly index: number,
    readonly chain: FakeChain,
  ) {
    chain.nodes.push(this);
  }

  async start() {
    this.server = createServer((req, res) => {
      if (!this.up) return void req.socket.destroy();
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const { id, method, params = [] } = JSON.parse(body);
        this.calls.push(method);
        const reply = (o: object) => {
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ jsonrpc: "2.0", id, ...o }));
        };
        try {
          reply({ result: this.handle(method, params) });
        } catch (e) {
          reply({ error: { code: (e as { code?: number }).code ?? -32000, message: (e as Error).message } });
        }
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.timer = setInterval(() => void this.produce(), 250);
    return this;
  }

  async stop() {
    clearInterval(this.timer);
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  /** `docker stop`: refuses connections, stops sequencing. */
  down() {
    this.up = false;
    this.active = false;
  }
  /** `docker start`: back, stopped (`--sequencer.stopped`), caught up over gossip. */
  upAgain() {
    this.up = true;
  }

  private handle(method: string, params: unknown[]): unknown {
    const tip = this.chain.tip();
    const ref = (b: Block) => ({ number: b.number, hash: b.hash, timestamp: b.timestamp, parentHash: b.parentHash });
    switch (method) {
      case "admin_conductorEnabled":
        return true;
      case "admin_sequencerActive":
        return this.active;
      case "admin_startSequencer":
        this.active = true;
        return null;
      case "admin_stopSequencer":
        this.active = false;
        return tip.hash;
      case "admin_postUnsafePayload": {
        const h = payloadHead(params[0]);
        if (h.number === tip.number + 1) this.chain.blocks.push({ number: h.number, hash: h.hash, parentHash: tip.hash, timestamp: Math.floor(Date.now() / 1000) });
        return null;
      }
      case "optimism_syncStatus":
        return { unsafe_l2: ref(tip), safe_l2: ref(this.chain.blocks[Math.max(0, tip.number - 4)]), finalized_l2: ref(this.chain.blocks[0]) };
      case "opp2p_peerStats":
        return { connected: this.chain.nodes.filter((n) => n !== this && n.up).length };
      case "eth_getBlockByNumber": {
        const b = params[0] === "latest" ? tip : this.chain.blocks[Number.parseInt(String(params[0]), 16)];
        return b ? { number: hex(b.number), hash: b.hash, parentHash: b.parentHash, timestamp: hex(b.timestamp) } : null;
      }
      case "eth_blockNumber":
        return hex(tip.number);
      default:
        throw Object.assign(new Error(`the method ${method} does not exist/is not available`), { code: -32601 });
    }
  }

  /** Seals the next block, commits it to its conductor, publishes it only if the commit succeeded. */
  private async produce() {
    if (!this.up || !this.active || this.building || !this.conductorRpc) return;
    this.building = true;
    try {
      const parent = this.chain.tip();
      const b: Block = { number: parent.number + 1, hash: newHash(), parentHash: parent.hash, timestamp: Math.floor(Date.now() / 1000) };
      const envelope = { executionPayload: { blockNumber: hex(b.number), blockHash: b.hash, parentHash: b.parentHash, timestamp: hex(b.timestamp), transactions: [] } };
      await rpcCall(this.conductorRpc, "conductor_commitUnsafePayload", [envelope], 3000);
      if (this.up && this.active && this.chain.tip() === parent) this.chain.blocks.push(b);
    } catch {
      /* not the leader / conductor down: the block is withheld */
    } finally {
      this.building = false;
    }
  }
}

/** Replaces the value of `flag` in a command line. */
function setFlag(args: string[], flag: string, value: string) {
  const i = args.indexOf(flag);
  assert.ok(i >= 0, `${flag} in the plan's command`);
  args[i + 1] = value;
}

interface Proc {
  child: ChildProcess;
  log: string[];
  exit: Promise<number | null>;
}

const children = new Set<ChildProcess>();

function spawnConductor(args: string[]): Proc {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  children.add(child);
  const log: string[] = [];
  child.stderr!.on("data", (d) => log.push(...String(d).split("\n").filter(Boolean)));
  const exit = new Promise<number | null>((r) => child.on("exit", (code) => (children.delete(child), r(code))));
  return { child, log, exit };
}

describe("op-conductor stand-in: a 3-conductor Raft cluster over loopback", { timeout: 120000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "kup-conductor-"));
  const rollup = join(tmp, "rollup.json");
  const chain = new FakeChain();
  const nodes = [1, 2, 3].map((i) => new FakeNode(i, chain));
  const args: string[][] = [];
  const refs: ConductorRef[] = [];
  const procs: Proc[] = [];
  const metricsPorts: number[] = [];

  const activeNodes = () => nodes.filter((n) => n.active && n.up).map((n) => n.index);
  const leaders = async () => {
    const out: string[] = [];
    for (const r of refs) if (await rpcCall<boolean>(r.rpcUrl, "conductor_leader").catch(() => false)) out.push(r.serverId);
    return out;
  };
  const dump = () =>
    procs
      .slice(-3)
      .map((p, i) => `--- conductor ${i + 1}\n${p.log.slice(-25).join("\n")}`)
      .join("\n");

  before(async () => {
    writeFileSync(rollup, JSON.stringify({ l2_chain_id: 42069, block_time: 1 }));
    for (const n of nodes) await n.start();
    for (let i = 1; i <= 3; i++) {
      const [consensus, rpc, metrics] = [await freePort(), await freePort(), await freePort()];
      // The plan's exact command line for conductor i, with host-side addresses, ports and paths.
      const a = opConductorCommand({
        serverId: `sequencer-${i}`,
        containerName: `kup-dev-op-conductor-${i}`,
        bootstrap: i === 1,
        nodeRpc: nodes[i - 1].url,
        executionRpc: nodes[i - 1].url,
        l2BlockTime: 1,
      }).slice(1);
      setFlag(a, "--consensus.addr", "127.0.0.1");
      setFlag(a, "--consensus.port", String(consensus));
      setFlag(a, "--consensus.advertised", `127.0.0.1:${consensus}`);
      setFlag(a, "--raft.storage.dir", join(tmp, `raft-${i}`));
      setFlag(a, "--rollup.config", rollup);
      setFlag(a, "--rpc.addr", "127.0.0.1");
      setFlag(a, "--rpc.port", String(rpc));
      setFlag(a, "--metrics.addr", "127.0.0.1");
      setFlag(a, "--metrics.port", String(metrics));
      args.push(a);
      metricsPorts.push(metrics);
      refs.push({ serverId: `sequencer-${i}`, raftAddr: `127.0.0.1:${consensus}`, rpcUrl: `http://127.0.0.1:${rpc}` });
      nodes[i - 1].conductorRpc = `http://127.0.0.1:${rpc}`;
    }
    for (const a of args) procs.push(spawnConductor(a));
  });

  after(async () => {
    if (process.env.CONDUCTOR_LOGS) process.stderr.write(procs.map((p, i) => `--- conductor ${(i % 3) + 1}\n${p.log.join("\n")}`).join("\n") + "\n");
    for (const c of children) c.kill("SIGKILL");
    for (const n of nodes) await n.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("conductor 1 bootstraps: Raft leader of a one-voter cluster, paused; the others wait outside any cluster", async () => {
    await waitFor("conductor 1 to lead", async () => ((await rpcCall<boolean>(refs[0].rpcUrl, "conductor_leader")) ? true : undefined), W);
    assert.equal(await rpcCall(refs[0].rpcUrl, "conductor_paused"), true);
    assert.deepEqual(await rpcCall(refs[0].rpcUrl, "conductor_clusterMembership"), {
      servers: [{ id: "sequencer-1", addr: refs[0].raftAddr, suffrage: 0 }],
      version: 1,
    });
    await waitFor("conductor 2's RPC", () => rpcCall(refs[1].rpcUrl, "conductor_paused"), W);
    assert.equal(await rpcCall(refs[1].rpcUrl, "conductor_paused"), false);
    assert.equal(await rpcCall(refs[1].rpcUrl, "conductor_leader"), false);
    assert.deepEqual(await rpcCall(refs[1].rpcUrl, "conductor_leaderWithID"), { id: "", addr: "", suffrage: 0 });
    await assert.rejects(rpcCall(refs[1].rpcUrl, "conductor_clusterMembership"), /not part of a cluster/);
    assert.ok(nodes[0].calls.includes("admin_conductorEnabled"), "the startup handshake asked the node");
  });

  it("forms the cluster with the program's functions: start on the leader, resume, add 2 and 3 as voters", async () => {
    const boot = await bootstrapCluster({ conductor: refs[0], konaRpcUrl: nodes[0].url, ...W });
    assert.deepEqual(boot, { leader: "sequencer-1", started: true });
    for (const i of [1, 2]) {
      const joined = await joinCluster({ member: refs[i], anchors: refs.slice(0, i), ...W });
      assert.deepEqual(joined, { leader: "sequencer-1", added: true });
    }
    const m = await rpcCall<{ servers: { id: string }[] }>(refs[0].rpcUrl, "conductor_clusterMembership");
    assert.deepEqual(m.servers.map((s) => s.id), ["sequencer-1", "sequencer-2", "sequencer-3"]);
    for (const r of refs) assert.equal(await rpcCall(r.rpcUrl, "conductor_paused"), false);
    const start = chain.tip().number;
    await sleep(2500);
    assert.deepEqual(activeNodes(), [1], "exactly one active sequencer");
    assert.deepEqual(await leaders(), ["sequencer-1"]);
    assert.ok(chain.tip().number > start + 3, "the leader keeps sealing blocks through Raft");
    // Followers hold the replicated head.
    const followerHead = await rpcCall<{ executionPayload: { blockNumber: string } }>(refs[2].rpcUrl, "conductor_latestUnsafePayload");
    assert.ok(Number.parseInt(followerHead.executionPayload.blockNumber, 16) >= chain.tip().number - 2);
    assert.deepEqual(await rpcCall(refs[2].rpcUrl, "conductor_leaderWithID"), { id: "sequencer-1", addr: refs[0].raftAddr, suffrage: 0 });
  });

  it("refuses membership changes off the leader and unreachable new members; proxies only on the leader; exports metrics", async () => {
    await assert.rejects(rpcCall(refs[1].rpcUrl, "conductor_addServerAsVoter", ["sequencer-9", "127.0.0.1:9", 0]), /node is not the leader/);
    const closed = await freePort();
    await assert.rejects(
      rpcCall(refs[0].rpcUrl, "conductor_addServerAsVoter", ["sequencer-9", `127.0.0.1:${closed}`, 0]),
      new RegExp(`dial tcp 127.0.0.1:${closed}: connect: connection refused`),
    );
    await assert.rejects(rpcCall(refs[1].rpcUrl, "conductor_commitUnsafePayload", [{ executionPayload: { blockNumber: "0x1", blockHash: newHash() } }]), /node is not the leader/);
    const b = await rpcCall<{ hash: string }>(refs[0].rpcUrl, "eth_getBlockByNumber", ["0x1", false]);
    assert.equal(b.hash, chain.blocks[1].hash);
    assert.equal(await rpcCall(refs[0].rpcUrl, "admin_sequencerActive"), true);
    await assert.rejects(rpcCall(refs[1].rpcUrl, "optimism_syncStatus"), /refusing to proxy request to non-leader sequencer/);
    const res = await fetch(`http://127.0.0.1:${metricsPorts[0]}/metrics`);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /^op_conductor_up 1$/m);
    assert.match(text, /^op_conductor_leader 1$/m);
    assert.match(text, /^op_conductor_healthchecks_count\{success="true",error=""\} \d+$/m);
    assert.match(text, /^op_conductor_state_changes_count\{leader="true",healthy="true",active="true"\} \d+$/m);
  });

  it("fails over: the leader's node dies, another conductor leads within seconds and starts its sequencer", async () => {
    const before = chain.tip().number;
    const t0 = Date.now();
    nodes[0].down();
    const { newLeader } = await waitFor(
      "a new leader sequencing",
      async () => {
        const l = await leaders();
        const active = activeNodes();
        if (l.length === 1 && l[0] !== "sequencer-1" && active.length === 1 && `sequencer-${active[0]}` === l[0] && chain.tip().number > before + 2) {
          return { newLeader: l[0] };
        }
        throw new Error(`leaders ${l.join(",") || "none"}, active ${active.join(",") || "none"}, head ${chain.tip().number}`);
      },
      { timeoutMs: 15000, pollMs: 100 },
      (last) => `${last}\n${dump()}`,
    );
    const took = Date.now() - t0;
    assert.ok(took < 12000, `failover took ${took} ms`);
    assert.ok(procs[0].log.some((l) => /transferr(ing|ed) leadership/.test(l)), "conductor 1 handed leadership over");
    // The old node comes back stopped and stays a follower.
    nodes[0].upAgain();
    await sleep(2500);
    assert.deepEqual(await leaders(), [newLeader]);
    assert.deepEqual(activeNodes().map((i) => `sequencer-${i}`), [newLeader]);
  });

  it("re-forms after all three conductors restart on their storage: one leader, no bootstrap, no resume", async () => {
    for (const p of procs) p.child.kill("SIGTERM");
    const codes = await Promise.all(procs.map((p) => p.exit));
    assert.deepEqual(codes, [0, 0, 0], "SIGTERM exits 0");
    procs.push(...args.map((a) => spawnConductor(a)));
    const fresh = procs.slice(3);
    const before = chain.tip().number;
    await waitFor(
      "one leader and one sequencer producing after the restart",
      async () => {
        const l = await leaders();
        const active = activeNodes();
        if (l.length === 1 && active.length === 1 && `sequencer-${active[0]}` === l[0] && chain.tip().number > before + 2) return true;
        throw new Error(`leaders ${l.join(",") || "none"}, active ${active.join(",") || "none"}, head ${chain.tip().number}`);
      },
      { timeoutMs: 20000, pollMs: 100 },
      (last) => `${last}\n${dump()}`,
    );
    for (const r of refs) {
      await waitFor(`${r.serverId}'s RPC after the restart`, () => rpcCall<boolean>(r.rpcUrl, "conductor_paused"), W);
      assert.equal(await rpcCall(r.rpcUrl, "conductor_paused"), false);
    }
    await waitFor("conductor 3 to follow", async () => ((await rpcCall<{ id: string }>(refs[2].rpcUrl, "conductor_leaderWithID")).id || undefined), W);
    assert.ok(fresh[0].log.some((l) => /skipping bootstrap/.test(l)), "conductor 1 ignored --raft.bootstrap on existing state");
    const m = await rpcCall<{ servers: unknown[] }>(refs[1].rpcUrl, "conductor_clusterMembership");
    assert.equal(m.servers.length, 3);
  });

  it("removeServer shrinks the membership and the rest keeps a leader", async () => {
    const leader = await findLeader(refs, W);
    // Remove a follower (leaveCluster would first hand leadership over if it were the leader).
    const member = refs.find((r) => r.serverId !== leader.serverId)!;
    const res = await leaveCluster({ member, anchors: refs.filter((r) => r !== member), ...W });
    assert.equal(res.removedFrom, leader.serverId);
    const m = await rpcCall<{ servers: { id: string }[] }>(leader.rpcUrl, "conductor_clusterMembership");
    assert.deepEqual(m.servers.map((s) => s.id).sort(), refs.filter((r) => r !== member).map((r) => r.serverId).sort());
    await sleep(3500);
    assert.deepEqual(await leaders(), [leader.serverId], "the removed conductor does not campaign");
    await assert.rejects(rpcCall(leader.rpcUrl, "conductor_removeServer", [member.serverId, 1]), /configuration changed since 1/);
  });
});

describe("op-conductor stand-in: command line", () => {
  const plan = () =>
    opConductorCommand({
      serverId: "sequencer-1",
      containerName: "kup-dev-op-conductor-1",
      bootstrap: true,
      nodeRpc: "http://kup-dev-kona-node-sequencer-1:7545",
      executionRpc: "http://kup-dev-op-reth-sequencer-1:8545",
      l2BlockTime: 2,
    }).slice(1);

  it("reads its flag list from conformance/flags.json; the embedded fallback differs from it only as recorded", (t) => {
    const file = join(ROOT, "conformance/flags.json");
    if (!existsSync(file)) return t.skip("conformance/flags.json not present");
    const entry = JSON.parse(readFileSync(file, "utf8")).services["op-conductor"];
    assert.deepEqual([...acceptedFlags()].sort(), entry.flags.map((f: string) => f.replace(/^-+/, "")).sort());
    // The stand-in's embedded copy (test/e2e/standin/conductorFlags.ts) is the v0.9.0-window list;
    // conformance/pins/opConductor.json is read at op-conductor/v0.9.4 (op-conductor/flags/flags.go,
    // op-service/flags/flags.go + op-core/forks/forks.go). These are the differences; anything else is drift.
    const embedded = new Set(EMBEDDED_FLAGS);
    const data = new Set<string>(entry.flags);
    assert.deepEqual([...data].filter((f) => !embedded.has(f)).sort(), [
      "--override.karst",
      "--raft.round-robin-leader-transfer",
      "--rollup-boost.next-enabled",
      "--rollup-boost.next-healthcheck-url",
    ]);
    assert.deepEqual([...embedded].filter((f) => !data.has(f)).sort(), ["--supervisor.rpc"]);
  });

  it("accepts the plan's command line with op-conductor's meaning", () => {
    const c = conductorConfig(parseConductorFlags(plan(), {}));
    assert.equal(c.consensusAddr, "0.0.0.0");
    assert.equal(c.consensusPort, 50050);
    assert.equal(c.advertised, "kup-dev-op-conductor-1:50050");
    assert.equal(c.bootstrap, true);
    assert.equal(c.paused, false);
    assert.equal(c.enableProxy, true);
    assert.equal(c.metricsEnabled, true);
    assert.deepEqual([c.healthInterval, c.unsafeInterval, c.minPeerCount], [2, 5, 1]);
    assert.equal(c.rollupConfigPath, "/artifacts/rollup.json");
  });

  it("reads Go flag syntax: -x=v, booleans with =false, env fallback", () => {
    const c = conductorConfig(
      parseConductorFlags(
        ["-consensus.addr=127.0.0.1", "--rpc.enable-proxy=false", "--raft.bootstrap"],
        {
          OP_CONDUCTOR_CONSENSUS_PORT: "1",
          OP_CONDUCTOR_RAFT_SERVER_ID: "a",
          OP_CONDUCTOR_RAFT_STORAGE_DIR: "/d",
          OP_CONDUCTOR_NODE_RPC: "http://n",
          OP_CONDUCTOR_EXECUTION_RPC: "http://e",
          OP_CONDUCTOR_HEALTHCHECK_INTERVAL: "1",
          OP_CONDUCTOR_HEALTHCHECK_UNSAFE_INTERVAL: "3",
          OP_CONDUCTOR_HEALTHCHECK_MIN_PEER_COUNT: "1",
          OP_CONDUCTOR_NETWORK: "op-sepolia",
        },
      ),
    );
    assert.equal(c.consensusAddr, "127.0.0.1");
    assert.equal(c.enableProxy, false);
    assert.equal(c.bootstrap, true);
    assert.equal(c.serverId, "a");
  });

  it("rejects what op-conductor rejects", () => {
    assert.throws(() => parseConductorFlags(["--consensus.adr", "x"], {}), /^Error: flag provided but not defined: -consensus.adr$/);
    assert.throws(() => parseConductorFlags(["--node.rpc"], {}), /flag needs an argument: -node.rpc/);
    const without = (flag: string) => {
      const a = plan();
      const i = a.indexOf(flag);
      a.splice(i, a[i + 1]?.startsWith("--") ? 1 : 2);
      return a;
    };
    assert.throws(() => conductorConfig(parseConductorFlags(without("--raft.server.id"), {})), /flag raft.server.id is required/);
    assert.throws(() => conductorConfig(parseConductorFlags(without("--healthcheck.min-peer-count"), {})), /flag healthcheck.min-peer-count is required/);
    assert.throws(() => conductorConfig(parseConductorFlags(without("--rollup.config"), {})), /network or rollup.config/);
  });

  it("exits 1 on an unknown flag, a missing required flag and an unreadable rollup config", async () => {
    const run = async (a: string[]) => {
      const p = spawnConductor(a);
      return { code: await p.exit, err: p.log.join("\n") };
    };
    const [unknown, missing, rollup] = await Promise.all([
      run([...plan(), "--bogus.flag", "1"]),
      run(plan().filter((x, i, a) => x !== "--execution.rpc" && a[i - 1] !== "--execution.rpc")),
      run(plan()),
    ]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /flag provided but not defined: -bogus.flag/);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /flag execution.rpc is required/);
    assert.equal(rollup.code, 1);
    assert.match(rollup.err, /failed to load rollup config.*\/artifacts\/rollup.json/);
  });
});
