/**
 * `kupcake:sequencerClient: kona-node | op-node`: the config key, the op-node builder, and what an
 * op-node stack plans compared with the default (kona-node) one. The default plan itself is
 * covered by the existing plan, builder and stability tests; here: it holds no op-node at all.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { base58btc, peerIdFromNodeId, staticPeerFromEnode } from "../components/builders/libp2p";
import { konaNodeCommand } from "../components/builders/konaNode";
import { OP_NODE_L1_CHAIN_CONFIG_FILE, opNodeCommand, opNodeL1ChainConfig } from "../components/builders/opNode";
import { l1ChainConfig } from "../components/builders/l1ChainConfig";
import { nodeIdFromPrivateKey } from "../components/builders/p2p";
import { ConfigError, validateAllConfig, validateConfig } from "../components/config/validate";
import { DEFAULT_IMAGES } from "../components/images";
import { namesFor } from "../components/naming";
import { mayChangeOnScale } from "../components/stability";
import { endpointsFromConfig } from "../ops/endpoints";
import { logTargets } from "../ops/logs";
import { diffPlans } from "../plan/diff";
import type { Plan, PlannedResource } from "../plan/run";
import { byContainerName, command, containers, flag, label, plan, planProcess } from "./helpers/plan";

function problem(raw: Record<string, unknown>): string {
  try {
    validateConfig("dev", raw);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e.message;
  }
  assert.fail(`config ${JSON.stringify(raw)} was accepted`);
}

const rel = (r: PlannedResource) => r.name.replace(/^devnet-/, "");
const byUrn = (p: Plan) => new Map(p.resources.filter((r) => r.custom).map((r) => [r.urn, r]));

describe("kupcake:sequencerClient: the config contract", () => {
  it("defaults to kona-node and accepts op-node, also from the flat string map Pulumi hands over", () => {
    assert.equal(validateConfig("dev", {}).sequencerClient, "kona-node");
    assert.equal(validateConfig("dev", { sequencerClient: "op-node" }).sequencerClient, "op-node");
    assert.equal(validateAllConfig("dev", { "kupcake:sequencerClient": "op-node" }).sequencerClient, "op-node");
  });

  it("an unknown client fails with the key, the value and the fix", () => {
    const m = problem({ sequencerClient: "op-geth" });
    assert.match(m, /kupcake:sequencerClient = "op-geth": must be one of "kona-node", "op-node" \(consensus client of every sequencer: kona-node \| op-node; default kona-node/);
    assert.match(m, /Fix: use one of kona-node, op-node\./);
    assert.match(problem({ sequencerClient: 1 }), /kupcake:sequencerClient = 1: must be one of "kona-node", "op-node"/);
  });

  it("an op-node image override without op-node sequencers is refused (it would do nothing)", () => {
    const m = problem({ images: { opNode: "x.io/op-node:v1.19.0" } });
    assert.match(m, /kupcake:images\.opNode = "x\.io\/op-node:v1\.19\.0": has no effect while kupcake:sequencerClient is kona-node.*Fix: set kupcake:sequencerClient to op-node, or remove kupcake:images\.opNode\./);
    assert.equal(validateConfig("dev", { sequencerClient: "op-node", images: { opNode: "x.io/op-node:v1.19.0" } }).images.opNode, "x.io/op-node:v1.19.0");
    assert.match(problem({ sequencerClient: "op-node", images: { opNode: "x.io/op-node:latest" } }), /kupcake:images\.opNode = "x\.io\/op-node:latest": is not pinned/);
  });

  it("the pinned op-node is a release of the monorepo line the other OP services are pinned from", () => {
    assert.equal(DEFAULT_IMAGES.opNode, "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-node:v1.19.0");
  });
});

describe("libp2p peer ids for op-node's --p2p.static", () => {
  it("matches upstream's vector: the ENR and peer id of kona's `parse_enr` test (rust/kona/crates/node/peers/src/nodes.rs at kona-node/v1.6.0)", () => {
    const ENR = "enr:-Jy4QHRgJ9rnWbTs0oOfv8IHt77NDhHE3rwXf3fCh8RRN8sze4gyuQ2MkAapZwneDd_LH77TGCRS5N4wPGm-J5Hh-oCDAQKOgmlkgnY0gmlwhC36_pOHb3BzdGFja4Xkq4MBAIlzZWNwMjU2azGhAqUtGspoH5IzIIAwaqcipQFWripEU12KAiKFqRKDCZWxg3RjcIIjK4N1ZHCCIys";
    const PEER_ID = "16Uiu2HAm6YT98Hd3qAtop3TFM75uXvuyEhZYwPCfZ9mzRckmFkmW";
    // The ENR's "secp256k1" entry: the key name, then an RLP string of 33 bytes (0xa1) holding the compressed key.
    const rlp = Buffer.from(ENR.slice(4), "base64url");
    const at = rlp.indexOf(Buffer.from("secp256k1")) + "secp256k1".length;
    assert.equal(rlp[at], 0xa1);
    const compressed = rlp.subarray(at + 1, at + 34);
    // Uncompress via noble to get the node id (x || y) the builder works from.
    const { secp256k1 } = require("@noble/curves/secp256k1.js") as typeof import("@noble/curves/secp256k1.js");
    const nodeId = Buffer.from(secp256k1.Point.fromHex(compressed.toString("hex")).toBytes(false).slice(1)).toString("hex");
    assert.equal(peerIdFromNodeId(nodeId), PEER_ID);
  });

  it("base58btc keeps leading zero bytes as '1', and bad input is refused", () => {
    assert.equal(base58btc(new Uint8Array([0, 0, 1])), "112");
    assert.equal(base58btc(new Uint8Array([0x61])), "2g");
    assert.throws(() => peerIdFromNodeId("00"), /128 chars/);
    assert.throws(() => staticPeerFromEnode("enode://abc@host"), /not an enode URL/);
  });

  it("an enode URL becomes a /dns4 multiaddr with the same host, port and key", () => {
    const id = nodeIdFromPrivateKey("11".repeat(32));
    assert.equal(staticPeerFromEnode(`enode://${id}@kup-dev-op-node-sequencer-1:9222`), `/dns4/kup-dev-op-node-sequencer-1/tcp/9222/p2p/${peerIdFromNodeId(id)}`);
    assert.match(peerIdFromNodeId(id), /^16Uiu2HA/);
  });
});

describe("the op-node builder", () => {
  const base = { l1BlockTime: 4, l1RpcUrl: "http://kup-dev-anvil:8545", engineUrl: "http://kup-dev-op-reth-sequencer-2:8551", containerName: "kup-dev-op-node-sequencer-2" };
  const peer = `enode://${nodeIdFromPrivateKey("22".repeat(32))}@kup-dev-op-node-sequencer-1:9222`;

  it("a conductor-managed sequencer: sequencing enabled but stopped, conductor enabled at its own conductor, admin RPC, the signer key", () => {
    const c = opNodeCommand({ ...base, peers: [peer], conductorRpc: "http://kup-dev-op-conductor-2:8547" });
    const after = (f: string) => c[c.indexOf(f) + 1];
    assert.equal(c[0], "op-node");
    for (const f of ["--sequencer.enabled", "--sequencer.stopped", "--conductor.enabled", "--rpc.enable-admin", "--l1.beacon.ignore"]) assert.ok(c.includes(f), f);
    assert.equal(after("--conductor.rpc"), "http://kup-dev-op-conductor-2:8547");
    assert.equal(after("--l1"), base.l1RpcUrl);
    assert.equal(after("--l1.beacon"), base.l1RpcUrl);
    assert.equal(after("--l1.beacon.slot-duration-override"), "4");
    assert.equal(after("--l1.http-poll-interval"), "4s");
    assert.equal(after("--l2"), base.engineUrl);
    assert.equal(after("--l2.jwt-secret"), "/run/kupcake/jwt.hex");
    assert.equal(after("--rollup.config"), "/artifacts/rollup.json");
    assert.equal(after("--rollup.l1-chain-config"), OP_NODE_L1_CHAIN_CONFIG_FILE);
    assert.equal(after("--p2p.sequencer.key").length, 64);
    assert.equal(after("--p2p.advertise.ip"), base.containerName);
    assert.equal(after("--p2p.bootnodes"), peer);
    assert.equal(after("--p2p.static"), staticPeerFromEnode(peer));
  });

  it("the same ports as kona-node (RPC 7545, metrics 7300, P2P 9222), so host ports, scripts and scrape targets keep theirs", () => {
    const op = opNodeCommand({ ...base, peers: [] });
    const kona = konaNodeCommand({ role: "sequencer", l2ChainId: 901, l1BlockTime: 4, l1RpcUrl: base.l1RpcUrl, engineUrl: base.engineUrl, containerName: "k", bootnodes: [] });
    const v = (c: string[], f: string) => c[c.indexOf(f) + 1];
    assert.equal(v(op, "--rpc.port"), v(kona, "--rpc.port"));
    assert.equal(v(op, "--metrics.port"), v(kona, "--metrics.port"));
    assert.equal(v(op, "--p2p.listen.tcp"), v(kona, "--p2p.listen.tcp"));
  });

  it("a lone sequencer sequences from its first block: no conductor flags, not stopped; sequencer 1 has no peers", () => {
    const c = opNodeCommand({ ...base, peers: [] });
    for (const f of ["--conductor.enabled", "--conductor.rpc", "--sequencer.stopped", "--p2p.bootnodes", "--p2p.static"]) assert.ok(!c.includes(f), f);
    assert.ok(c.includes("--sequencer.enabled"));
  });

  it("its L1 chain config is kona's without terminalTotalDifficultyPassed (go-ethereum removed the field; op-node rejects unknown fields)", () => {
    const op = opNodeL1ChainConfig(900);
    assert.equal("terminalTotalDifficultyPassed" in op, false);
    assert.equal(l1ChainConfig(900).terminalTotalDifficultyPassed, true);
    const { terminalTotalDifficultyPassed: _, ...rest } = l1ChainConfig(900);
    assert.deepEqual(op, rest);
  });
});

describe("an op-node stack's plan", () => {
  const OP = { sequencerClient: "op-node" };

  it("the default plan holds no op-node: no container, no image pull, kona-node on every node", async () => {
    const p = await plan();
    assert.ok(!p.resources.some((r) => /op-node|opNode/.test(r.name)), "no op-node resource");
    const cl = containers(p).filter((c) => label(c, "kupcake.service") === "kona-node");
    assert.equal(cl.length, 5);
  });

  for (const sets of [{ ...OP }, { ...OP, sequencerCount: 3, l2Nodes: 6 }]) {
    it(`${JSON.stringify(sets)}: every sequencer runs op-node at its own conductor; validators keep kona-node`, async () => {
      const p = await plan(sets);
      const n = namesFor(p.config.network);
      const seqCount = p.config.sequencerCount;
      for (let i = 1; i <= seqCount; i++) {
        const c = byContainerName(p, n.opNode(i));
        assert.ok(c, `${n.opNode(i)} exists`);
        assert.equal(label(c, "kupcake.service"), "op-node");
        assert.equal(label(c, "kupcake.role"), "sequencer");
        assert.equal(c.inputs.image, DEFAULT_IMAGES.opNode);
        for (const f of ["--sequencer.enabled", "--sequencer.stopped", "--conductor.enabled"]) assert.ok(command(c).includes(f), `${n.opNode(i)} ${f}`);
        assert.equal(flag(c, "--conductor.rpc"), `http://${n.conductor(i)}:8547`);
        // The conductor steers this op-node.
        assert.equal(flag(byContainerName(p, n.conductor(i))!, "--node.rpc"), `http://${n.opNode(i)}:7545`);
        assert.equal(byContainerName(p, n.konaNode("sequencer", i)), undefined, "no kona-node beside it");
        const upload = (c.inputs.uploads as { file: string; content: string }[]).find((u) => u.file === OP_NODE_L1_CHAIN_CONFIG_FILE)!;
        assert.deepEqual(JSON.parse(upload.content), opNodeL1ChainConfig(p.config.l1ChainId));
      }
      for (let k = 1; k <= p.config.validatorCount; k++) {
        const v = byContainerName(p, n.konaNode("validator", k))!;
        assert.equal(label(v, "kupcake.service"), "kona-node");
        assert.match(flag(v, "--p2p.bootnodes")!, new RegExp(`@${n.opNode(1)}:9222`), "validators dial sequencer 1's consensus client, now op-node");
      }
      assert.ok(p.resources.some((r) => rel(r) === "image-opNode"), "the op-node image is pulled");
    });
  }

  it("host ports of the sequencers' consensus RPC are the kona-node ones (9545-style +100 rule: 7545, 7645, 7745)", async () => {
    const [a, b] = await Promise.all([plan({ sequencerCount: 3, l2Nodes: 6 }), plan({ ...OP, sequencerCount: 3, l2Nodes: 6 })]);
    const n = namesFor(a.config.network);
    for (let i = 1; i <= 3; i++) assert.deepEqual(byContainerName(b, n.opNode(i))!.inputs.ports, byContainerName(a, n.konaNode("sequencer", i))!.inputs.ports);
    assert.deepEqual(b.outputs.sequencers, (a.outputs.sequencers as { konaNode: string }[]).map((s, i) => ({ ...s, konaNode: n.opNode(i + 1) })), "outputs: same URLs, the container that answers them");
  });

  it("a single op-node sequencer runs without conductor and sequences at once", async () => {
    const p = await plan(OP, "single-sequencer");
    const c = byContainerName(p, namesFor(p.config.network).opNode(1))!;
    assert.ok(command(c).includes("--sequencer.enabled"));
    for (const f of ["--sequencer.stopped", "--conductor.enabled", "--conductor.rpc"]) assert.ok(!command(c).includes(f), f);
  });

  it("Prometheus scrapes op-node where it runs; status, drill and logs find it by the same names", async () => {
    const p = await plan(OP);
    const n = namesFor(p.config.network);
    const prom = containers(p).find((c) => label(c, "kupcake.service") === "prometheus")!;
    const yml = (prom.inputs.uploads as { content: string }[]).map((u) => u.content).join("\n");
    assert.match(yml, new RegExp(`${n.opNode(1)}:7300`));
    assert.match(yml, /service: op-node/);
    assert.doesNotMatch(yml, new RegExp(`${n.konaNode("sequencer", 1)}:`));
    const cfg = validateConfig("dev", OP);
    const e = endpointsFromConfig(cfg);
    assert.deepEqual(e.sequencers.map((s) => s.konaNode), [n.opNode(1), n.opNode(2)]);
    assert.deepEqual(e.validators.map((s) => s.konaNode), [1, 2, 3].map((k) => n.konaNode("validator", k)));
    assert.deepEqual(logTargets(cfg, "sequencer-cl", "2"), [n.opNode(2)]);
    assert.deepEqual(logTargets(cfg, "sequencer", "1"), [n.opNode(1), n.opReth("sequencer", 1)]);
    assert.deepEqual(logTargets(cfg, "validator-cl", "1"), [n.konaNode("validator", 1)]);
    // Every container name the outputs and the scripts use exists in the plan.
    for (const s of e.sequencers) assert.ok(byContainerName(p, s.konaNode), s.konaNode);
  });
});

describe("stability and --diff with op-node sequencers", () => {
  it("adding sequencer 3 / validator 4 changes no input of an existing node (op-node stack)", async () => {
    const [a, b] = await Promise.all([plan({ sequencerClient: "op-node", sequencerCount: 2, l2Nodes: 5 }), plan({ sequencerClient: "op-node", sequencerCount: 3, l2Nodes: 7 })]);
    const after = byUrn(b);
    let kept = 0;
    for (const [urn, r] of byUrn(a)) {
      const next = after.get(urn);
      assert.ok(next, `${rel(r)} survives`);
      if (JSON.stringify(next.inputs) === JSON.stringify(r.inputs)) {
        if (/^(sequencers|validators)-/.test(rel(r))) kept++;
        continue;
      }
      assert.ok(mayChangeOnScale(rel(r), a.config, b.config), `${rel(r)} changed inputs but is not in the scale-dependent set`);
    }
    assert.ok(kept >= 25, `every existing node resource kept its inputs (${kept})`);
  });

  it("crossing 1 <-> 2 sequencers replaces only the op-node sequencers that gain or lose the conductor flags", async () => {
    const [a, b] = await Promise.all([plan({ sequencerClient: "op-node", sequencerCount: 1, l2Nodes: 3 }), plan({ sequencerClient: "op-node", sequencerCount: 2, l2Nodes: 4 })]);
    const after = byUrn(b);
    const changedNodes = [...byUrn(a)].filter(([u, r]) => after.has(u) && /^(sequencers|validators)-/.test(rel(r)) && JSON.stringify(after.get(u)!.inputs) !== JSON.stringify(r.inputs)).map(([, r]) => rel(r));
    assert.deepEqual(changedNodes, ["sequencers-1-op-node"]);
    assert.ok(mayChangeOnScale("sequencers-1-op-node", a.config, b.config));
  });

  it("kona-node -> op-node (`plan --diff --set sequencerClient=op-node`): the sequencer consensus containers are swapped, and only what names them follows", async () => {
    const [a, b] = await Promise.all([plan(), plan({ sequencerClient: "op-node" })]);
    const changes = diffPlans(a, b).map((c) => `${c.op} ${c.name.replace(/^devnet-/, "")}${c.keys.length ? ` [${c.keys.join(",")}]` : ""}`).sort();
    assert.deepEqual(changes, [
      "create image-opNode",
      "create sequencers-1-op-node",
      "create sequencers-2-op-node",
      "delete sequencers-1-kona-node",
      "delete sequencers-2-kona-node",
      // Each conductor's --node.rpc names its sequencer's consensus container.
      "replace conductor-1 [command]",
      "replace conductor-2 [command]",
      // The scrape config lists the consensus containers.
      "replace monitoring-prometheus [uploads]",
      // Validators dial sequencer 1's consensus client by its container name (--p2p.bootnodes): same node id, new host name.
      "replace validators-1-kona-node [command]",
      "replace validators-2-kona-node [command]",
      "replace validators-3-kona-node [command]",
      // The readiness gate names the sequencers' consensus containers in its messages.
      "update readiness [sequencers]",
    ]);
    // What stays: every op-reth, chain-data volume and key, the L1, the deployer jobs, batcher, proposer.
    const kept = diffPlans(a, b).map((c) => c.name);
    for (const r of a.resources.filter((x) => x.custom && /op-reth|jwt|p2p-key|anvil|op-deployer|batcher|proposer|raft/.test(x.name))) assert.ok(!kept.includes(r.name), `${r.name} is untouched`);
    // The validators' new command differs from the old only in that host name.
    const n = namesFor(a.config.network);
    for (let k = 1; k <= 3; k++) {
      const before = JSON.stringify(command(byContainerName(a, n.konaNode("validator", k))!)).replaceAll(n.konaNode("sequencer", 1), n.opNode(1));
      assert.equal(JSON.stringify(command(byContainerName(b, n.konaNode("validator", k))!)), before);
    }
  });

  it("the CLI --diff prints the same swap", async () => {
    const r = await planProcess(["--diff", "--set", "sequencerClient=op-node"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /create\s+docker:Container\s+devnet-sequencers-1-op-node/);
    assert.match(r.stdout, /delete\s+docker:Container\s+devnet-sequencers-1-kona-node/);
    assert.match(r.stdout, /3 to create, 6 to replace, 1 to update, 2 to delete/);
  });
});
