import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkPlanFlags } from "../conformance/checkFlags";
import type { Plan, PlannedResource } from "../plan/run";
import { byContainerName, containers, plan, planProcess } from "./helpers/plan";

describe("the plan contract", () => {
  it("prints one JSON object with stack, config, resources and outputs", async () => {
    const p = await plan();
    assert.deepEqual(Object.keys(p), ["stack", "config", "resources", "outputs"]);
    assert.equal(p.stack, "dev");
    assert.equal(p.config.sequencerCount, 2);
    for (const r of p.resources) {
      assert.deepEqual(Object.keys(r), ["urn", "type", "name", "parent", "custom", "inputs", "dependencies"]);
      assert.match(r.urn, /^urn:pulumi:dev::kupcake::/);
      assert.ok(r.parent === null || p.resources.some((x) => x.urn === r.parent), `parent of ${r.urn} is registered`);
      for (const d of r.dependencies) assert.ok(p.resources.some((x) => x.urn === d), `dependency ${d} is registered`);
    }
    assert.equal(p.resources.filter((r) => r.parent === null).length, 1, "one root: the Devnet component");
  });

  it("shows image references as container images and keeps the dynamic provider code out", async () => {
    const p = await plan();
    for (const c of containers(p)) assert.match(String(c.inputs.image), /^[a-z0-9.-]+(\/[a-z0-9._-]+)+:[\w.-]+$/);
    const dyn = p.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
    assert.ok(dyn.length > 0);
    for (const r of dyn) assert.equal(r.inputs.__provider, "[dynamic provider]");
  });

  it("records dependencies from dependsOn and from inputs", async () => {
    const p = await plan();
    const kona = p.resources.find((r) => r.name === "devnet-sequencers-1-kona-node")!;
    const reth = p.resources.find((r) => r.name === "devnet-sequencers-1-op-reth")!;
    assert.ok(kona.dependencies.includes(reth.urn), "explicit dependsOn");
    assert.ok(kona.dependencies.some((d) => d.endsWith("::devnet-sequencers-1-jwt")), "via the JWT input");
    assert.ok(kona.dependencies.some((d) => d.endsWith("::devnet-l1-op-deployer-inspect-l1")), "after the last deployer job via the artifacts volume");
  });

  it("is deterministic: two runs print byte-identical output", async () => {
    const [a, b] = await Promise.all([planProcess(["--json"]), planProcess(["--json"])]);
    assert.equal(a.code, 0);
    assert.equal(a.stdout, b.stdout);
  });

  it("invalid config: exit 2, the config contract's message on stderr, nothing on stdout", async () => {
    const r = await planProcess(["--json", "--set", "sequencerCount=9", "--set", "l2Nodes=3"]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /kupcake:sequencerCount = 9: must be at most kupcake:l2Nodes \(3\)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it("an unknown stack is a clear error", async () => {
    const r = await planProcess(["--json", "--stack", "nope"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no stack file .*Pulumi\.nope\.yaml/);
  });

  it("--set parses JSON values and dotted keys", async () => {
    const p = await plan({ "images.opReth": "example.com/op-reth:v9", monitoring: false });
    assert.equal(p.config.images.opReth, "example.com/op-reth:v9");
    assert.equal(p.config.monitoring, false);
    assert.ok(containers(p).some((c) => c.inputs.image === "example.com/op-reth:v9"));
    assert.ok(!containers(p).some((c) => String(c.inputs.name).endsWith("-grafana")));
  });

  it("without --json prints a table of containers, roles, images and host ports", async () => {
    const r = await planProcess([]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /CONTAINER\s+ROLE\s+IMAGE\s+HOST PORTS/);
    assert.match(r.stdout, /kup-dev-op-reth-sequencer-2\s+sequencer 2\s+\S+op-reth:\S+\s+127\.0\.0\.1:9645 127\.0\.0\.1:9646/);
  });
});

describe("flag conformance (conformance/flags.json)", () => {
  const variants: [string, Record<string, unknown>][] = [
    ["default", {}],
    ["1 sequencer", { sequencerCount: 1, l2Nodes: 3 }],
    ["3 sequencers", { sequencerCount: 3, l2Nodes: 7 }],
    ["all switches on", { challenger: true, challengerPrestatesUrl: "http://prestates:8080/" }],
    ["all switches off", { monitoring: false, proposer: false, challenger: false }],
  ];
  for (const [name, sets] of variants) {
    it(`${name}: 0 problems`, async () => {
      const r = checkPlanFlags(await plan(sets));
      assert.deepEqual(r.problems, []);
      assert.ok(r.checked > 0);
    });
  }
  for (const stack of ["single-sequencer", "multi-sequencer"]) {
    it(`example stack ${stack}: 0 problems`, async () => {
      const p = await plan({}, stack);
      assert.equal(p.config.network, `kup-${stack}`);
      const r = checkPlanFlags(p);
      assert.deepEqual(r.problems, []);
      assert.ok(r.checked > 0);
    });
  }

  /** A deep copy of the default plan with `edit` applied to the named container's inputs. */
  async function edited(container: string, edit: (c: PlannedResource) => void): Promise<Plan> {
    const p = structuredClone(await plan());
    const c = byContainerName(p, container);
    assert.ok(c, `${container} is in the default plan`);
    edit(c);
    return p;
  }
  /** Edits the L1 start script (`/bin/sh -c SCRIPT`) of the Anvil container. */
  const editScript = (edit: (script: string) => string) =>
    edited("kup-dev-anvil", (c) => {
      const entry = c.inputs.entrypoints as string[];
      assert.deepEqual(entry.slice(0, 2), ["/bin/sh", "-c"]);
      const next = edit(entry[2]);
      assert.notEqual(next, entry[2], "the edit changed the script");
      entry[2] = next;
    });

  it("reports an unknown flag in a kona-node command (run as `exec kona-node \"$@\"`)", async () => {
    const p = await edited("kup-dev-kona-node-sequencer-1", (c) => (c.inputs.command as string[]).push("--no-such-flag", "1"));
    assert.deepEqual(checkPlanFlags(p).problems, ["kup-dev-kona-node-sequencer-1 (kona-node): unknown flag --no-such-flag"]);
  });

  it("reports a missing required kona-node flag, and a subcommand flag given before the subcommand", async () => {
    const p = await edited("kup-dev-kona-node-validator-1", (c) => {
      const cmd = c.inputs.command as string[];
      cmd.splice(cmd.indexOf("--l1-beacon"), 2);
      cmd.unshift("--mode", "validator");
    });
    assert.deepEqual(checkPlanFlags(p).problems, [
      "kup-dev-kona-node-validator-1 (kona-node): unknown flag --mode (only accepted after a subcommand)",
      "kup-dev-kona-node-validator-1 (kona-node): missing required flag --l1-beacon",
    ]);
  });

  it("reports an unknown flag on an anvil line of the L1 start script", async () => {
    const p = await editScript((s) => s.replace("anvil '--host'", "anvil --no-such-flag '--host'"));
    assert.deepEqual(checkPlanFlags(p).problems, ["kup-dev-anvil (anvil): unknown flag --no-such-flag"]);
  });

  it("attributes `cast rpc --rpc-timeout 60` to cast, not to anvil; --rpc-timeout on the anvil line is reported", async () => {
    const base = await plan();
    const script = (byContainerName(base, "kup-dev-anvil")!.inputs.entrypoints as string[])[2];
    assert.match(script, /cast rpc --rpc-timeout 60 anvil_mine/);
    assert.match(script, /\banvil '--host'/);
    assert.deepEqual(checkPlanFlags(base).problems.filter((x) => x.includes("--rpc-timeout")), []);

    const p = await editScript((s) => s.replace("anvil '--host'", "anvil --rpc-timeout 60 '--host'"));
    assert.deepEqual(checkPlanFlags(p).problems, ["kup-dev-anvil (anvil): unknown flag --rpc-timeout"]);
  });

  it("checks cast's own flags and ignores flag-like words inside quoted values", async () => {
    const p = await editScript((s) => s.replace("cast rpc --rpc-timeout 60", "cast rpc --rpc-timeout 60 --no-such-flag").replaceAll("'test test test", "'test --looks-like-a-flag test"));
    assert.deepEqual(checkPlanFlags(p).problems, ["kup-dev-anvil (cast): unknown flag --no-such-flag"]);
  });
});
