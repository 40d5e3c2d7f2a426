import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bootstrapCluster, joinCluster } from "../components/dynamic/conductorCluster";
import { retireConductorLayer, retirementProvider } from "../components/dynamic/conductorRetirement";
import { DevnetDouble } from "./double/devnetDouble";

const FAST = { timeoutMs: 3000, pollMs: 10 };

describe("conductor-layer retirement (2 -> 1 sequencers)", () => {
  it("pauses this devnet's conductors and stops the leaving sequencers before the lone sequencer starts", async () => {
    const d = await new DevnetDouble({ sequencers: 2, conductors: true, tickMs: 10 }).start();
    try {
      const refs = [1, 2].map((i) => ({ serverId: `sequencer-${i}`, raftAddr: `kup-op-conductor-${i}:50050`, rpcUrl: d.conductorUrl(i) }));
      await bootstrapCluster({ conductor: refs[0], konaRpcUrl: d.konaUrl(1), ...FAST });
      await joinCluster({ member: refs[1], anchors: refs, ...FAST });
      d.overrides.set("/kona/2 optimism_rollupConfig", () => ({ l2_chain_id: 901 }));
      // Sequencer 2 leads and produces blocks, as after a drill.
      d.leader = "sequencer-2";
      d.seqs[0].active = false;
      d.seqs[1].active = true;
      const inputs = {
        conductorPrefix: "kup-op-conductor-",
        conductorRpcUrls: [d.conductorUrl(1), d.conductorUrl(2), "http://127.0.0.1:1"],
        l2ChainId: 901,
        leavingSequencerRpcUrls: [d.konaUrl(2), "http://127.0.0.1:1"],
      };
      const r = await retireConductorLayer(inputs);
      assert.deepEqual(r.paused, [d.conductorUrl(1), d.conductorUrl(2)]);
      assert.deepEqual(r.stopped, [d.konaUrl(2)]);
      assert.ok(d.conds.every((c) => c.paused), "paused conductors take no action");
      assert.equal(d.seqs[1].active, false, "the leaving sequencer no longer produces blocks");
      // The lone sequencer, started now, is not stopped by a follower conductor.
      d.seqs[0].active = true;
      await new Promise((res) => setTimeout(res, 100));
      assert.equal(d.seqs[0].active, true);
      const created = await retirementProvider.create(inputs);
      assert.equal(created.id, "conductor-layer-retired");
      assert.equal((await retirementProvider.diff!(created.id, { ...created.outs, __provider: "x" }, inputs)).changes, false);
    } finally {
      await d.stop();
    }
  });

  it("never touches another devnet's conductors or another chain's sequencers", async () => {
    const d = await new DevnetDouble({ sequencers: 2, conductors: true, tickMs: 10 }).start();
    try {
      d.overrides.set("/kona/2 optimism_rollupConfig", () => ({ l2_chain_id: 777 }));
      const r = await retireConductorLayer({ conductorPrefix: "kup-other-op-conductor-", conductorRpcUrls: [d.conductorUrl(1)], l2ChainId: 901, leavingSequencerRpcUrls: [d.konaUrl(2)] });
      assert.deepEqual(r, { paused: [], stopped: [] });
      const acted = d.calls.filter((c) => ["conductor_pause", "admin_stopSequencer"].includes(c.method));
      assert.deepEqual(acted, [], "no pause, no stop: the membership names another devnet, the rollup another chain");
    } finally {
      await d.stop();
    }
  });
});
