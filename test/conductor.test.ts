import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConductorRef, bootstrapCluster, joinCluster, leaveCluster } from "../components/dynamic/conductorCluster";
import { bootstrapProvider, memberProvider } from "../components/dynamic/conductorResources";
import { DevnetDouble } from "./double/devnetDouble";

const FAST = { timeoutMs: 3000, pollMs: 20 };

function refs(d: DevnetDouble): ConductorRef[] {
  return d.conds.map((c) => ({ serverId: c.id, raftAddr: c.addr, rpcUrl: d.conductorUrl(c.index) }));
}

async function formed(n: number) {
  const d = await new DevnetDouble({ sequencers: n, conductors: true }).start();
  const r = refs(d);
  await bootstrapCluster({ conductor: r[0], konaRpcUrl: d.konaUrl(1), ...FAST });
  for (let i = 1; i < n; i++) await joinCluster({ member: r[i], anchors: r.slice(0, i), ...FAST });
  return { d, r };
}

const waitUntil = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("conductor cluster formation against the JSON-RPC double", () => {
  let d: DevnetDouble;
  let r: ConductorRef[];
  before(async () => ({ d, r } = await formed(3)));
  after(() => d.stop());

  it("forms in the upstream order: leader check, start sequencer, resume 1, then add each voter on the leader and resume it", () => {
    const relevant = d.calls
      .filter((c) => /admin_startSequencer|conductor_resume|conductor_addServerAsVoter/.test(c.method) || (c.method === "conductor_sequencerHealthy" && c.path === "/conductor/1"))
      .map((c) => `${c.path} ${c.method}${c.method === "conductor_addServerAsVoter" ? ` ${c.params[0]}` : ""}`);
    assert.deepEqual(relevant, [
      "/kona/1 admin_startSequencer",
      "/conductor/1 conductor_sequencerHealthy",
      "/conductor/1 conductor_resume",
      "/conductor/1 conductor_addServerAsVoter sequencer-2",
      "/conductor/2 conductor_resume",
      "/conductor/1 conductor_addServerAsVoter sequencer-3",
      "/conductor/3 conductor_resume",
    ]);
    const add = d.calls.find((c) => c.method === "conductor_addServerAsVoter")!;
    assert.deepEqual(add.params, ["sequencer-2", "kup-op-conductor-2:50050", 0]);
  });

  it("ends with three voters, one leader, one active sequencer, and an advancing head", async () => {
    assert.deepEqual(d.voters.map((v) => v.id), ["sequencer-1", "sequencer-2", "sequencer-3"]);
    assert.equal(d.leader, "sequencer-1");
    assert.ok(d.conds.every((c) => !c.paused), "every conductor resumed");
    const before = d.seqs[0].unsafe;
    await waitUntil(() => d.seqs[0].unsafe > before + 2);
    assert.deepEqual(d.seqs.map((s) => s.active), [true, false, false]);
  });

  it("re-creating a membership is idempotent: no second addServerAsVoter", async () => {
    const adds = () => d.calls.filter((c) => c.method === "conductor_addServerAsVoter").length;
    const n = adds();
    const res = await joinCluster({ member: r[1], anchors: [r[0]], ...FAST });
    assert.equal(res.added, false);
    assert.equal(adds(), n);
    const again = await bootstrapCluster({ conductor: r[0], konaRpcUrl: d.konaUrl(1), ...FAST });
    assert.equal(again.started, false, "an existing cluster is not started twice");
  });
});

describe("membership changes follow the current leader", () => {
  it("after a failover, a new member is added on the new leader, not on conductor 1", async () => {
    const { d, r } = await formed(2);
    try {
      d.opts.electionTicks = 1;
      // Prepare conductor 3 (scale 2 -> 3) and fail sequencer 1.
      const d3 = { serverId: "sequencer-3", raftAddr: "kup-op-conductor-3:50050", rpcUrl: d.conductorUrl(3) };
      d.conds.push({ index: 3, id: "sequencer-3", addr: d3.raftAddr, up: true, paused: true, member: false });
      d.seqs.push({ index: 3, up: true, active: false, unsafe: 0, safe: 0 });
      d.stopNode(1);
      await waitUntil(() => d.leader === "sequencer-2");
      await joinCluster({ member: d3, anchors: r, ...FAST });
      const add = d.calls.filter((c) => c.method === "conductor_addServerAsVoter").pop()!;
      assert.equal(add.path, "/conductor/2");
      assert.deepEqual(add.params, ["sequencer-3", "kup-op-conductor-3:50050", 0]);
      assert.equal(d.voters.length, 3);
    } finally {
      await d.stop();
    }
  });

  it("scale down removes the voter on the leader first and leaves a working two-member cluster", async () => {
    const { d, r } = await formed(3);
    try {
      await leaveCluster({ member: r[2], anchors: r.slice(0, 2), ...FAST });
      const remove = d.calls.find((c) => c.method === "conductor_removeServer")!;
      assert.equal(remove.path, "/conductor/1");
      assert.deepEqual(remove.params, ["sequencer-3", 0]);
      assert.deepEqual(d.voters.map((v) => v.id), ["sequencer-1", "sequencer-2"]);
      // The two remaining voters still fail over.
      d.opts.electionTicks = 1;
      d.stopNode(1);
      await waitUntil(() => d.leader === "sequencer-2" && d.seqs[1].active);
    } finally {
      await d.stop();
    }
  });

  it("a leading member hands leadership over before it is removed", async () => {
    const { d, r } = await formed(2);
    try {
      d.leader = "sequencer-2";
      await leaveCluster({ member: r[1], anchors: [r[0]], ...FAST });
      const order = d.calls.filter((c) => /transferLeader|removeServer/.test(c.method)).map((c) => `${c.path} ${c.method}`);
      assert.deepEqual(order, ["/conductor/2 conductor_transferLeader", "/conductor/1 conductor_removeServer"]);
      assert.deepEqual(d.voters.map((v) => v.id), ["sequencer-1"]);
    } finally {
      await d.stop();
    }
  });

  it("leaving when no conductor answers any more is a no-op (containers already gone)", async () => {
    const { d, r } = await formed(2);
    try {
      d.setConductorUp(1, false);
      d.setConductorUp(2, false);
      assert.deepEqual(await leaveCluster({ member: r[1], anchors: [r[0]], ...FAST }), {});
    } finally {
      await d.stop();
    }
  });
});

describe("formation errors say which conductor, which call, and what it answered", () => {
  it("leader lost mid-formation", async () => {
    const d = await new DevnetDouble({ sequencers: 2, conductors: true }).start();
    try {
      const r = refs(d);
      await bootstrapCluster({ conductor: r[0], konaRpcUrl: d.konaUrl(1), ...FAST });
      d.setConductorUp(1, false); // the leader's conductor dies before sequencer-2 joins
      await assert.rejects(joinCluster({ member: r[1], anchors: [r[0]], timeoutMs: 300, pollMs: 20 }), (e: Error) => {
        assert.match(e.message, /Raft leader among sequencer-1, sequencer-2/);
        assert.match(e.message, /sequencer-1: no answer/);
        assert.match(e.message, /sequencer-2: conductor_leader = false/);
        return true;
      });
    } finally {
      await d.stop();
    }
  });

  it("a follower whose Raft port does not answer: the addServerAsVoter refusal is reported", async () => {
    const d = await new DevnetDouble({ sequencers: 2, conductors: true, lateRaftPorts: [2] }).start();
    try {
      const r = refs(d);
      await bootstrapCluster({ conductor: r[0], konaRpcUrl: d.konaUrl(1), ...FAST });
      await assert.rejects(joinCluster({ member: r[1], anchors: [r[0]], ...FAST }), (e: Error) => {
        assert.match(e.message, /adding sequencer-2 \(kup-op-conductor-2:50050\) as voter on leader sequencer-1 failed/);
        assert.match(e.message, /conductor_addServerAsVoter on .*\/conductor\/1 failed: error -32000: dial tcp kup-op-conductor-2:50050/);
        return true;
      });
    } finally {
      await d.stop();
    }
  });

  it("resumes conductor 1 only once it calls its sequencer healthy, and says so when it never does", async () => {
    const d = await new DevnetDouble({ sequencers: 2, conductors: true }).start();
    try {
      d.unhealthy.add(1);
      const r = refs(d);
      await assert.rejects(
        bootstrapCluster({ conductor: r[0], konaRpcUrl: d.konaUrl(1), timeoutMs: 300, pollMs: 20 }),
        /waiting for sequencer-1's conductor to call its sequencer healthy \(conductor_sequencerHealthy\) after the first block: conductor_sequencerHealthy = false/,
      );
      assert.equal(d.calls.filter((c) => c.method === "conductor_resume").length, 0, "a conductor that calls its sequencer unhealthy is not resumed");
    } finally {
      await d.stop();
    }
  });

  it("times out with what it saw when conductor 1 never leads", async () => {
    const d = await new DevnetDouble({ sequencers: 2, conductors: true }).start();
    try {
      d.leader = null;
      const r = refs(d);
      await assert.rejects(bootstrapCluster({ conductor: r[0], konaRpcUrl: d.konaUrl(1), timeoutMs: 200, pollMs: 20 }), /timed out after 0s waiting for sequencer-1 to report a Raft leader: sequencer-1: conductor_leaderWithID returned no leader/);
    } finally {
      await d.stop();
    }
  });
});

describe("the dynamic providers", () => {
  it("create, diff and delete of a membership drive the cluster", async () => {
    const { d, r } = await formed(2);
    try {
      const member = { serverId: "sequencer-3", raftAddr: "kup-op-conductor-3:50050", rpcUrl: d.conductorUrl(3) };
      d.conds.push({ index: 3, id: "sequencer-3", addr: member.raftAddr, up: true, paused: true, member: false });
      d.seqs.push({ index: 3, up: true, active: false, unsafe: 0, safe: 0 });
      const inputs = { member, anchors: r, ...FAST };
      const created = await memberProvider.create(inputs);
      assert.equal(created.id, "raft-sequencer-3");
      assert.equal(created.outs.leaderAtJoin, "sequencer-1");
      assert.ok(d.voters.some((v) => v.id === "sequencer-3"));
      // A moved RPC port is bookkeeping; a new Raft address is a new member.
      const moved = await memberProvider.diff!("raft-sequencer-3", inputs, { ...inputs, member: { ...member, rpcUrl: "http://127.0.0.1:1" } });
      assert.deepEqual(moved.replaces, []);
      const readdressed = await memberProvider.diff!("raft-sequencer-3", inputs, { ...inputs, member: { ...member, raftAddr: "x:50050" } });
      assert.deepEqual(readdressed.replaces, ["identity"]);
      await memberProvider.delete!("raft-sequencer-3", inputs);
      assert.ok(!d.voters.some((v) => v.id === "sequencer-3"));
      const boot = await bootstrapProvider.create({ conductor: r[0], konaRpcUrl: d.konaUrl(1), ...FAST });
      assert.equal(boot.outs.leaderAtCreate, "sequencer-1");
    } finally {
      await d.stop();
    }
  });
});
