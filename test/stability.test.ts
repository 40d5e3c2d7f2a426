import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mayChangeOnScale, nodeOf } from "../components/stability";
import type { Plan, PlannedResource } from "../plan/run";
import { plan } from "./helpers/plan";

const rel = (r: PlannedResource) => r.name.replace(/^devnet-/, "");
const customByUrn = (p: Plan) => new Map(p.resources.filter((r) => r.custom).map((r) => [r.urn, r]));

/** Whether resource `r` belongs to a node that exists in `p`'s topology. */
function nodeExists(r: PlannedResource, cfg: Plan["config"]): boolean {
  const node = nodeOf(rel(r));
  if (!node) return true;
  return node.role === "sequencer" ? node.index <= cfg.sequencerCount : node.index <= cfg.validatorCount;
}

const WALK: [number, number][] = [
  [1, 1],
  [2, 5],
  [3, 7],
  [3, 4],
  [2, 2],
];

/**
 * Whether `name` may disappear going from `from` to `to` sequencers: the conductor layer when one
 * sequencer remains; its retirement marker (present only with one sequencer) when several return.
 */
const layerGoes = (name: string, from: number, to: number) =>
  name === "conductor-retirement" ? from === 1 && to > 1 : /^conductor-|^image-opConductor$/.test(name) && to === 1;

describe("stability: scaling touches only the nodes that appear or disappear", () => {
  for (let step = 1; step < WALK.length; step++) {
    const [s0, n0] = WALK[step - 1];
    const [s1, n1] = WALK[step];
    it(`(${s0}, ${n0}) -> (${s1}, ${n1})`, async () => {
      const [a, b] = await Promise.all([plan({ sequencerCount: s0, l2Nodes: n0 }), plan({ sequencerCount: s1, l2Nodes: n1 })]);
      const before = customByUrn(a);
      const after = customByUrn(b);
      const changed: string[] = [];
      for (const [urn, r] of before) {
        const next = after.get(urn);
        if (!next) {
          // Removed: only resources of nodes that no longer exist, or the conductor layer going away.
          const conductorLayer = layerGoes(rel(r), s0, s1);
          assert.ok(!nodeExists(r, b.config) || conductorLayer, `${rel(r)} was removed although its node still exists`);
          continue;
        }
        if (JSON.stringify(next.inputs) !== JSON.stringify(r.inputs)) {
          changed.push(rel(r));
          assert.ok(mayChangeOnScale(rel(r), a.config, b.config), `${rel(r)} changed inputs but is not in the scale-dependent set`);
        }
      }
      for (const [urn, r] of after) {
        if (before.has(urn)) continue;
        const node = nodeOf(rel(r));
        const isNew = node && (node.role === "sequencer" ? node.index > s0 : node.index > n0 - s0);
        const conductorLayer = layerGoes(rel(r), s1, s0);
        assert.ok(isNew || conductorLayer, `${rel(r)} was added although it belongs to no new node`);
      }
      // Surviving L2 node resources keep byte-identical inputs (except the documented 1 <-> many toggle).
      for (const [urn, r] of before) {
        const node = nodeOf(rel(r));
        if (!node || !after.has(urn) || !/^(sequencers|validators)-/.test(rel(r))) continue;
        if (mayChangeOnScale(rel(r), a.config, b.config)) continue;
        assert.equal(JSON.stringify(after.get(urn)!.inputs), JSON.stringify(r.inputs), `${rel(r)} must not change`);
      }
      // The readiness gate follows the sequencers; validator-only steps touch no shared resource but Prometheus.
      if (s0 !== s1) assert.ok(changed.includes("readiness") && changed.includes("services-batcher"), "batcher and readiness follow the sequencers");
      else assert.deepEqual(changed, ["monitoring-prometheus"], "a validator-only step changes only the scrape config");
    });
  }

  it("adding sequencer 3 changes no input of sequencers 1-2 or their conductors and memberships", async () => {
    const [a, b] = await Promise.all([plan({ sequencerCount: 2, l2Nodes: 5 }), plan({ sequencerCount: 3, l2Nodes: 6 })]);
    const after = customByUrn(b);
    const kept = a.resources.filter((r) => r.custom && /^(sequencers-[12]-|conductor-[12]|conductor-cluster)/.test(rel(r)));
    assert.ok(kept.length >= 14, `expected the pairs, keys, volumes and conductors, got ${kept.length}`);
    for (const r of kept) assert.deepEqual(after.get(r.urn)?.inputs, r.inputs, rel(r));
  });

  it("changing the sequencer count never touches a validator", async () => {
    const [a, b] = await Promise.all([plan({ sequencerCount: 2, l2Nodes: 5 }), plan({ sequencerCount: 3, l2Nodes: 6 })]);
    const after = customByUrn(b);
    const validators = a.resources.filter((r) => r.custom && rel(r).startsWith("validators-"));
    assert.ok(validators.length > 0);
    for (const r of validators) assert.deepEqual(after.get(r.urn)?.inputs, r.inputs, rel(r));
  });
});
