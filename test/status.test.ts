import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bootstrapCluster, joinCluster } from "../components/dynamic/conductorCluster";
import { validateConfig } from "../components/config/validate";
import { DevnetEndpoints, endpointsFromConfig, endpointsFromOutputs } from "../ops/endpoints";
import { ROLES } from "../components/accounts";
import { MAX_SAFE_LAG_SECONDS, SELECTORS, collectStatus, statusTable } from "../ops/status";
import { DevnetDouble } from "./double/devnetDouble";
import { plan } from "./helpers/plan";
import { spawnSync } from "node:child_process";
import { ROOT } from "./helpers/plan";

const FAST = { timeoutMs: 3000, pollMs: 10 };

function endpoints(d: DevnetDouble, conductors: boolean): DevnetEndpoints {
  const seq = d.seqs.map((s) => ({ role: "sequencer" as const, index: s.index, opReth: `r-${s.index}`, ws: "", konaNode: `kona-sequencer-${s.index}`, rpc: d.rethUrl(s.index), kona: d.konaUrl(s.index), ...(conductors ? { conductorRpc: d.conductorUrl(s.index) } : {}) }));
  // The double's chains: L1 900, L2 901 (0x385).
  return { network: "kup-test", l1Rpc: d.url("/l1"), sequencers: seq, validators: [], source: "stack config", l1ChainId: 900, l2ChainId: 901, blockTime: 0.02, l2BlockTime: 2 };
}

const W = { windowMs: 150 };

describe("npm run status against the JSON-RPC double", () => {
  it("a formed cluster is healthy: one leader, one active sequencer, heads and peers shown", async () => {
    const d = await new DevnetDouble({ sequencers: 3, conductors: true }).start();
    try {
      const refs = d.conds.map((c) => ({ serverId: c.id, raftAddr: c.addr, rpcUrl: d.conductorUrl(c.index) }));
      await bootstrapCluster({ conductor: refs[0], konaRpcUrl: d.konaUrl(1), ...FAST });
      for (let i = 1; i < 3; i++) await joinCluster({ member: refs[i], anchors: refs.slice(0, i), ...FAST });
      const s = await collectStatus(endpoints(d, true), W);
      assert.deepEqual(s.problems, []);
      assert.equal(s.l1.chainId, 900);
      assert.ok(s.l1.advanced! > 0, "the L1 mined during the window");
      assert.ok(s.nodes.every((n) => n.chainId === 901));
      assert.ok(s.batcher.safeMoved! > 0, "the safe head moved");
      assert.deepEqual(s.nodes.map((n) => [n.leader, n.active]), [[true, true], [false, false], [false, false]]);
      assert.ok(s.nodes.every((n) => n.unsafe! > 0 && n.peers === 2));
      const table = statusTable(s);
      assert.match(table, /^NODE\s+ROLE\s+CHAIN\s+UNSAFE\s+SAFE\s+FINALIZED\s+PEERS\s+LAG\s+ACTIVE\s+LEADER\s+HEALTHY/);
      assert.match(table, /kona-sequencer-1\s+sequencer 1\s+901\s+\d+\s+\d+\s+\d+\s+2\s+\d+\s+yes\s+yes\s+yes/);
      assert.match(table, /\nL1 +chain 900, block \d+ \(\+\d+ in 0\.1s\) \(http:\/\/127\.0\.0\.1:\d+\/l1\)/);
      assert.match(table, /\nbatcher +safe head \d+ \(\+\d+ in 0\.1s\), \d+ blocks behind the unsafe head/);
      assert.match(table, /healthy: kup-test$/);
    } finally {
      await d.stop();
    }
  });

  it("unhealthy: an unreachable node and no active sequencer are named", async () => {
    const d = await new DevnetDouble({ sequencers: 2, conductors: true }).start();
    try {
      d.stopNode(2);
      const s = await collectStatus(endpoints(d, true), W);
      assert.match(s.problems.join("\n"), /kona-sequencer-2 does not answer/);
      assert.match(s.problems.join("\n"), /0 sequencers are active/);
      assert.match(statusTable(s), /UNHEALTHY:\n  - /);
      assert.match(statusTable(s), /kona-sequencer-2\s+sequencer 2\s+-\s+unreachable/);
    } finally {
      await d.stop();
    }
  });

  it("a lone sequencer needs no conductor to be healthy", async () => {
    const d = await new DevnetDouble({ sequencers: 1, conductors: false }).start();
    try {
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual((await collectStatus(endpoints(d, false), W)).problems, []);
    } finally {
      await d.stop();
    }
  });

  it("endpoints from the stack outputs equal the ones derived from the config", async () => {
    const p = await plan({}, "multi-sequencer");
    const fromOutputs = endpointsFromOutputs(p.outputs as never);
    const fromConfig = endpointsFromConfig(validateConfig("multi-sequencer", { sequencerCount: 3, l2Nodes: 7 }));
    // Block times are config only; contract addresses exist only in real outputs (unknown in a plan).
    assert.match(fromOutputs.contracts?.DisputeGameFactoryProxy ?? "", /^0x[0-9a-f]{40}$/);
    const { contracts: _c, source: _s, ...outs } = fromOutputs;
    const { blockTime: _b, l2BlockTime: _l, source: _t, ...conf } = fromConfig;
    assert.deepEqual(outs, conf);
  });
});

const word = (v: bigint | number | string) => (typeof v === "string" ? v.replace(/^0x/, "").padStart(64, "0") : BigInt(v).toString(16).padStart(64, "0"));

describe("npm run status: L1, batcher and proposer progress; chain ids", () => {
  it("a node whose port answers for another chain is never reported under this stack's names", async () => {
    const d = await new DevnetDouble({ sequencers: 2, conductors: true }).start();
    try {
      d.overrides.set("/reth/2 eth_chainId", () => "0x2a");
      const s = await collectStatus(endpoints(d, true), W);
      const n2 = s.nodes.find((n) => n.index === 2)!;
      assert.equal(n2.foreign, true);
      assert.equal(n2.unsafe, undefined, "no heads of the foreign node");
      assert.match(s.problems.join("\n"), /kona-sequencer-2: its op-reth port \S+ answers for chain 42, not this stack's chain 901: another devnet holds the port; its heads are not shown/);
      assert.match(statusTable(s), /kona-sequencer-2\s+sequencer 2\s+42\s+foreign/);
    } finally {
      await d.stop();
    }
  });

  it("the L1: another chain on its port, or a chain that does not mine, is unhealthy", async () => {
    const d = await new DevnetDouble({ sequencers: 1, conductors: false }).start();
    try {
      d.overrides.set("/l1 eth_chainId", () => "0x1");
      assert.match((await collectStatus(endpoints(d, false), W)).problems.join("\n"), /the L1 port \S+ answers for chain 1, not this stack's L1 chain 900: another devnet holds the port/);
      d.overrides.delete("/l1 eth_chainId");
      d.overrides.set("/l1 eth_blockNumber", () => "0x10");
      assert.match((await collectStatus(endpoints(d, false), W)).problems.join("\n"), /the L1 does not mine: block 16 for 0\.1s \(block time 0\.02s\)/);
      // One snapshot (window 0) judges no progress.
      assert.doesNotMatch((await collectStatus(endpoints(d, false), { windowMs: 0 })).problems.join("\n"), /does not mine/);
    } finally {
      await d.stop();
    }
  });

  it("the batcher: a safe head far behind that does not move is unhealthy; its L1 transactions are counted", async () => {
    const d = await new DevnetDouble({ sequencers: 1, conductors: false, batcher: false }).start();
    try {
      let txs = 5;
      d.overrides.set("/l1 eth_getTransactionCount", (params) => (String(params[0]).toLowerCase() === ROLES.batcher.address.toLowerCase() ? "0x" + (txs++).toString(16) : undefined));
      await new Promise((r) => setTimeout(r, 200));
      // With a 60 s L2 block time, 2 blocks are the 120 s limit.
      const e = { ...endpoints(d, false), l2BlockTime: MAX_SAFE_LAG_SECONDS / 2 };
      const s = await collectStatus(e, W);
      assert.equal(s.batcher.safe, 0);
      assert.equal(s.batcher.safeMoved, 0);
      assert.equal(s.batcher.l1TxsDuringWindow, 1);
      assert.match(s.problems.join("\n"), /the batcher makes no progress: the safe head 0 is \d+ blocks behind the unsafe head \d+ and did not move in 0\.1s; see docker logs kup-test-op-batcher/);
    } finally {
      await d.stop();
    }
  });

  it("the proposer: its L1 transactions and the latest dispute game (L2 block, output root, age)", async () => {
    const d = await new DevnetDouble({ sequencers: 1, conductors: false }).start();
    try {
      const factory = "0x" + "fa".repeat(20);
      const game = "0x" + "9a".repeat(20);
      const root = "0x" + "ab".repeat(32);
      d.overrides.set("/l1 eth_getTransactionCount", (params) => (String(params[0]).toLowerCase() === ROLES.proposer.address.toLowerCase() ? "0x7" : "0x0"));
      d.overrides.set("/l1 eth_call", (params) => {
        const { to, data } = params[0] as { to: string; data: string };
        if (to === factory && data === SELECTORS.gameCount) return "0x" + word(3);
        if (to === factory && data === SELECTORS.gameAtIndex + word(2)) return "0x" + word(1) + word(1_000_000) + word(game);
        if (to === game && data === SELECTORS.l2BlockNumber) return "0x" + word(480);
        if (to === game && data === SELECTORS.rootClaim) return "0x" + word(root);
        return "0x";
      });
      const e = { ...endpoints(d, false), proposerRpc: "http://127.0.0.1:1", contracts: { DisputeGameFactoryProxy: factory } };
      const s = await collectStatus(e, { ...W, nowSeconds: () => 1_000_042 });
      assert.deepEqual(s.proposer, { l1Txs: 7, l1TxsDuringWindow: 0, latestGame: { count: 3, index: 2, gameType: 1, createdAt: 1_000_000, ageSeconds: 42, proxy: game, l2Block: 480, rootClaim: root } });
      assert.match(statusTable(s), /\nproposer +7 L1 transactions \(\+0 in 0\.1s\); latest game #2 \(type 1\): L2 block 480, output root 0xabab\w+, 42s old/);
      const stale = await collectStatus(e, { windowMs: 0, nowSeconds: () => 1_000_000 + 3600 });
      assert.match(stale.warnings.join("\n"), /latest dispute game is 3600s old/);
      assert.deepEqual(stale.problems, [], "a stale game warns, it does not fail the status");
      // A factory that returns nothing (not a DisputeGameFactory) is said so, not decoded.
      const blank = await collectStatus({ ...e, contracts: { DisputeGameFactoryProxy: "0x" + "00".repeat(20) } }, { windowMs: 0 });
      assert.match(blank.proposer!.gameNote!, /returned "0x" for gameCount\(\)/);
    } finally {
      await d.stop();
    }
  });

  it("the selectors are the keccak-256 of the signatures", async () => {
    const { keccak_256 } = await import("@noble/hashes/sha3.js");
    const sel = (sig: string) => "0x" + Buffer.from(keccak_256(new TextEncoder().encode(sig))).toString("hex").slice(0, 8);
    assert.deepEqual(SELECTORS, { gameCount: sel("gameCount()"), gameAtIndex: sel("gameAtIndex(uint256)"), l2BlockNumber: sel("l2BlockNumber()"), rootClaim: sel("rootClaim()") });
  });

  it("npm run status with nothing running: exit 1, every part unreachable, the hint first; unknown stack: exit 2", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/status.ts", "--stack", "dev", "--window", "0"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, PATH: "/usr/bin:/bin" } });
    // Another devnet may hold the default ports on this machine; then its chain ids differ from dev's.
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /UNHEALTHY:\n  - (nothing of stack dev answers: is it running\? Create it with npm run up -- --stack dev|.*another devnet holds the port)/);
    const bad = spawnSync(process.execPath, ["--import", "tsx", "scripts/status.ts", "--stack", "nosuch"], { cwd: ROOT, encoding: "utf8" });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /no stack file .*Pulumi\.nosuch\.yaml/);
    assert.equal(bad.stdout, "");
  });
});
