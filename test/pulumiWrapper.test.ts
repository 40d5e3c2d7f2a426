import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ROOT } from "./helpers/plan";

// The wrapper's own decisions (usage, stack selection, engine check) with recording stand-ins for
// the `pulumi` and `docker` executables; the real CLI runs in the e2e suite (npm run test:e2e).
// The `pulumi` stand-in keeps a list of existing stacks and answers `stack select NAME` without
// --create the way the real CLI does for a missing stack ("error: no stack named 'x' found", exit 6).
const bin = mkdtempSync(join(tmpdir(), "kupcake-wrapper-"));
const log = join(bin, "calls.log");
const stacks = join(bin, "stacks");
const tool = (name: string, body: string) => {
  writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> ${log}\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
};
tool(
  "pulumi",
  `if [ "$1 $2" = "stack select" ]; then
  if [ "$3" = "--create" ]; then echo "$4" >> ${stacks}; exit 0; fi
  grep -qx "$3" ${stacks} 2>/dev/null || { echo "error: no stack named '$3' found" >&2; exit 6; }
fi
exit 0`,
);
after(() => rmSync(bin, { recursive: true, force: true }));

function wrapper(args: string[], dockerAnswers: boolean, env: Record<string, string> = {}, existing: string[] = []) {
  tool("docker", dockerAnswers ? "echo 1.41" : "echo 'Cannot connect to the Docker daemon' >&2; exit 1");
  writeFileSync(log, "");
  writeFileSync(stacks, existing.map((s) => s + "\n").join(""));
  const r = spawnSync("bash", ["scripts/pulumi.sh", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, PULUMI_BACKEND_URL: `file://${bin}`, KUPCAKE_POLICIES: "off", KUPCAKE_PREFLIGHT: "off", DOCKER_HOST: "unix:///nowhere/docker.sock", KUPCAKE_STACK: "", ...env },
  });
  const calls = readFileSync(log, "utf8").trim().split("\n").filter(Boolean);
  return { ...r, calls, pulumi: calls.filter((c) => c.startsWith("pulumi")) };
}

describe("scripts/pulumi.sh", () => {
  it("fails with a clear message, before calling pulumi, when no Docker engine answers (preview and destroy too)", () => {
    for (const cmd of ["up", "preview", "destroy"]) {
      const r = wrapper([cmd], false);
      assert.equal(r.status, 1, cmd);
      assert.match(r.stderr, /no Docker engine answers at unix:\/\/\/nowhere\/docker\.sock; start Docker/);
      assert.deepEqual(r.pulumi, [], `${cmd}: pulumi not run`);
    }
  });

  it("-s NAME, --stack NAME, --stack=NAME and -s=NAME select exactly one stack", () => {
    for (const flag of [["-s", "multi-sequencer"], ["--stack", "multi-sequencer"], ["--stack=multi-sequencer"], ["-s=multi-sequencer"]]) {
      for (const cmd of ["preview", "up"]) {
        const r = wrapper([cmd, ...flag, "--diff"], true);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(r.pulumi, ["pulumi stack select --create multi-sequencer", `pulumi ${cmd} --stack multi-sequencer --diff`], flag.join(" "));
      }
    }
    // Pulumi options with values pass through.
    const t = wrapper(["up", "--target", "urn:pulumi:dev::kupcake::x", "--yes"], true);
    assert.deepEqual(t.pulumi, ["pulumi stack select --create dev", "pulumi up --stack dev --target urn:pulumi:dev::kupcake::x --yes"]);
  });

  it("a stray stack name (npm run up -s NAME: npm ate the -s) and two different stacks are usage errors; pulumi never runs", () => {
    const stray = wrapper(["up", "multi-sequencer"], true, { npm_config_loglevel: "silent" });
    assert.equal(stray.status, 2);
    assert.match(stray.stderr, /unexpected argument 'multi-sequencer' \(npm took -s as its own --silent flag\)\. To pick a stack write: npm run up -- --stack multi-sequencer/);
    assert.deepEqual(stray.pulumi, []);
    const two = wrapper(["up", "--stack", "dev", "-s", "multi-sequencer"], true);
    assert.equal(two.status, 2);
    assert.match(two.stderr, /two stacks given \(--stack dev and -s multi-sequencer\); pick one/);
    assert.deepEqual(two.pulumi, []);
    // The same name twice is one stack.
    assert.equal(wrapper(["preview", "--stack", "dev", "-s", "dev"], true).status, 0);
  });

  it("destroy and refresh of a stack that does not exist refuse (exit 2) without creating it", () => {
    for (const cmd of ["destroy", "refresh"]) {
      const r = wrapper([cmd, "--stack", "nosuch", "--yes"], true, {}, ["dev"]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`there is no stack 'nosuch' in file://\\S+, so nothing to ${cmd} \\(nothing was created\\)`));
      assert.deepEqual(r.pulumi, ["pulumi stack select nosuch"], "no --create, no destroy");
      const ok = wrapper([cmd, "--stack", "dev", "--yes"], true, {}, ["dev"]);
      assert.equal(ok.status, 0, ok.stderr);
      assert.deepEqual(ok.pulumi, ["pulumi stack select dev", `pulumi ${cmd} --stack dev --yes`]);
    }
  });

  it("up and preview need the stack's file, like npm run plan: no Pulumi.<stack>.yaml, exit 2 with the fix, nothing created", () => {
    for (const cmd of ["up", "preview"]) {
      const r = wrapper([cmd, "--stack", "nosuch"], true);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /no stack file Pulumi\.nosuch\.yaml, so there is no stack 'nosuch' to (up|preview)/);
      assert.match(r.stderr, /Fix: create it from an example, e\.g\. cp Pulumi\.dev\.yaml Pulumi\.nosuch\.yaml .*or pick one of: .*dev/);
      assert.deepEqual(r.calls, [], "neither pulumi nor docker ran");
    }
    const plan = spawnSync(process.execPath, ["--import", "tsx", "scripts/plan.ts", "--stack", "nosuch"], { cwd: ROOT, encoding: "utf8" });
    assert.equal(plan.status, 2, "plan refuses the same stack");
    assert.match(plan.stderr, /Pulumi\.nosuch\.yaml/);
  });

  it("usage errors exit 2 with the usage on stderr; --help anywhere prints it on stdout, exits 0 and runs nothing", () => {
    for (const args of [["launch"], [], ["up", "--stack"], ["up", "--stack", "--yes"], ["up", "--stack="], ["up", "--stack", "../x"]]) {
      const r = wrapper(args, true);
      assert.equal(r.status, 2, args.join(" "));
      assert.match(r.stderr, /usage: npm run up\|preview\|destroy\|refresh/);
      assert.equal(r.stdout, "");
    }
    for (const args of [["--help"], ["-h"], ["up", "--help"], ["destroy", "--stack", "nosuch", "-h"]]) {
      const r = wrapper(args, true);
      assert.equal(r.status, 0, args.join(" "));
      assert.match(r.stdout, /^usage: npm run up\|preview\|destroy\|refresh/);
      assert.deepEqual(r.calls, [], "nothing ran");
    }
  });
});
