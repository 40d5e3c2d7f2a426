import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bootstrapCluster, joinCluster } from "../components/dynamic/conductorCluster";
import { ReadinessInputs, checkReadiness, handOffFromLeaving, readinessProvider } from "../components/dynamic/readiness";
import { DevnetDouble } from "./double/devnetDouble";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(v: object): unknown } };

const FAST = { timeoutMs: 3000, pollMs: 20 };

function inputs(d: DevnetDouble, withConductors: boolean): ReadinessInputs {
  return {
    l1RpcUrl: d.url("/l1"),
    l1ChainId: 900,
    sequencers: d.seqs.map((s) => ({ name: `sequencer-${s.index}`, rpcUrl: d.rethUrl(s.index), konaRpcUrl: d.konaUrl(s.index) })),
    conductors: withConductors ? d.conds.map((c) => ({ serverId: c.id, rpcUrl: d.conductorUrl(c.index) })) : [],
    ...FAST,
  };
}

async function formedCluster(n: number, opts: Partial<ConstructorParameters<typeof DevnetDouble>[0]> = {}) {
  const d = await new DevnetDouble({ sequencers: n, conductors: true, ...opts }).start();
  const refs = d.conds.map((c) => ({ serverId: c.id, raftAddr: c.addr, rpcUrl: d.conductorUrl(c.index) }));
  await bootstrapCluster({ conductor: refs[0], konaRpcUrl: d.konaUrl(1), ...FAST });
  for (let i = 1; i < n; i++) await joinCluster({ member: refs[i], anchors: refs.slice(0, i), ...FAST });
  return d;
}

describe("readiness: `pulumi up` ends when the devnet is live", () => {
  it("a single sequencer: L1 answers, the head and the safe head advance", async () => {
    const d = await new DevnetDouble({ sequencers: 1, conductors: false }).start();
    try {
      const r = await checkReadiness(inputs(d, false));
      assert.equal(r.activeSequencer, "sequencer-1");
      assert.equal(r.leader, undefined);
      assert.ok(r.unsafeHead > 0 && r.safeHead > 0);
      // The engine sends provider outputs as a protobuf Struct, which rejects `undefined` values
      // ("Unexpected struct type", seen on the real engine going 2 -> 1 sequencers).
      const created = await readinessProvider.create(inputs(d, false));
      assert.doesNotThrow(() => Struct.fromJavaScript(created.outs));
      const updated = await readinessProvider.update!(created.id, created.outs, inputs(d, false));
      assert.doesNotThrow(() => Struct.fromJavaScript(updated.outs!));
    } finally {
      await d.stop();
    }
  });

  it("scale-down while a leaving conductor leads: the update hands leadership to the staying voter with the highest head, then passes", async () => {
    const d = await formedCluster(3);
    try {
      d.leader = "sequencer-3";
      // Sequencer 1 lags (it would refuse to start): the hand-off goes to the highest staying head.
      d.seqs[0].wedged = true;
      d.seqs[0].unsafe = Math.max(0, d.seqs[0].unsafe - 3);
      const olds = inputs(d, true);
      const news = { ...olds, sequencers: olds.sequencers.slice(0, 2), conductors: olds.conductors.slice(0, 2) };
      // Without the hand-off the staying pair never has a leader.
      await assert.rejects(checkReadiness({ ...news, timeoutMs: 300 }), /0 leaders \(sequencer-1=false, sequencer-2=false\)/);
      const r = await readinessProvider.update!("devnet-ready", olds, news);
      const report = (r.outs as { report: { leader: string; activeSequencer: string } }).report;
      assert.equal(report.leader, "sequencer-2");
      assert.equal(report.activeSequencer, "sequencer-2");
      assert.deepEqual(d.calls.filter((c) => c.method === "conductor_transferLeaderToServer").map((c) => [c.path, c.params[0]]), [["/conductor/3", "sequencer-2"]]);
      // Down to one sequencer no conductor stays: nothing to hand over, even from a leader.
      d.leader = "sequencer-3";
      assert.equal(await handOffFromLeaving(olds, { ...news, conductors: [] }), undefined);
      assert.equal(d.calls.filter((c) => c.method === "conductor_transferLeaderToServer").length, 1);
    } finally {
      await d.stop();
    }
  });

  it("with conductors: one leader and its sequencer active", async () => {
    const d = await formedCluster(3);
    try {
      const r = await checkReadiness(inputs(d, true));
      assert.equal(r.leader, "sequencer-1");
      assert.equal(r.activeSequencer, "sequencer-1");
    } finally {
      await d.stop();
    }
  });

  it("after every container restarts, the cluster re-forms from its Raft state with one active sequencer, no resume needed", async () => {
    const d = await formedCluster(3);
    try {
      d.restartAll();
      const resumes = d.calls.filter((c) => c.method === "conductor_resume").length;
      const r = await checkReadiness(inputs(d, true));
      assert.ok(r.leader);
      assert.equal(r.activeSequencer, r.leader);
      assert.equal(d.calls.filter((c) => c.method === "conductor_resume").length, resumes);
    } finally {
      await d.stop();
    }
  });

  it("fails naming the check and what it saw: wrong L1", async () => {
    const d = await new DevnetDouble({ sequencers: 1, conductors: false, l1ChainId: 1234 }).start();
    try {
      await assert.rejects(checkReadiness({ ...inputs(d, false), timeoutMs: 200 }), /readiness check "L1 answering" failed: timed out .* has chain id 1234, expected 900/);
    } finally {
      await d.stop();
    }
  });

  it("fails naming the check and what it saw: the cluster was never formed", async () => {
    const d = await new DevnetDouble({ sequencers: 2, conductors: true }).start();
    try {
      d.leader = null; // no bootstrap happened
      await assert.rejects(checkReadiness({ ...inputs(d, true), timeoutMs: 200 }), /readiness check "conductor cluster has one leader" failed: .*0 leaders \(sequencer-1=false, sequencer-2=false\)/);
    } finally {
      await d.stop();
    }
  });

  it("fails naming the check and what it saw: no sequencer active", async () => {
    const d = await new DevnetDouble({ sequencers: 2, conductors: true }).start();
    try {
      await assert.rejects(checkReadiness({ ...inputs(d, true), timeoutMs: 200 }), /readiness check "one active sequencer" failed: .*0 active \(sequencer-1=false, sequencer-2=false\)/);
    } finally {
      await d.stop();
    }
  });

  it("fails naming the check and what it saw: the batcher never posts", async () => {
    const d = await new DevnetDouble({ sequencers: 1, conductors: false, batcher: false }).start();
    try {
      await assert.rejects(checkReadiness({ ...inputs(d, false), timeoutMs: 300 }), /readiness check "L2 safe head advancing" failed: .*safe head still at 0 \(unsafe head \d+\)/);
    } finally {
      await d.stop();
    }
  });

  it("the provider re-checks on update (a scaled topology must converge again)", async () => {
    const d = await new DevnetDouble({ sequencers: 1, conductors: false }).start();
    try {
      const i = inputs(d, false);
      const created = await readinessProvider.create(i);
      assert.equal(created.outs.report.activeSequencer, "sequencer-1");
      const diff = await readinessProvider.diff!("devnet-ready", { ...i, report: created.outs.report } as ReadinessInputs, i);
      assert.equal(diff.changes, false, "its own report is not an input change");
      d.stopNode(1);
      await assert.rejects(readinessProvider.update!("devnet-ready", i, i), /readiness check "one active sequencer" failed/);
    } finally {
      await d.stop();
    }
  });
});
