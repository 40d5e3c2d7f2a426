import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { bootstrapCluster, joinCluster } from "../components/dynamic/conductorCluster";
import { ROLES } from "../components/accounts";
import { DRILL_TX_ACCOUNT, DrillControl, DrillOptions, drillTable, drillTargetsRefusal, failoverRound, probeSequencers, reachabilityRefusal, sendProbeTx, summarize } from "../ops/drill";
import { NodeEndpoint } from "../ops/endpoints";
import { DevnetDouble, DoubleOptions } from "./double/devnetDouble";
import { ROOT } from "./helpers/plan";

const FAST = { timeoutMs: 3000, pollMs: 10 };

async function cluster(opts: Partial<DoubleOptions> = {}) {
  const d = await new DevnetDouble({ sequencers: 3, conductors: true, tickMs: 20, ...opts }).start();
  const refs = d.conds.map((c) => ({ serverId: c.id, raftAddr: c.addr, rpcUrl: d.conductorUrl(c.index) }));
  await bootstrapCluster({ conductor: refs[0], konaRpcUrl: d.konaUrl(1), ...FAST });
  for (let i = 1; i < refs.length; i++) await joinCluster({ member: refs[i], anchors: refs.slice(0, i), ...FAST });
  const seqs: NodeEndpoint[] = d.seqs.map((s) => ({
    role: "sequencer",
    index: s.index,
    opReth: `kup-op-reth-sequencer-${s.index}`, ws: "",
    konaNode: `kup-kona-node-sequencer-${s.index}`,
    rpc: d.rethUrl(s.index),
    kona: d.konaUrl(s.index),
    conductorRpc: d.conductorUrl(s.index),
  }));
  const index = (container: string) => Number(container.split("-").pop());
  const control: DrillControl = {
    stop: async (cs) => cs.forEach((c) => d.stopNode(index(c))),
    start: async (cs) => cs.forEach((c) => d.startNode(index(c))),
  };
  return { d, seqs, control };
}

const OPTS: DrillOptions = { stepTimeoutMs: 3000, pollMs: 10, wedgeMs: 800 };

describe("failover drill against scripted timelines", () => {
  it("fast election: passes, measures each phase, no gap, old leader rejoins", async () => {
    const { d, seqs, control } = await cluster({ electionTicks: 1 });
    try {
      const lines: string[] = [];
      const r = await failoverRound(1, seqs, control, { ...OPTS, log: (l) => lines.push(l) });
      assert.equal(r.passed, true, r.failure);
      assert.equal(r.oldLeader, 1);
      assert.equal(r.newLeader, 2);
      assert.equal(r.gapBlocks, 0);
      assert.ok(r.electionMs! >= 0 && r.firstBlockMs! >= r.electionMs! && r.rejoinMs! >= 0);
      assert.match(lines.join("\n"), /leader is sequencer-1[\s\S]*stopped kup-op-reth-sequencer-1[\s\S]*sequencer-2 won the election[\s\S]*produced block[\s\S]*gap: 0[\s\S]*follows as follower/);
      assert.equal(d.seqs[0].active, false, "the old leader came back as follower");
    } finally {
      await d.stop();
    }
  });

  it("slow election: the election time shows the delay", async () => {
    const fast = await cluster({ electionTicks: 1 });
    const slow = await cluster({ electionTicks: 25 });
    try {
      const [a, b] = await Promise.all([failoverRound(1, fast.seqs, fast.control, OPTS), failoverRound(1, slow.seqs, slow.control, OPTS)]);
      assert.ok(a.passed && b.passed, `${a.failure} ${b.failure}`);
      assert.ok(b.electionMs! >= 25 * 20 * 0.8, `slow election measured ${b.electionMs} ms`);
      assert.ok(b.electionMs! > a.electionMs!);
    } finally {
      await Promise.all([fast.d.stop(), slow.d.stop()]);
    }
  });

  it("lagging new leader: detected and named as the known wedge instead of waiting forever", async () => {
    const { d, seqs, control } = await cluster({ electionTicks: 1, wedgeNewLeader: true });
    try {
      const started = Date.now();
      const r = await failoverRound(1, seqs, control, OPTS);
      assert.equal(r.passed, false);
      assert.equal(r.wedged, true);
      assert.match(r.failure!, /sequencer-2 is leader but never started sequencing: its head \d+ lags the head the network saw \(\d+\)/);
      assert.match(r.failure!, /optimism#22094, #22143/);
      assert.ok(Date.now() - started < OPTS.stepTimeoutMs + 2000, "it gave up after the wedge window");
      assert.match(drillTable([r]), /FAIL \(wedged\)/);
    } finally {
      await d.stop();
    }
  });

  it("lagging new leader that hands leadership on (round-robin): the round passes and names both", async () => {
    const { d, seqs, control } = await cluster({ electionTicks: 2, wedgeNewLeader: "hand-on" });
    try {
      const lines: string[] = [];
      const r = await failoverRound(1, seqs, control, { ...OPTS, log: (l) => lines.push(l) });
      assert.equal(r.passed, true, r.failure);
      assert.equal(r.oldLeader, 1);
      assert.equal(r.handedOnFrom, 2);
      assert.equal(r.newLeader, 3);
      assert.equal(r.gapBlocks, 0);
      assert.match(lines.join("\n"), /sequencer-2 did not start sequencing and leadership moved on to sequencer-3/);
      assert.match(drillTable([r]), /1 -> 2 \(lagging\) -> 3/);
    } finally {
      await d.stop();
    }
  });

  it("old leader never rejoining: fails with what it saw", async () => {
    const { d, seqs, control } = await cluster({ electionTicks: 1, rejoin: false });
    try {
      const r = await failoverRound(1, seqs, control, { ...OPTS, stepTimeoutMs: 500 });
      assert.equal(r.passed, false);
      assert.equal(r.wedged, false);
      assert.ok(r.firstBlockMs !== undefined, "the failover itself was measured");
      assert.match(r.failure!, /sequencer-1 did not rejoin as follower within 0.5s \(its head -1, the leader's \d+\)/);
    } finally {
      await d.stop();
    }
  });

  it("two sequencers cannot fail over: the drill says why", async () => {
    const d = await new DevnetDouble({ sequencers: 2, conductors: true, electionTicks: 1 }).start();
    try {
      const refs = d.conds.map((c) => ({ serverId: c.id, raftAddr: c.addr, rpcUrl: d.conductorUrl(c.index) }));
      await bootstrapCluster({ conductor: refs[0], konaRpcUrl: d.konaUrl(1), ...FAST });
      await joinCluster({ member: refs[1], anchors: [refs[0]], ...FAST });
      // Raft has 2 voters; stopping sequencer 1's node leaves conductor 1 up, so a majority remains.
      const seqs: NodeEndpoint[] = [1, 2].map((i) => ({ role: "sequencer", index: i, opReth: `r-${i}`, ws: "", konaNode: `k-${i}`, rpc: d.rethUrl(i), kona: d.konaUrl(i), conductorRpc: d.conductorUrl(i) }));
      const r = await failoverRound(1, seqs, { stop: async () => d.stopNode(1), start: async () => d.startNode(1) }, OPTS);
      assert.equal(r.passed, true, r.failure);
      const single = await failoverRound(1, [seqs[0]], { stop: async () => {}, start: async () => {} }, OPTS);
      assert.match(single.failure!, /needs a stack with at least two sequencers/);
    } finally {
      await d.stop();
    }
  });

  it("rounds: min, median and max over the measured rounds", async () => {
    const { d, seqs, control } = await cluster({ electionTicks: 1 });
    try {
      const reports = [];
      for (let round = 1; round <= 3; round++) reports.push(await failoverRound(round, seqs, control, OPTS));
      assert.ok(reports.every((r) => r.passed), reports.map((r) => r.failure).join("; "));
      assert.deepEqual(reports.map((r) => `${r.oldLeader}->${r.newLeader}`), ["1->2", "2->1", "1->2"]);
      const s = summarize(reports, "electionMs")!;
      assert.ok(s.min <= s.median && s.median <= s.max);
      const table = drillTable(reports);
      assert.match(table, /^round\s+leader\s+election\s+first block\s+gap\s+rejoin\s+result/);
      assert.match(table, /\nmin\s+\d+\.\ds\s+\d+\.\ds\s+0\s+\d+\.\ds/);
      assert.match(table, /\nmedian /);
      assert.match(table, /\nmax /);
    } finally {
      await d.stop();
    }
  });
});

describe("failover drill: transactions sent to a validator (the l2Rpc endpoint) during and after the failover", () => {
  const probe = (d: DevnetDouble) => ({ rpc: d.validatorUrl(1), label: "validator-1 (l2Rpc)" });

  it("both are included in the new leader's chain while the old leader is still stopped, and reported per round", async () => {
    const { d, seqs, control } = await cluster({ electionTicks: 3, validators: 1 });
    try {
      const lines: string[] = [];
      const r = await failoverRound(1, seqs, control, { ...OPTS, tx: probe(d), log: (l) => lines.push(l) });
      assert.equal(r.passed, true, r.failure);
      assert.equal(r.newLeader, 2);
      for (const p of [r.txDuring!, r.txAfter!]) {
        assert.match(p.hash, /^0x[0-9a-f]{64}$/);
        assert.equal(d.included.get(p.hash), p.block, "the reported block is the one that holds it");
        assert.ok(p.includedMs! >= 0 && p.block! > 0);
      }
      assert.notEqual(r.txDuring!.hash, r.txAfter!.hash);
      assert.ok(r.txAfter!.block! >= r.txDuring!.block!, "nonce order");
      const log = lines.join("\n");
      // Sent right after the stop, included before the old node is started again.
      assert.match(log, /stopped kup-op-reth-sequencer-1[^\n]*\n[^\n]*sent transaction 0x[0-9a-f]{64} to validator-1 \(l2Rpc\) during the failover/);
      assert.match(log, /both transactions are in sequencer-2's chain[\s\S]*started kup-op-reth-sequencer-1/);
      const table = drillTable([r]);
      assert.match(table, /^round\s+leader\s+election\s+first block\s+gap\s+rejoin\s+tx during\s+tx after\s+result/);
      assert.match(table, /\n1\s+1 -> 2\s+\d+\.\ds\s+\d+\.\ds\s+0\s+\d+\.\ds\s+\d+\.\ds\s+\d+\.\ds\s+PASS/);
      // The sender is a free dev account, never a role key.
      assert.ok(!Object.values(ROLES).some((role) => role.index === DRILL_TX_ACCOUNT.index));
    } finally {
      await d.stop();
    }
  });

  it("several rounds: nonces follow on, every probe is included", async () => {
    const { d, seqs, control } = await cluster({ electionTicks: 1, validators: 2 });
    try {
      const reports = [];
      for (let round = 1; round <= 3; round++) reports.push(await failoverRound(round, seqs, control, { ...OPTS, tx: probe(d) }));
      assert.ok(reports.every((r) => r.passed), reports.map((r) => r.failure).join("; "));
      const hashes = reports.flatMap((r) => [r.txDuring!.hash, r.txAfter!.hash]);
      assert.equal(new Set(hashes).size, 6);
      for (const h of hashes) assert.ok(d.included.has(h), h);
    } finally {
      await d.stop();
    }
  });

  it("validators forwarding to sequencer 1 (the old --rollup.sequencer-http design): the round fails naming the refused send", async () => {
    const { d, seqs, control } = await cluster({ electionTicks: 1, validators: 1, txGossip: false });
    try {
      const r = await failoverRound(1, seqs, control, { ...OPTS, tx: probe(d) });
      assert.equal(r.passed, false);
      assert.equal(r.oldLeader, 1);
      assert.match(r.failure!, /^the transaction sent to validator-1 \(l2Rpc\) \(http:\/\/127\.0\.0\.1:\d+\/validator\/1\) during the failover was refused: .*connection refused/);
    } finally {
      await d.stop();
    }
  });

  it("a transaction accepted but never reaching the leader fails the round within the bound, saying where to look", async () => {
    const { d, seqs, control } = await cluster({ electionTicks: 1, validators: 1 });
    try {
      // The validator answers with a hash but the transaction goes nowhere (a partitioned node).
      d.overrides.set("/validator/1 eth_sendRawTransaction", () => "0x" + "ab".repeat(32));
      const started = Date.now();
      const r = await failoverRound(1, seqs, control, { ...OPTS, tx: { ...probe(d), inclusionTimeoutMs: 400 } });
      assert.equal(r.passed, false);
      assert.ok(r.firstBlockMs !== undefined, "the failover itself was measured");
      assert.match(r.failure!, /the transaction sent to validator-1 \(l2Rpc\) during the failover \(0x(ab){32}\) is not in sequencer-2's chain within 0.4s of sending .*did not reach the active sequencer.*txpool_status/);
      assert.ok(Date.now() - started < OPTS.stepTimeoutMs, "gave up after the inclusion bound");
      assert.equal(d.seqs[0].up, false, "the old node is not started when the probe failed");
    } finally {
      await d.stop();
    }
  });

  it("a role key is refused as the probe sender before anything is sent", async () => {
    await assert.rejects(sendProbeTx({ rpc: "http://127.0.0.1:1", label: "x", account: ROLES.batcher }, "now"), /probe account \d+ is a role key; use a free dev account/);
  });
});

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe("the drill fails fast and touches nothing when the devnet is not there or not this stack's", () => {
  it("nothing running: every port refuses, the probe says so within a second or two, with the hint", async () => {
    const { d, seqs } = await cluster({ electionTicks: 1 });
    const live = await probeSequencers(seqs, 901);
    assert.equal(live.answered.length, 6);
    assert.equal(reachabilityRefusal(live, "dev", "kup-dev", 901), undefined);
    await d.stop();
    const started = Date.now();
    const dead = await probeSequencers(seqs, 901);
    assert.ok(Date.now() - started < 2000, `probe took ${Date.now() - started} ms`);
    assert.equal(dead.answered.length, 0);
    const why = reachabilityRefusal(dead, "dev", "kup-dev", 901)!;
    assert.match(why, /^nothing answers on the sequencer ports of stack dev \(kup-dev\): http:\/\/127\.0\.0\.1:\d+\/reth\/1 \(\w+\), http:\/\/127\.0\.0\.1:\d+\/conductor\/1 /);
    assert.match(why, /npm run up -- --stack dev .*npm run status -- --stack dev/);
  });

  it("another chain on the ports: refuses, naming the node and both chain ids", async () => {
    const { d, seqs } = await cluster({ electionTicks: 1 });
    try {
      d.overrides.set("/reth/2 eth_chainId", () => "0x2a");
      const why = reachabilityRefusal(await probeSequencers(seqs, 901), "dev", "kup-dev", 901)!;
      assert.match(why, /answer for another chain: kup-op-reth-sequencer-2 at \S+ reports chain id 42, expected 901\. Another devnet holds these ports; the drill stops nothing/);
    } finally {
      await d.stop();
    }
  });

  it("the containers it would stop must carry this checkout's kupcake.project", () => {
    const seqs = [1, 2].map((i) => ({ opReth: `kup-dev-op-reth-sequencer-${i}`, konaNode: `kup-dev-kona-node-sequencer-${i}` })) as NodeEndpoint[];
    const mine = seqs.flatMap((s) => [s.opReth, s.konaNode]).map((name) => ({ name, owner: "dev@aaaaaaaaaaaa" }));
    const id = { stack: "dev", owner: "dev@aaaaaaaaaaaa" };
    assert.equal(drillTargetsRefusal(seqs, mine, id), undefined);
    const theirs = mine.map((c) => ({ ...c, owner: c.name.endsWith("-2") ? "dev@bbbbbbbbbbbb" : c.owner }));
    assert.match(drillTargetsRefusal(seqs, theirs, id)!, /kup-dev-op-reth-sequencer-2 belongs to kupcake.project=dev@bbbbbbbbbbbb; .*Nothing was stopped/);
    assert.match(drillTargetsRefusal(seqs, mine.slice(1), id)!, /kup-dev-op-reth-sequencer-1 does not exist/);
  });

  it("npm run drill:failover with nothing running exits 1 in seconds with the hint, no stack trace", async () => {
    // The stack outputs come from a stand-in `pulumi` on PATH and point at ports nothing listens on.
    const bin = mkdtempSync(join(tmpdir(), "kupcake-drill-"));
    try {
      const [a, b, c, e] = await Promise.all([closedPort(), closedPort(), closedPort(), closedPort()]);
      const url = (p: number) => `http://127.0.0.1:${p}`;
      const node = (i: number, rpc: number, cond: number) => ({ index: i, opReth: `kup-dev-op-reth-sequencer-${i}`, konaNode: `kup-dev-kona-node-sequencer-${i}`, rpc: url(rpc), ws: "", kona: url(rpc), conductor: `kup-dev-op-conductor-${i}`, conductorRpc: url(cond) });
      writeFileSync(join(bin, "outputs.json"), JSON.stringify({ network: "kup-dev", l1Rpc: url(a), sequencers: [node(1, a, b), node(2, c, e)], validators: [] }));
      writeFileSync(join(bin, "pulumi"), `#!/bin/sh\ncat ${join(bin, "outputs.json")}\n`);
      chmodSync(join(bin, "pulumi"), 0o755);
      const started = Date.now();
      const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/drill.ts", "--stack", "dev"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
      const took = Date.now() - started;
      assert.equal(r.status, 1, r.stderr);
      assert.ok(took < 15_000, `took ${took} ms (the step timeout is 120 s)`);
      assert.match(r.stdout, /failover drill on kup-dev \(2 sequencers; endpoints from the stack outputs\)/);
      assert.match(r.stderr, /nothing answers on the sequencer ports of stack dev .*ECONNREFUSED.*npm run up -- --stack dev.*npm run status/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
