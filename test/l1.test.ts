import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, it } from "node:test";
import { DEFAULT_IMAGES } from "../components/images";

const exec = promisify(execFile);

interface Outcome {
  artifacts: string;
  errors: string[];
  registered: { type: string; name: string; inputs: Record<string, unknown> }[];
}

async function run(failing: string): Promise<Outcome> {
  // A failed deployment leaves the SDK's dependent promises pending, so the process exits non-zero
  // after printing its report; the report is what counts.
  const stdout = await exec(process.execPath, ["--import", "tsx", join(__dirname, "fixtures", "failingJob.ts"), failing], { maxBuffer: 64 * 1024 * 1024 }).then(
    (r) => r.stdout,
    (e: { stdout: string }) => e.stdout,
  );
  return JSON.parse(stdout.split("\n")[0]);
}

describe("L1 component under mocks", () => {
  it("a failing op-deployer job fails `up` with its name and log tail; later jobs and the artifacts wait for it", async () => {
    const o = await run("op-deployer-apply");
    assert.match(o.artifacts, /^rejected: .*kup-dev-op-deployer-apply exited with code 1\. Last log lines:\n    deploying\.\.\.\n    error: chain has a fee vault set to zero address/);
    assert.ok(o.errors.some((e) => /kup-dev-op-deployer-apply exited with code 1/.test(e)), "the next registration fails with the same message, which `pulumi up` prints");
    const jobs = o.registered.filter((r) => r.name.includes("op-deployer-")).map((r) => r.name);
    assert.deepEqual(jobs, ["l1-op-deployer-init", "l1-op-deployer-apply"], "jobs after the failing one are never created");
  });

  it("when every job succeeds, the jobs run in order and the artifacts resolve", async () => {
    const o = await run("no-such-job");
    assert.equal(o.artifacts, "resolved kup-dev-l1-artifacts");
    assert.deepEqual(o.errors, []);
    const jobs = o.registered.filter((r) => r.name.includes("op-deployer-"));
    assert.deepEqual(jobs.map((r) => r.name), ["l1-op-deployer-init", "l1-op-deployer-apply", "l1-op-deployer-inspect-genesis", "l1-op-deployer-inspect-rollup", "l1-op-deployer-inspect-l1"]);
    // Each job carries the previous job's checked name: it is created only after that one exited 0.
    const after = jobs.map((j) => (j.inputs.labels as { label: string; value: string }[]).find((l) => l.label === "kupcake.after")!.value);
    assert.deepEqual(after, ["kup-dev-anvil", "kup-dev-op-deployer-init", "kup-dev-op-deployer-apply", "kup-dev-op-deployer-inspect-genesis", "kup-dev-op-deployer-inspect-rollup"]);
    for (const j of jobs) {
      assert.equal(j.inputs.image, DEFAULT_IMAGES.opDeployer);
      assert.equal(j.inputs.attach, true);
      assert.equal(j.inputs.mustRun, false);
    }
    const anvil = o.registered.find((r) => r.name === "l1-anvil")!;
    assert.equal(anvil.inputs.image, DEFAULT_IMAGES.anvil);
    assert.equal(anvil.inputs.wait, true, "dependants start only when Anvil is healthy");
    assert.ok(o.registered.some((r) => r.type === "docker:index/network:Network" && r.inputs.name === "kup-dev-network"));
    assert.ok(o.registered.some((r) => r.type === "docker:index/volume:Volume" && r.inputs.name === "kup-dev-anvil-state"));
  });
});
