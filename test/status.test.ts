import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bootstrapCluster, joinCluster } from "../components/dynamic/conductorCluster";
import { validateConfig } from "../components/config/validate";
import { DevnetEndpoints, endpointsFromConfig, endpointsFromOutputs } from "../ops/endpoints";
import { collectStatus, statusTable } from "../ops/status";
import { DevnetDouble } from "./double/devnetDouble";
import { plan } from "./helpers/plan";

const FAST = { timeoutMs: 3000, pollMs: 10 };

function endpoints(d: DevnetDouble, conductors: boolean): DevnetEndpoints {
  const seq = d.seqs.map((s) => ({ role: "sequencer" as const, index: s.index, opReth: `r-${s.index}`, ws: "", konaNode: `kona-sequencer-${s.index}`, rpc: d.rethUrl(s.index), kona: d.konaUrl(s.index), ...(conductors ? { conductorRpc: d.conductorUrl(s.index) } : {}) }));
  return { network: "kup-test", l1Rpc: d.url("/l1"), sequencers: seq, validators: [], source: "stack config" };
}

describe("npm run status against the JSON-RPC double", () => {
  it("a formed cluster is healthy: one leader, one active sequencer, heads and peers shown", async () => {
    const d = await new DevnetDouble({ sequencers: 3, conductors: true }).start();
    try {
      const refs = d.conds.map((c) => ({ serverId: c.id, raftAddr: c.addr, rpcUrl: d.conductorUrl(c.index) }));
      await bootstrapCluster({ conductor: refs[0], konaRpcUrl: d.konaUrl(1), ...FAST });
      for (let i = 1; i < 3; i++) await joinCluster({ member: refs[i], anchors: refs.slice(0, i), ...FAST });
      const s = await collectStatus(endpoints(d, true));
      assert.deepEqual(s.problems, []);
      assert.deepEqual(s.nodes.map((n) => [n.leader, n.active]), [[true, true], [false, false], [false, false]]);
      assert.ok(s.nodes.every((n) => n.unsafe! > 0 && n.peers === 2));
      const table = statusTable(s);
      assert.match(table, /^NODE\s+ROLE\s+UNSAFE\s+SAFE\s+FINALIZED\s+PEERS\s+LAG\s+ACTIVE\s+LEADER\s+HEALTHY/);
      assert.match(table, /kona-sequencer-1\s+sequencer 1\s+\d+\s+\d+\s+\d+\s+2\s+\d+\s+yes\s+yes\s+yes/);
      assert.match(table, /healthy: kup-test$/);
    } finally {
      await d.stop();
    }
  });

  it("unhealthy: an unreachable node and no active sequencer are named", async () => {
    const d = await new DevnetDouble({ sequencers: 2, conductors: true }).start();
    try {
      d.stopNode(2);
      const s = await collectStatus(endpoints(d, true));
      assert.match(s.problems.join("\n"), /kona-sequencer-2 does not answer/);
      assert.match(s.problems.join("\n"), /0 sequencers are active/);
      assert.match(statusTable(s), /UNHEALTHY:\n  - /);
      assert.match(statusTable(s), /kona-sequencer-2\s+sequencer 2\s+unreachable/);
    } finally {
      await d.stop();
    }
  });

  it("a lone sequencer needs no conductor to be healthy", async () => {
    const d = await new DevnetDouble({ sequencers: 1, conductors: false }).start();
    try {
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual((await collectStatus(endpoints(d, false))).problems, []);
    } finally {
      await d.stop();
    }
  });

  it("endpoints from the stack outputs equal the ones derived from the config", async () => {
    const p = await plan({}, "multi-sequencer");
    const fromOutputs = endpointsFromOutputs(p.outputs as never);
    const fromConfig = endpointsFromConfig(validateConfig("multi-sequencer", { sequencerCount: 3, l2Nodes: 7 }));
    assert.deepEqual({ ...fromOutputs, source: "" }, { ...fromConfig, source: "" });
  });
});
