import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
import { DIFF_EXAMPLE_ARGS, diffExampleMarkdown, renderGenerated } from "../components/config/reference";
import { CONFIG_KEYS } from "../components/config/schema";
import { validateConfig } from "../components/config/validate";
import { ROOT, plan, planProcess } from "./helpers/plan";

const read = (f: string) => readFileSync(join(ROOT, f), "utf8");

describe("docs match the code", () => {
  const files = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
  for (const f of files) {
    it(`${f}: generated sections are up to date (npm run docs)`, () => {
      const text = read(f);
      assert.equal(renderGenerated(text), text);
    });
  }

  it("README's --diff example is the real output of the plan it names (npm run docs)", async () => {
    const r = await planProcess(DIFF_EXAMPLE_ARGS);
    assert.equal(r.code, 0, r.stderr);
    const readme = read("README.md");
    assert.match(readme, /<!-- diff-example:start -->/);
    assert.equal(renderGenerated(readme, { "diff-example": () => diffExampleMarkdown(r.stdout) }), readme);
  });

  it("Pulumi.yaml pins the wrapper's file backend, and its directory is in the checkout (the CLI needs it to exist)", () => {
    const project = yaml.load(read("Pulumi.yaml")) as { backend?: { url?: string } };
    assert.equal(project.backend?.url, "file://./.pulumi");
    assert.match(read("scripts/pulumi.sh"), /export PULUMI_BACKEND_URL="file:\/\/\$PWD\/\.pulumi"/);
    assert.ok(readdirSync(join(ROOT, ".pulumi")).includes("README.md"));
  });

  it("README opens with the two commands: bring the devnet up, run the tests", () => {
    const blocks = read("README.md").split("```");
    assert.match(blocks[1], /npm run up/);
    assert.match(blocks[1], /npm test/);
  });

  it(".ci/run runs exactly the README's test commands: the offline suite, then the real-engine run", () => {
    assert.match(read(".ci/run"), /\nnpm ci --no-audit --no-fund\nnpm test\nnpm run test:e2e\n$/);
    assert.equal(JSON.parse(read("package.json")).scripts.test.includes("test/*.test.ts"), true);
  });

  it("Pulumi.yaml declares only keys with a static default (a declared key without one is required by the CLI), equal to the schema's", () => {
    const project = yaml.load(read("Pulumi.yaml")) as { name: string; config: Record<string, { type: string; default?: unknown; description: string }> };
    assert.equal(project.name, "kupcake");
    const defaults = validateConfig("dev", {}) as unknown as Record<string, unknown>;
    // Computed defaults (from the network name, or min(2, l2Nodes)) and keys without a default.
    const undeclared = ["network", "l1ChainId", "l2ChainId", "sequencerCount", "challengerPrestatesUrl", "images", "ports", "hardforks"];
    const scalar = Object.keys(CONFIG_KEYS).filter((k) => !undeclared.includes(k));
    assert.deepEqual(Object.keys(project.config).sort(), scalar.sort());
    for (const [k, v] of Object.entries(project.config)) {
      assert.ok(v.description.length > 10, `${k} has a description`);
      assert.notEqual(v.default, undefined, `${k} is declared without a default: the Pulumi CLI would require it on every stack`);
      assert.equal(v.default, defaults[k], `default of ${k}`);
    }
  });

  it("README lists every stack output the program exports", async () => {
    const readme = read("README.md");
    const p = await plan({ challenger: true, challengerPrestatesUrl: "http://p/" });
    for (const out of Object.keys(p.outputs)) assert.match(readme, new RegExp("`" + out + "(`|\\[\\])"), out);
    for (const field of Object.keys((p.outputs.sequencers as object[])[0])) assert.match(readme, new RegExp("`" + field + "`"), `sequencers[].${field}`);
  });
});
