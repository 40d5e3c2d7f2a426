import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LABEL } from "../components/labels";
import { StackContainer, lifecycleWaves, parsePs, psArgs } from "../ops/lifecycle";
import { containers, label, plan } from "./helpers/plan";

/** The containers `docker ps` would list for a plan, with their labels. */
async function stackContainers(sets: Record<string, unknown> = {}): Promise<StackContainer[]> {
  const p = await plan(sets);
  return containers(p).map((c) => ({ name: String(c.inputs.name), role: label(c, LABEL.role)!, service: label(c, LABEL.service)!, ...(label(c, LABEL.index) ? { index: Number(label(c, LABEL.index)) } : {}) }));
}

describe("npm run stop / start", () => {
  it("starts L1 first, then sequencers, conductors, validators, services, monitoring; jobs are left alone", async () => {
    const waves = lifecycleWaves(await stackContainers({ sequencerCount: 2, l2Nodes: 3 }), "start");
    assert.deepEqual(waves, [
      ["kup-dev-anvil"],
      ["kup-dev-op-reth-sequencer-1", "kup-dev-kona-node-sequencer-1", "kup-dev-op-reth-sequencer-2", "kup-dev-kona-node-sequencer-2"],
      ["kup-dev-op-conductor-1", "kup-dev-op-conductor-2"],
      ["kup-dev-op-reth-validator-1", "kup-dev-kona-node-validator-1"],
      ["kup-dev-op-batcher", "kup-dev-op-proposer"],
      ["kup-dev-grafana", "kup-dev-prometheus"],
    ]);
  });

  it("stops in the reverse order, L1 last", async () => {
    const start = lifecycleWaves(await stackContainers(), "start");
    const stop = lifecycleWaves(await stackContainers(), "stop");
    assert.deepEqual(stop, start.reverse().map((w) => [...w].reverse()));
    assert.deepEqual(stop[stop.length - 1], ["kup-dev-anvil"]);
    assert.ok(!stop.flat().some((n) => n.includes("op-deployer")), "one-shot jobs are not started again");
  });

  it("finds the stack's containers by its network label and parses docker's listing", () => {
    assert.deepEqual(psArgs("kup-dev").slice(0, 4), ["ps", "-a", "--filter", "label=kupcake.network=kup-dev"]);
    assert.deepEqual(parsePs("kup-dev-anvil\tl1\tanvil\t\nkup-dev-op-reth-sequencer-1\tsequencer\top-reth\t1\n"), [
      { name: "kup-dev-anvil", role: "l1", service: "anvil" },
      { name: "kup-dev-op-reth-sequencer-1", role: "sequencer", service: "op-reth", index: 1 },
    ]);
    assert.throws(() => lifecycleWaves([{ name: "x", role: "mystery", service: "y" }], "start"), /unknown kupcake.role: x \(mystery\)/);
  });

  it("nothing rotates: two plans of the same stack are identical, every stateful service is on a named volume", async () => {
    const { planProcess } = await import("./helpers/plan");
    const [a, b] = await Promise.all([planProcess(["--json", "--stack", "multi-sequencer"]), planProcess(["--json", "--stack", "multi-sequencer"])]);
    assert.equal(a.stdout, b.stdout);
    const p = JSON.parse(a.stdout);
    const stateful: Record<string, string> = { anvil: "/data", "op-reth": "/data", "op-conductor": "/raft", prometheus: "/prometheus", grafana: "/var/lib/grafana" };
    for (const c of containers(p)) {
      const dir = stateful[label(c, LABEL.service)!];
      if (!dir) continue;
      const m = (c.inputs.mounts as { type: string; source: string; target: string }[]).find((x) => x.target === dir);
      assert.equal(m?.type, "volume", `${c.inputs.name} keeps ${dir} on a named volume`);
    }
  });
});
