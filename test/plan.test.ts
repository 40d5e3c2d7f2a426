import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, it } from "node:test";
import { SHARED, containers, plan, planProcess } from "./helpers/plan";

const exec = promisify(execFile);

async function checkFlags(p: object): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), "kupcake-plan-")), "plan.json");
  writeFileSync(file, JSON.stringify(p));
  const { stdout } = await exec(process.execPath, [join(SHARED, "tools", "check-flags.mjs"), file]).catch((e) => e);
  return stdout.trim().split("\n").pop() ?? "";
}

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

describe("upstream flags (../shared/tools/check-flags.mjs)", () => {
  const variants: [string, Record<string, unknown>][] = [
    ["default", {}],
    ["1 sequencer", { sequencerCount: 1, l2Nodes: 3 }],
    ["3 sequencers", { sequencerCount: 3, l2Nodes: 7 }],
    ["all switches on", { challenger: true, challengerPrestatesUrl: "http://prestates:8080/" }],
    ["all switches off", { monitoring: false, proposer: false, challenger: false }],
  ];
  for (const [name, sets] of variants) {
    it(`${name}: 0 problems`, async () => {
      assert.match(await checkFlags(await plan(sets)), /^\d+ containers checked, 0 problems$/);
    });
  }
  for (const stack of ["single-sequencer", "multi-sequencer"]) {
    it(`example stack ${stack}: 0 problems`, async () => {
      const p = await plan({}, stack);
      assert.equal(p.config.network, `kup-${stack}`);
      assert.match(await checkFlags(p), /^\d+ containers checked, 0 problems$/);
    });
  }
});
