import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PUBLIC_DEV_KEYS, ROLES } from "../components/accounts";
import { LABEL } from "../components/containers";
import { byContainerName, command, containers, flag, label, plan } from "./helpers/plan";

const SIGNER_KEY = ROLES.unsafeBlockSigner.privateKey.replace(/^0x/, "");

describe("L2 node topology (default stack: 2 sequencers + 3 validators)", () => {
  it("names every container as in the seeds, 1-based", async () => {
    const names = containers(await plan()).map((c) => String(c.inputs.name)).sort();
    for (const n of [
      "kup-dev-anvil",
      "kup-dev-op-reth-sequencer-1", "kup-dev-kona-node-sequencer-1",
      "kup-dev-op-reth-sequencer-2", "kup-dev-kona-node-sequencer-2",
      "kup-dev-op-reth-validator-1", "kup-dev-kona-node-validator-1",
      "kup-dev-op-reth-validator-3", "kup-dev-kona-node-validator-3",
      "kup-dev-op-conductor-1", "kup-dev-op-conductor-2",
      "kup-dev-op-batcher", "kup-dev-op-proposer", "kup-dev-prometheus", "kup-dev-grafana",
    ]) assert.ok(names.includes(n), `${n} exists`);
    assert.ok(!names.includes("kup-dev-op-reth-validator-4"));
    assert.ok(!names.includes("kup-dev-op-challenger"), "challenger is off by default");
  });

  it("labels containers with network, role, index and service", async () => {
    const c = byContainerName(await plan(), "kup-dev-kona-node-validator-2")!;
    assert.equal(label(c, LABEL.network), "kup-dev");
    assert.equal(label(c, LABEL.role), "validator");
    assert.equal(label(c, LABEL.index), "2");
    assert.equal(label(c, LABEL.service), "kona-node");
  });

  it("publishes the seed ports on loopback: sequencer i at 9545/9546 + 100(i-1), validators from a fixed base", async () => {
    const p = await plan();
    const ports = (name: string) => (byContainerName(p, name)!.inputs.ports as { internal: number; external: number; ip: string; protocol: string }[]);
    assert.deepEqual(ports("kup-dev-op-reth-sequencer-1").map((x) => x.external), [9545, 9546]);
    assert.deepEqual(ports("kup-dev-op-reth-sequencer-2").map((x) => x.external), [9645, 9646]);
    assert.deepEqual(ports("kup-dev-kona-node-sequencer-2").map((x) => x.external), [7645]);
    assert.deepEqual(ports("kup-dev-op-conductor-2").map((x) => x.external), [8647]);
    assert.deepEqual(ports("kup-dev-op-reth-validator-1").map((x) => x.external), [19545, 19546]);
    for (const c of containers(p)) for (const x of (c.inputs.ports as { ip: string; protocol: string }[] | undefined) ?? []) {
      assert.equal(x.ip, "127.0.0.1");
      assert.equal(x.protocol, "tcp");
    }
    // Metrics, engine API and P2P stay on the Docker network.
    const internal = ports("kup-dev-op-reth-sequencer-1").map((x) => x.internal);
    for (const hidden of [8551, 9001, 30303]) assert.ok(!internal.includes(hidden));
  });

  it("validator ports do not move when sequencerCount changes", async () => {
    const [a, b] = await Promise.all([plan({ sequencerCount: 1, l2Nodes: 4 }), plan({ sequencerCount: 3, l2Nodes: 6 })]);
    assert.deepEqual(byContainerName(a, "kup-dev-op-reth-validator-1")!.inputs.ports, byContainerName(b, "kup-dev-op-reth-validator-1")!.inputs.ports);
  });

  it("binds to the configured bindAddress", async () => {
    const p = await plan({ bindAddress: "0.0.0.0", exposePorts: true }); // a non-loopback address needs the opt-in
    assert.equal((byContainerName(p, "kup-dev-anvil")!.inputs.ports as { ip: string }[])[0].ip, "0.0.0.0");
  });

  it("keeps chain data on a named volume per node and reads artifacts read-only", async () => {
    const p = await plan();
    const reth = byContainerName(p, "kup-dev-op-reth-validator-3")!;
    const mounts = reth.inputs.mounts as { type: string; source: string; target: string; readOnly?: boolean }[];
    assert.deepEqual(mounts.find((m) => m.target === "/data"), { source: "kup-dev-op-reth-validator-3-data", target: "/data", type: "volume" });
    assert.deepEqual(mounts.find((m) => m.target === "/artifacts"), { readOnly: true, source: "kup-dev-l1-artifacts", target: "/artifacts", type: "volume" });
    const volumes = p.resources.filter((r) => r.type === "docker:index/volume:Volume").map((r) => r.inputs.name);
    assert.ok(volumes.includes("kup-dev-op-reth-validator-3-data"));
  });

  it("every long-running container has a restart policy and a stop grace period", async () => {
    for (const c of containers(await plan())) {
      if (label(c, LABEL.role) === "job") {
        assert.equal(c.inputs.restart, "no");
        assert.equal(c.inputs.mustRun, false);
        assert.equal(c.inputs.attach, true);
        assert.notEqual(c.inputs.rm, true, "rm + attach breaks the provider's read after create");
        continue;
      }
      assert.equal(c.inputs.restart, "unless-stopped", String(c.inputs.name));
      assert.equal(c.inputs.destroyGraceSeconds, 30);
    }
  });

  it("per-node secrets are @pulumi/random values, shown as [secret]", async () => {
    const p = await plan();
    const randoms = p.resources.filter((r) => r.type === "random:index/randomBytes:RandomBytes").map((r) => r.name);
    for (const n of ["devnet-sequencers-1-jwt", "devnet-validators-1-op-reth-p2p-key", "devnet-validators-3-kona-node-p2p-key"]) assert.ok(randoms.includes(n), n);
    // Sequencers' op-reth identities are derived from network and slot (validators dial every slot).
    assert.ok(!randoms.includes("devnet-sequencers-1-op-reth-p2p-key"));
    for (const name of ["kup-dev-op-reth-sequencer-1", "kup-dev-kona-node-validator-1"]) {
      const uploads = byContainerName(p, name)!.inputs.uploads as { file: string; content: string; permissions: string }[];
      assert.deepEqual(uploads.map((u) => u.file), ["/run/kupcake/jwt.hex", "/run/kupcake/p2p.key"]);
      for (const u of uploads) {
        assert.equal(u.content, "[secret]");
        assert.equal(u.permissions, "0444", "readable by kona-node's uid 10001");
      }
    }
    assert.equal(p.outputs.grafanaPassword, "[secret]");
  });

  it("kona-node refuses to start without a readable engine JWT (no silent random fallback)", async () => {
    const kona = byContainerName(await plan(), "kup-dev-kona-node-validator-1")!;
    const entry = kona.inputs.entrypoints as string[];
    assert.equal(entry[0], "/bin/sh");
    assert.match(entry[2], /grep -qE .* \/run\/kupcake\/jwt\.hex .*exit 78.*exec kona-node "\$@"/);
    assert.equal(flag(kona, "--l2-engine-jwt-secret"), "/run/kupcake/jwt.hex");
  });

  it("only sequencers hold the unsafe-block signer key", async () => {
    const p = await plan({ sequencerCount: 3, l2Nodes: 7 });
    for (const c of containers(p)) {
      const text = JSON.stringify(c.inputs);
      const role = label(c, LABEL.role);
      if (role === "sequencer" && label(c, LABEL.service) === "kona-node") assert.equal(flag(c, "--p2p.sequencer.key"), SIGNER_KEY);
      else assert.ok(!text.includes(SIGNER_KEY), `${c.inputs.name} must not hold the signer key`);
    }
  });

  it("validators forward no transactions; their op-reth dials every sequencer slot and earlier validators", async () => {
    const p = await plan();
    const v3 = byContainerName(p, "kup-dev-op-reth-validator-3")!;
    assert.equal(flag(v3, "--rollup.sequencer-http"), undefined);
    const peers = flag(v3, "--trusted-peers")!.split(",").map((e) => e.split("@")[1]);
    assert.deepEqual(peers, [...Array.from({ length: 9 }, (_, j) => `kup-dev-op-reth-sequencer-${j + 1}:30303`), "kup-dev-op-reth-validator-1:30303", "kup-dev-op-reth-validator-2:30303"]);
    const kv3 = byContainerName(p, "kup-dev-kona-node-validator-3")!;
    assert.deepEqual(flag(kv3, "--p2p.bootnodes")!.split(",").map((e) => e.split("@")[1]), ["kup-dev-kona-node-sequencer-1:9222", "kup-dev-kona-node-validator-1:9222", "kup-dev-kona-node-validator-2:9222"]);
    const s1 = byContainerName(p, "kup-dev-kona-node-sequencer-1")!;
    assert.equal(flag(s1, "--p2p.bootnodes"), undefined, "the first node has no earlier peer");
    const k2 = byContainerName(p, "kup-dev-kona-node-sequencer-2")!;
    assert.match(flag(k2, "--p2p.bootnodes")!, /^enode:\/\/[0-9a-f]{128}@kup-dev-kona-node-sequencer-1:9222$/);
  });

  it("a lone sequencer is active from the start, with no conductor", async () => {
    const p = await plan({ sequencerCount: 1, l2Nodes: 3 });
    const kona = byContainerName(p, "kup-dev-kona-node-sequencer-1")!;
    assert.equal(flag(kona, "--mode"), "sequencer");
    assert.ok(!command(kona).includes("--sequencer.stopped"));
    assert.ok(!command(kona).includes("--conductor.rpc"));
    assert.equal(containers(p).filter((c) => label(c, LABEL.role) === "conductor").length, 0);
    assert.ok(!p.resources.some((r) => r.type.includes("Conductor") && !r.type.endsWith(":ConductorLayerRetirement")));
    // A conductor layer left from a larger topology is retired before this kona-node starts.
    const retirement = p.resources.find((r) => r.type.endsWith(":ConductorLayerRetirement"))!;
    assert.ok(retirement, "the retirement resource exists with one sequencer");
    assert.ok(kona.dependencies.includes(retirement.urn), "the lone kona-node is created after it");
    assert.equal((retirement.inputs.conductorRpcUrls as string[]).length, 9);
    assert.ok(!(await plan()).resources.some((r) => r.type.endsWith(":ConductorLayerRetirement")), "absent with conductors");
  });
});

describe("conductor topology", () => {
  for (const [s, n] of [[2, 5], [3, 7], [5, 9]]) {
    it(`${s} sequencers: one conductor each, exactly one bootstrap, own advertised address, managed kona stopped`, async () => {
      const p = await plan({ sequencerCount: s, l2Nodes: n });
      const conductors = containers(p).filter((c) => label(c, LABEL.role) === "conductor");
      assert.equal(conductors.length, s);
      assert.equal(conductors.filter((c) => command(c).includes("--raft.bootstrap")).length, 1);
      assert.ok(command(byContainerName(p, "kup-dev-op-conductor-1")!).includes("--raft.bootstrap"));
      for (let i = 1; i <= s; i++) {
        const c = byContainerName(p, `kup-dev-op-conductor-${i}`)!;
        assert.equal(flag(c, "--consensus.addr"), "0.0.0.0");
        assert.equal(flag(c, "--consensus.advertised"), `kup-dev-op-conductor-${i}:50050`);
        assert.deepEqual(c.inputs.networksAdvanced, [{ aliases: [`kup-dev-op-conductor-${i}`], name: "kup-dev-network" }]);
        assert.equal(flag(c, "--raft.server.id"), `sequencer-${i}`);
        assert.equal(flag(c, "--node.rpc"), `http://kup-dev-kona-node-sequencer-${i}:7545`);
        assert.equal(flag(c, "--execution.rpc"), `http://kup-dev-op-reth-sequencer-${i}:8545`);
        assert.ok(!command(c).includes("--paused"), "restart-safe: the control loop runs after any restart");
        assert.ok(command(c).includes("--rpc.enable-admin") && command(c).includes("--rpc.enable-proxy") && command(c).includes("--metrics.enabled"));
        assert.deepEqual((c.inputs.ports as { external: number }[]).map((x) => x.external), [8547 + 100 * (i - 1)]);
        const raft = (c.inputs.mounts as { source: string; target: string }[]).find((m) => m.target === "/raft");
        assert.equal(raft?.source, `kup-dev-op-conductor-${i}-raft`);
        const kona = byContainerName(p, `kup-dev-kona-node-sequencer-${i}`)!;
        assert.equal(flag(kona, "--conductor.rpc"), `http://kup-dev-op-conductor-${i}:8547`);
        assert.ok(command(kona).includes("--sequencer.stopped"));
        assert.ok(command(kona).includes("--rpc.enable-admin"));
      }
      // Health checks follow the L2 block time (2 s): every block, unhealthy after 2 * 2 + 1 s.
      const c1 = byContainerName(p, "kup-dev-op-conductor-1")!;
      assert.equal(flag(c1, "--healthcheck.interval"), "2");
      assert.equal(flag(c1, "--healthcheck.unsafe-interval"), "5");
      // Formation resources: one bootstrap and s - 1 memberships.
      assert.equal(p.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/kupcake:ConductorClusterBootstrap").length, 1);
      assert.equal(p.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/kupcake:ConductorMembership").length, s - 1);
    });
  }

  it("batcher and proposer follow the active sequencer through equal-length conductor lists; proposer uses game type 1", async () => {
    const p = await plan({ sequencerCount: 3, l2Nodes: 4 });
    const conductors = [1, 2, 3].map((i) => `http://kup-dev-op-conductor-${i}:8547`).join(",");
    const batcher = byContainerName(p, "kup-dev-op-batcher")!;
    assert.equal(flag(batcher, "--l2-eth-rpc"), conductors);
    assert.equal(flag(batcher, "--rollup-rpc"), conductors);
    const proposer = byContainerName(p, "kup-dev-op-proposer")!;
    assert.equal(flag(proposer, "--rollup-rpc"), conductors);
    assert.equal(flag(proposer, "--game-type"), "1");
    assert.equal(flag(proposer, "--game-factory-address"), (p.outputs.contracts as Record<string, string>).DisputeGameFactoryProxy);
    const single = await plan({ sequencerCount: 1, l2Nodes: 2 });
    assert.equal(flag(byContainerName(single, "kup-dev-op-batcher")!, "--l2-eth-rpc"), "http://kup-dev-op-reth-sequencer-1:8545");
    assert.equal(flag(byContainerName(single, "kup-dev-op-batcher")!, "--rollup-rpc"), "http://kup-dev-kona-node-sequencer-1:7545");
  });

  for (const s of [1, 2, 5, 9]) {
    it(`${s} sequencer(s): batcher and proposer lists have exactly ${s} entr${s === 1 ? "y" : "ies"}, paired`, async () => {
      const p = await plan({ sequencerCount: s, l2Nodes: Math.max(s, 2) });
      const batcher = byContainerName(p, "kup-dev-op-batcher")!;
      const eth = flag(batcher, "--l2-eth-rpc")!.split(",");
      const rollup = flag(batcher, "--rollup-rpc")!.split(",");
      assert.equal(eth.length, s);
      assert.equal(rollup.length, s);
      assert.equal(flag(byContainerName(p, "kup-dev-op-proposer")!, "--rollup-rpc")!.split(",").length, s);
      assert.equal(command(batcher).includes("--active-sequencer-check-duration"), s > 1);
      for (const svc of ["kup-dev-op-batcher", "kup-dev-op-proposer"]) {
        const c = byContainerName(p, svc)!;
        assert.equal(c.inputs.restart, "unless-stopped");
        assert.equal(flag(c, "--metrics.port"), "7300");
        assert.ok(!(c.inputs.ports as { internal: number }[]).some((x) => x.internal === 7300), "metrics stay on the Docker network");
      }
    });
  }

  it("the challenger, when switched on, runs the permissioned game with a prestate source on its own volume", async () => {
    const p = await plan({ challenger: true, challengerPrestatesUrl: "http://prestates:8080/" });
    const c = byContainerName(p, "kup-dev-op-challenger")!;
    assert.equal(flag(c, "--game-types"), "permissioned");
    assert.equal(flag(c, "--prestates-url"), "http://prestates:8080/");
    assert.equal(flag(c, "--game-factory-address"), (p.outputs.contracts as Record<string, string>).DisputeGameFactoryProxy);
    assert.deepEqual((c.inputs.mounts as { source: string; target: string }[]).map((m) => `${m.source}:${m.target}`), ["kup-dev-op-challenger-data:/data", "kup-dev-l1-artifacts:/artifacts"]);
  });

  it("dev-mnemonic role keys are the only private keys in plain text", async () => {
    const p = await plan({ challenger: true, challengerPrestatesUrl: "http://prestates:8080/" });
    for (const c of containers(p)) {
      for (const hex of JSON.stringify(c.inputs).match(/\b(0x)?[0-9a-f]{64}\b/g) ?? []) {
        if (/^(0x)?0{48}/.test(hex)) continue; // a zero-padded chain id in the intent, not a key
        assert.ok(PUBLIC_DEV_KEYS.includes(hex.replace(/^0x/, "")), `${c.inputs.name} carries a 32-byte hex value that is not a public dev key`);
      }
    }
  });
});
