import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { diffPlans, diffText, operationFor } from "../plan/diff";
import { longestChain } from "../plan/graph";
import { planMermaid } from "../plan/mermaid";
import type { PlannedResource } from "../plan/run";
import { ROOT, plan, planProcess } from "./helpers/plan";

const res = (type: string, inputs: Record<string, unknown>): PlannedResource => ({ urn: "u", type, name: "n", parent: null, custom: true, inputs, dependencies: [] });
const C = "docker:index/container:Container";

describe("plan --diff: what pulumi preview would say", () => {
  it("decides like the Docker provider: ForceNew inputs replace, docker-update inputs update in place", () => {
    assert.equal(operationFor(C, ["command"], res(C, {}), res(C, {})), "replace");
    assert.equal(operationFor(C, ["restart"], res(C, {}), res(C, {})), "update");
    assert.equal(operationFor(C, ["destroyGraceSeconds", "memory"], res(C, {}), res(C, {})), "update");
    assert.equal(operationFor(C, ["healthcheck"], res(C, { name: "kup-dev-anvil", healthcheck: { tests: ["CMD", "true"] } }), res(C, {})), "replace", "replaceOnChanges on healthchecked containers");
    assert.equal(operationFor("docker:index/volume:Volume", ["labels"], res(C, {}), res(C, {})), "replace");
    assert.equal(operationFor("docker:index/remoteImage:RemoteImage", ["keepLocally"], res(C, {}), res(C, {})), "update");
    const m = (rpcUrl: string, raftAddr = "c:50050") => res("pulumi-nodejs:dynamic/kupcake:ConductorMembership", { member: { serverId: "sequencer-2", raftAddr, rpcUrl } });
    assert.equal(operationFor(m("").type, ["member"], m("a"), m("b")), "update");
    assert.equal(operationFor(m("").type, ["member"], m("a"), m("a", "x:50050")), "replace");
  });

  it("adding sequencer 3: creates its node, conductor and membership; replaces only scale-dependent services", async () => {
    const r = await planProcess(["--diff", "--set", "sequencerCount=3", "--set", "l2Nodes=6"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\+  create  docker:Container\s+devnet-conductor-3$/m);
    assert.match(r.stdout, /^\+  create  ConductorMembership\s+devnet-conductor-3-membership$/m);
    assert.match(r.stdout, /^\+- replace docker:Container\s+devnet-services-batcher  \[command\]$/m);
    assert.match(r.stdout, /^~  update  DevnetReadiness\s+devnet-readiness/m);
    assert.doesNotMatch(r.stdout, /devnet-(sequencers|validators)-\d+-\S+  \[/, "no existing L2 node changes");
    // Sequencer op-reth P2P identities derive from the network and index (validators dial every slot), so no key is created.
    assert.doesNotMatch(r.stdout, /devnet-sequencers-3-op-reth-p2p-key/);
    assert.match(r.stdout, /8 to create, 3 to replace, 1 to update, 0 to delete/);
  });

  it("an image change replaces exactly the containers that run it", async () => {
    const [a, b] = await Promise.all([plan(), plan({ "images.konaNode": "example.com/kona-node:v9" })]);
    const changes = diffPlans(a, b);
    const replaced = changes.filter((c) => c.op === "replace").map((c) => c.name);
    assert.ok(replaced.includes("devnet-image-konaNode"));
    assert.equal(replaced.filter((n) => n.endsWith("-kona-node")).length, 5);
    assert.ok(!replaced.some((n) => n.endsWith("-op-reth")));
    assert.equal(diffText([]), "no changes");
  });
});

describe("plan --mermaid", () => {
  it("groups containers by component and draws engine API, RPC, Raft and scrape edges", async () => {
    const m = planMermaid(await plan({ sequencerCount: 3, l2Nodes: 4 }));
    assert.match(m, /^flowchart LR/);
    for (const g of ["L1", "SequencerSet", "Conductor", "ValidatorSet", "ChainServices", "Monitoring"]) assert.match(m, new RegExp(`subgraph ${g}\\[`));
    assert.match(m, /kup_dev_kona_node_sequencer_2 -->\|engine API\| kup_dev_op_reth_sequencer_2/);
    assert.match(m, /kup_dev_op_batcher -->\|RPC\| kup_dev_op_conductor_3/);
    assert.match(m, /kup_dev_op_conductor_1 <-.->\|Raft\| kup_dev_op_conductor_3/);
    assert.match(m, /kup_dev_prometheus -.->\|scrape\| kup_dev_op_conductor_2/);
    assert.match(m, /kup_dev_grafana -->\|query\| kup_dev_prometheus/);
    assert.doesNotMatch(m, /op_deployer/, "one-shot jobs are left out");
  });

  it("README embeds the default stack's diagram", async () => {
    const r = await planProcess(["--mermaid"]);
    assert.ok(readFileSync(join(ROOT, "README.md"), "utf8").includes("```mermaid\n" + r.stdout.trimEnd() + "\n```"), "run npm run docs");
  });
});

describe("benchmark targets", () => {
  it("the longest dependency chain does not grow with the node count", async () => {
    const lengths = await Promise.all([[2, 5], [3, 7], [5, 20]].map(([s, n]) => plan({ sequencerCount: s, l2Nodes: n }).then((p) => longestChain(p).length)));
    assert.equal(new Set(lengths).size, 1, `chain lengths ${lengths}`);
  });
});
