import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ROOT } from "./helpers/plan";

// The wrapper's own decisions (usage, stack selection, engine check) with recording stand-ins for
// the `pulumi` and `docker` executables; the real CLI runs in the e2e suite (npm run test:e2e).
const bin = mkdtempSync(join(tmpdir(), "kupcake-wrapper-"));
const log = join(bin, "calls.log");
const tool = (name: string, body: string) => {
  writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> ${log}\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
};
tool("pulumi", "exit 0");
after(() => rmSync(bin, { recursive: true, force: true }));

function wrapper(args: string[], dockerAnswers: boolean) {
  tool("docker", dockerAnswers ? "echo 1.41" : "echo 'Cannot connect to the Docker daemon' >&2; exit 1");
  writeFileSync(log, "");
  const r = spawnSync("bash", ["scripts/pulumi.sh", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, PULUMI_BACKEND_URL: `file://${bin}`, KUPCAKE_POLICIES: "off", DOCKER_HOST: "unix:///nowhere/docker.sock" },
  });
  return { ...r, calls: readFileSync(log, "utf8").trim().split("\n").filter(Boolean) };
}

describe("scripts/pulumi.sh", () => {
  it("fails with a clear message, before calling pulumi, when no Docker engine answers (preview and destroy too)", () => {
    for (const cmd of ["up", "preview", "destroy"]) {
      const r = wrapper([cmd], false);
      assert.equal(r.status, 1, cmd);
      assert.match(r.stderr, /no Docker engine answers at unix:\/\/\/nowhere\/docker\.sock; start Docker/);
      assert.ok(!r.calls.some((c) => c.startsWith("pulumi")), `${cmd}: pulumi not run`);
    }
  });

  it("-s NAME and --stack NAME select exactly one stack", () => {
    for (const flag of [["-s", "side"], ["--stack", "side"], ["--stack=side"]]) {
      const r = wrapper(["preview", ...flag, "--diff"], true);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.calls.filter((c) => c.startsWith("pulumi")), ["pulumi stack select --create side", "pulumi preview --stack side --diff"]);
    }
  });

  it("usage errors exit 2; --help exits 0", () => {
    assert.equal(wrapper(["launch"], true).status, 2);
    assert.equal(wrapper(["up", "--stack"], true).status, 2);
    assert.equal(wrapper(["--help"], true).status, 0);
  });
});
