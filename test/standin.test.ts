import assert from "node:assert/strict";
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ROLES } from "../components/accounts";
import { intentToml, L1_ADDRESSES_MARKER, parseL1Addresses } from "../components/builders/opDeployer";
import { hexToNumber, rpcCall, sleep } from "../components/dynamic/rpc";
import { signLegacyTx } from "./e2e/standin/tx";
import { TxGossip } from "./e2e/standin/txGossip";
import { foundryBin } from "./helpers/l1Process";

/**
 * The e2e stand-ins (test/e2e/standin) as host processes on loopback, bundled exactly as the
 * stand-in image bundles them, against the REAL Anvil of the pinned foundry npm package:
 * op-deployer init/apply/inspect, an op-reth + kona-node sequencer, two validators following
 * over the P2P stand-in, a batcher moving the safe head, and command lines the upstream
 * binaries would reject.
 */
const ROOT = join(__dirname, "..");
const anvilBin = join(foundryBin("anvil"), "anvil");
const L1_CHAIN = 4242;
const L2_CHAIN = 65852;
const dir = mkdtempSync(join(tmpdir(), "kupcake-standin-"));
const bundle = join(dir, "standin.js");
const procs: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Run {
  proc: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}
function start(cmd: string, args: string[]): Run {
  // HOME inside the run's directory: a killed Anvil leaves its historical states in $HOME/.foundry.
  const proc = spawn(cmd, args, { env: { ...process.env, HOME: join(dir, "home") }, stdio: ["ignore", "pipe", "pipe"] });
  procs.push(proc);
  let err = "";
  proc.stderr!.on("data", (d) => (err += d));
  proc.stdout!.on("data", () => undefined);
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  return { proc, stderr: () => err, exited };
}
const standin = (service: string, args: string[]) => start(process.execPath, [bundle, service, ...args]);

/** Runs a one-shot stand-in to completion. */
async function runToEnd(service: string, args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stderr: string }> {
  const r = standin(service, args);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((res) => (timer = setTimeout(() => res("timeout"), timeoutMs)));
  const code = await Promise.race([r.exited, timeout]);
  clearTimeout(timer);
  if (code === "timeout") assert.fail(`${service} ${args.join(" ")} did not finish: ${r.stderr()}`);
  return { code, stderr: r.stderr() };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, logs: () => string = () => ""): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: ${last}\n${logs().slice(-3000)}`);
    await sleep(200);
  }
}

interface SyncStatus {
  unsafe_l2: { number: number; hash: string };
  safe_l2: { number: number; hash: string };
  finalized_l2: { number: number };
}

after(() => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe("e2e stand-ins on loopback with a real Anvil", { timeout: 90_000 }, () => {
  let l1Url = "";
  const work = join(dir, "deployer");
  const art = (f: string) => join(work, f);

  before(async () => {
    execFileSync(join(ROOT, "node_modules/.bin/esbuild"), [join(ROOT, "test/e2e/standin/main.ts"), "--bundle", "--platform=node", "--target=node20", "--log-level=warning", `--outfile=${bundle}`], { cwd: ROOT });
    const port = await freePort();
    const anvil = start(anvilBin, ["--host", "127.0.0.1", "--port", String(port), "--chain-id", String(L1_CHAIN), "--block-time", "1", "--accounts", "12"]);
    l1Url = `http://127.0.0.1:${port}`;
    await until("anvil", async () => hexToNumber(await rpcCall(l1Url, "eth_chainId")), 20_000, anvil.stderr);
  });

  it("rejects command lines the upstream binaries would reject", async () => {
    const unknown = await runToEnd("op-batcher", ["--l1-eth-rpc", l1Url, "--l2-eth-rpc", "http://a", "--rollup-rpc", "http://b", "--no-such-flag", "1"]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /flag provided but not defined: -no-such-flag/);
    const unequal = await runToEnd("op-batcher", ["--l1-eth-rpc", l1Url, "--l2-eth-rpc", "http://a,http://b", "--rollup-rpc", "http://c", "--private-key", ROLES.batcher.privateKey]);
    assert.equal(unequal.code, 1);
    assert.match(unequal.stderr, /must match the number of rollup endpoints/);
    const required = await runToEnd("op-challenger", ["--l1-eth-rpc", l1Url]);
    assert.equal(required.code, 1);
    assert.match(required.stderr, /Required flags "datadir, l1-beacon" not set/);
    const clap = await runToEnd("kona-node", ["--chain", String(L2_CHAIN), "node", "--l1-eth-rpc", l1Url, "--bogus"]);
    assert.equal(clap.code, 2, "clap exits 2 on usage errors");
    assert.match(clap.stderr, /error: unexpected argument '--bogus' found/);
    const before = await runToEnd("kona-node", ["--mode", "sequencer", "node"]);
    assert.match(before.stderr, /unexpected argument '--mode'/, "node flags are not accepted before the subcommand");
  });

  it("op-deployer init, apply and inspect produce the artifacts from real L1 transactions", async () => {
    const g = ["--cache-dir", join(work, ".cache")];
    const init = await runToEnd("op-deployer", [...g, "init", "--l1-chain-id", String(L1_CHAIN), "--l2-chain-ids", String(L2_CHAIN), "--workdir", work, "--intent-type", "custom"]);
    assert.equal(init.code, 0, init.stderr);
    const applyArgs = [...g, "apply", "--workdir", work, "--l1-rpc-url", l1Url, "--private-key", ROLES.deployer.privateKey, "--deployment-target", "live"];
    // init's own intent has zero roles and recipients: apply refuses it, as op-deployer does.
    const refused = await runToEnd("op-deployer", applyArgs);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /must be set/);
    writeFileSync(art("intent.toml"), intentToml({ l1ChainId: L1_CHAIN, l2ChainId: L2_CHAIN, l2BlockTime: 1 }));
    const apply = await runToEnd("op-deployer", applyArgs);
    assert.equal(apply.code, 0, apply.stderr);
    for (const [what, file] of [["genesis", "genesis.json"], ["rollup", "rollup.json"], ["l1", "l1-addresses.json"]]) {
      const r = await runToEnd("op-deployer", [...g, "inspect", what, "--workdir", work, "--outfile", art(file), String(L2_CHAIN)]);
      assert.equal(r.code, 0, r.stderr);
    }
    const unknownChain = await runToEnd("op-deployer", [...g, "inspect", "rollup", "--workdir", work, "--outfile", art("x.json"), "999"]);
    assert.equal(unknownChain.code, 1);
    const addrs = parseL1Addresses(`${L1_ADDRESSES_MARKER} ${readFileSync(art("l1-addresses.json"), "utf8").replace(/\s/g, "")}`);
    for (const c of ["DisputeGameFactoryProxy", "OptimismPortalProxy", "SystemConfigProxy", "L1StandardBridgeProxy", "AnchorStateRegistryProxy"]) {
      const code = await rpcCall<string>(l1Url, "eth_getCode", [addrs[c], "latest"]);
      assert.ok(code.length > 2, `${c} has code on L1`);
    }
    const rollup = JSON.parse(readFileSync(art("rollup.json"), "utf8"));
    assert.equal(rollup.l2_chain_id, L2_CHAIN);
    assert.equal(rollup.block_time, 1);
    assert.equal(rollup.genesis.system_config.batcherAddr, ROLES.batcher.address.toLowerCase());
    const genesis = JSON.parse(readFileSync(art("genesis.json"), "utf8"));
    assert.equal(genesis.config.chainId, L2_CHAIN);
    assert.ok(genesis.alloc[ROLES.deployer.address.toLowerCase()], "dev accounts funded");
    writeFileSync(art("l1-chain-config.json"), JSON.stringify({ chainId: L1_CHAIN }));
  });

  it("a sequencer seals blocks, validators follow over P2P, a batcher moves the safe head", async () => {
    const jwt = join(dir, "jwt.hex");
    writeFileSync(jwt, "ab".repeat(32));
    const node = async (name: string, mode: "sequencer" | "validator", bootnodes: string[], rethPeers: string[] = []) => {
      const [http, ws, auth, metrics, rpc, p2p, km, rethP2p] = await Promise.all(Array.from({ length: 8 }, freePort));
      const datadir = join(dir, name);
      mkdirSync(datadir);
      const reth = standin("op-reth", [
        "node", "--chain", art("genesis.json"), "--datadir", datadir, "--http", "--http.addr", "127.0.0.1", "--http.port", String(http),
        "--ws", "--ws.addr", "127.0.0.1", "--ws.port", String(ws), "--authrpc.addr", "127.0.0.1", "--authrpc.port", String(auth),
        "--authrpc.jwtsecret", jwt, "--metrics", `127.0.0.1:${metrics}`, "--addr", "127.0.0.1", "--port", String(rethP2p),
        "--nat", "extaddr:127.0.0.1", ...(rethPeers.length ? ["--trusted-peers", rethPeers.join(",")] : []),
      ]);
      const kona = standin("kona-node", [
        "--metrics.enabled", "--metrics.addr", "127.0.0.1", "--metrics.port", String(km), "--chain", String(L2_CHAIN), "node", "--mode", mode,
        "--l1-eth-rpc", l1Url, "--l1-beacon", l1Url, "--l1.slot-duration-override", "1", "--l1-config-file", art("l1-chain-config.json"),
        "--l2-engine-rpc", `http://127.0.0.1:${auth}`, "--l2-engine-jwt-secret", jwt, "--l2-config-file", art("rollup.json"),
        "--rpc.addr", "127.0.0.1", "--rpc.port", String(rpc), "--p2p.listen.ip", "127.0.0.1", "--p2p.listen.tcp", String(p2p),
        "--p2p.advertise.ip", "127.0.0.1", ...(bootnodes.length ? ["--p2p.bootnodes", bootnodes.join(",")] : []),
        ...(mode === "sequencer" ? ["--rpc.enable-admin", "--sequencer.l1-confs", "1"] : []),
      ]);
      const logs = () => reth.stderr() + kona.stderr();
      return { reth: `http://127.0.0.1:${http}`, kona: `http://127.0.0.1:${rpc}`, metrics: `http://127.0.0.1:${km}/metrics`, rethMetrics: `http://127.0.0.1:${metrics}/metrics`, enode: `enode://${"11".repeat(64)}@127.0.0.1:${p2p}`, rethEnode: `enode://${"22".repeat(64)}@localhost:${rethP2p}`, auth: `http://127.0.0.1:${auth}`, logs };
    };
    const seq = await node("seq", "sequencer", []);
    // op-reth peers as in the plan: validators dial the sequencer and earlier validators; no forwarding.
    const v1 = await node("v1", "validator", [seq.enode], [seq.rethEnode]);
    const v2 = await node("v2", "validator", [seq.enode, v1.enode], [seq.rethEnode, v1.rethEnode]);

    assert.equal(await rpcCall(seq.kona, "admin_sequencerActive").catch(() => undefined).then(async (a) => a ?? until("kona rpc", () => rpcCall<boolean>(seq.kona, "admin_sequencerActive"), 15_000, seq.logs)), true);
    const head = await until("sequencer head past 3", async () => {
      const s = await rpcCall<SyncStatus>(seq.kona, "optimism_syncStatus");
      return s.unsafe_l2.number >= 3 ? s.unsafe_l2 : undefined;
    }, 30_000, seq.logs);
    // The engine API refuses calls without the JWT.
    const noJwt = await fetch(seq.auth, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
    assert.equal(noJwt.status, 401);

    // A transaction sent to a validator enters its pool, is gossiped to the sequencer's op-reth and
    // included in the sequencer's next block; it shows up everywhere.
    await until("validator 1's op-reth past its initial sync (first new head)", async () => {
      const n = hexToNumber(await rpcCall<string>(v1.reth, "eth_blockNumber"));
      const peers = hexToNumber(await rpcCall<string>(v1.reth, "net_peerCount"));
      return n >= 1 && peers >= 1 ? true : undefined;
    }, 20_000, v1.logs);
    const tx = signLegacyTx({ chainId: L2_CHAIN, nonce: 0, gasPrice: 2_000_000_000n, gas: 21_000n, to: ROLES.proposer.address, value: 12345n, data: "0x" }, ROLES.challenger.privateKey);
    assert.equal(await rpcCall(v1.reth, "eth_sendRawTransaction", [tx.raw]), tx.hash);
    const onSeq = await until("tx receipt on the sequencer", () => rpcCall<{ blockNumber: string } | null>(seq.reth, "eth_getTransactionReceipt", [tx.hash]).then((r) => r ?? undefined), 15_000, () => v1.logs() + seq.logs());
    assert.ok(hexToNumber(onSeq.blockNumber) > 0);

    for (const v of [v1, v2]) {
      await until("validator following the sequencer", async () => {
        const s = await rpcCall<SyncStatus>(v.kona, "optimism_syncStatus");
        if (s.unsafe_l2.number < head.number) return undefined;
        const b = await rpcCall<{ hash: string }>(v.reth, "eth_getBlockByNumber", ["0x" + head.number.toString(16), false]);
        assert.equal(b.hash, head.hash);
        return true;
      }, 20_000, v.logs);
    }
    const receipt = await until("tx receipt on validator 2", () => rpcCall<{ status: string } | null>(v2.reth, "eth_getTransactionReceipt", [tx.hash]).then((r) => r ?? undefined), 15_000, v2.logs);
    assert.equal(receipt.status, "0x1");
    assert.equal(BigInt(await rpcCall<string>(v2.reth, "eth_getBalance", [ROLES.proposer.address, "latest"])), 10n ** 22n + 12345n);
    await until("the sequencer hearing from both validators", async () => {
      const peers = await rpcCall<{ connected: number }>(seq.kona, "opp2p_peerStats");
      return peers.connected >= 2 ? true : undefined;
    }, 10_000, () => v2.logs());

    const [brpc, bm] = await Promise.all([freePort(), freePort()]);
    const batcher = standin("op-batcher", [
      "--l1-eth-rpc", l1Url, "--l2-eth-rpc", seq.reth, "--rollup-rpc", seq.kona, "--private-key", ROLES.batcher.privateKey,
      "--data-availability-type", "calldata", "--num-confirmations", "1", "--poll-interval", "500ms", "--rpc.addr", "127.0.0.1", "--rpc.port", String(brpc),
      "--metrics.enabled", "--metrics.addr", "127.0.0.1", "--metrics.port", String(bm), "--log.level", "info",
    ]);
    for (const k of [seq.kona, v2.kona]) {
      await until("safe head advancing", async () => {
        const s = await rpcCall<SyncStatus>(k, "optimism_syncStatus");
        return s.safe_l2.number > 0 && s.finalized_l2.number > 0 ? s : undefined;
      }, 25_000, () => batcher.stderr() + seq.logs());
    }
    const metrics = await (await fetch(seq.metrics)).text();
    assert.match(metrics, /kona_node_block_labels\{label="safe"\} [1-9]/);
    assert.match(await (await fetch(seq.rethMetrics)).text(), /reth_blockchain_tree_canonical_chain_height [1-9]/);
    assert.match(await (await fetch(`http://127.0.0.1:${bm}/metrics`)).text(), /op_batcher_default_refs_number\{layer="l1",type="latest"\} [1-9]/);

    // SIGTERM: prompt exit 0, as docker stop expects.
    batcher.proc.kill("SIGTERM");
    assert.equal(await batcher.exited, 0);
  });
});

describe("op-reth stand-in devp2p transaction gossip (txGossip.ts)", () => {
  /** A gossiping node whose "pool" is a set of raw transactions. */
  async function gossipNode(trustedPeers: string[], o: { disabled?: boolean; syncing?: boolean } = {}) {
    const port = await freePort();
    const pool = new Set<string>();
    const state = { syncing: o.syncing ?? false };
    const g = new TxGossip({
      host: "127.0.0.1", port, self: `127.0.0.1:${port}`, trustedPeers, disabled: o.disabled ?? false,
      initiallySyncing: () => state.syncing,
      pooled: () => [...pool],
      accept: (raw) => (pool.has(raw) ? false : (pool.add(raw), true)),
    });
    await g.start();
    const add = (raw: string) => {
      pool.add(raw);
      g.propagate(raw);
    };
    return { g, pool, state, add, enode: `enode://${"33".repeat(64)}@localhost:${port}` };
  }
  const eventually = (what: string, probe: () => boolean, ms = 5000) => until(what, async () => (probe() ? true : undefined), ms, () => "");

  it("a transaction added at a validator reaches a sequencer two hops away over trusted-peer sessions, both directions", async () => {
    const seq = await gossipNode([]);
    const v1 = await gossipNode([seq.enode]);
    const v2 = await gossipNode([v1.enode]);
    try {
      await eventually("sessions v2-v1-seq", () => v1.g.sessions.size === 2 && seq.g.sessions.size === 1);
      v2.add("0xaa");
      await eventually("0xaa at the sequencer", () => seq.pool.has("0xaa"));
      assert.ok(v1.pool.has("0xaa"), "relayed by the middle node");
      seq.add("0xbb"); // inbound sessions carry transactions too
      await eventually("0xbb at validator 2", () => v2.pool.has("0xbb"));
    } finally {
      [seq, v1, v2].forEach((n) => n.g.stop());
    }
  });

  it("a new session gets the pool; a syncing node or disabled gossip imports nothing and nothing is re-announced", async () => {
    const syncing = await gossipNode([], { syncing: true });
    const off = await gossipNode([], { disabled: true });
    const v = await gossipNode([syncing.enode, off.enode]);
    try {
      v.pool.add("0x01"); // in the pool before any session opens
      await eventually("sessions", () => v.g.sessions.size === 2);
      await sleep(300);
      assert.equal(syncing.pool.size, 0, "ignored during initial sync");
      assert.equal(off.pool.size, 0, "ignored with --rollup.disable-tx-pool-gossip");
      syncing.state.syncing = false; // its first new head
      v.add("0x02");
      await eventually("0x02 at the node that finished syncing", () => syncing.pool.has("0x02"));
      assert.ok(!syncing.pool.has("0x01"), "what arrived while it synced is not re-announced");
    } finally {
      [syncing, off, v].forEach((n) => n.g.stop());
    }
  });

  it("a trusted peer whose name does not resolve is skipped (retried later), the others still work", async () => {
    const seq = await gossipNode([]);
    const v = await gossipNode([`enode://${"44".repeat(64)}@kupcake-no-such-sequencer-9.invalid:30303`, seq.enode]);
    try {
      assert.deepEqual(v.g.unresolved(), ["kupcake-no-such-sequencer-9.invalid:30303"]);
      await eventually("session with the resolvable one", () => seq.g.sessions.size === 1);
      v.add("0xcc");
      await eventually("0xcc at the sequencer", () => seq.pool.has("0xcc"));
    } finally {
      [seq, v].forEach((n) => n.g.stop());
    }
  });
});
