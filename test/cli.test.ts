import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "./helpers/plan";

// Every script a user runs, as a subprocess the way package.json runs it: `--help` prints the usage
// on stdout, exits 0 and does nothing else; a usage error exits 2 with the usage on stderr and
// nothing on stdout; an unknown stack exits 2 naming its missing file. No stack trace, ever.
// (The docker- and pulumi-dependent paths are in lifecycle/drill/status/pulumiWrapper tests.)

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(argv: string[], env: Record<string, string> = {}): Promise<Ran> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(argv[0], argv.slice(1), { cwd: ROOT, env: { ...process.env, KUPCAKE_STACK: "", ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Runs `jobs` at most `n` at a time (the machine has few cores; each is a Node process). */
async function pool<T>(jobs: (() => Promise<T>)[], n = 3): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]();
      }
    }),
  );
  return out;
}

const tsx = (script: string, ...args: string[]) => [process.execPath, "--import", "tsx", join("scripts", script), ...args];

/** The scripts with the argv prefix `npm run <name>` uses. */
const SCRIPTS: Record<string, string[]> = {
  status: tsx("status.ts"),
  "drill:failover": tsx("drill.ts"),
  recover: tsx("recover.ts"),
  stop: tsx("lifecycle.ts", "stop"),
  start: tsx("lifecycle.ts", "start"),
  bench: tsx("bench.ts"),
  docs: tsx("docs.ts"),
  plan: tsx("plan.ts"),
  fund: tsx("fund.ts"),
  logs: tsx("logs.ts"),
  up: ["bash", "scripts/pulumi.sh", "up"],
  preview: ["bash", "scripts/pulumi.sh", "preview"],
  destroy: ["bash", "scripts/pulumi.sh", "destroy"],
  refresh: ["bash", "scripts/pulumi.sh", "refresh"],
};
/** Scripts that take --stack. */
const WITH_STACK = ["status", "drill:failover", "recover", "stop", "start", "up", "preview"];

const STACK_TRACE = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;

function noTrace(r: Ran, what: string) {
  assert.doesNotMatch(r.stderr, STACK_TRACE, `${what}: no stack trace\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /node:internal|Error: .*\n\s+at /, `${what}: no stack trace`);
}

describe("every script: --help, usage errors exit 2, unknown stacks exit 2, no stack traces", () => {
  it("--help and -h print the usage on stdout, exit 0 and do nothing else (bench does not benchmark, docs writes nothing)", async () => {
    const readme = statSync(join(ROOT, "README.md")).mtimeMs;
    const runs = await pool(
      Object.entries(SCRIPTS).map(([name, argv], i) => () => {
        const flag = i % 2 ? "-h" : "--help";
        return run([...argv, flag]).then((r) => [`${name} ${flag}`, r] as const);
      }),
    );
    for (const [what, r] of runs) {
      assert.equal(r.code, 0, `${what}: ${r.stderr}`);
      assert.match(r.stdout, /^usage: /, what);
      assert.equal(r.stderr, "", `${what}: nothing on stderr`);
    }
    const bench = runs.find(([w]) => w.startsWith("bench"))![1];
    assert.doesNotMatch(bench.stdout, /\| Topology/, "bench --help ran no benchmark");
    assert.ok(bench.ms < 30_000, `bench --help took ${bench.ms} ms`);
    assert.doesNotMatch(runs.find(([w]) => w.startsWith("docs"))![1].stdout, /updated /);
    assert.equal(statSync(join(ROOT, "README.md")).mtimeMs, readme, "docs --help rewrote nothing");
  });

  it("an unknown argument exits 2 with the usage on stderr and nothing on stdout", async () => {
    // The Pulumi wrapper hands unknown flags to pulumi (they are pulumi's); a stray word is its usage error.
    const bogus = (name: string) => (SCRIPTS[name][0] === "bash" ? "--bogus-flag".slice(2) : "--bogus-flag");
    const runs = await pool(Object.entries(SCRIPTS).map(([name, argv]) => () => run([...argv, bogus(name)]).then((r) => [name, r] as const)));
    for (const [name, r] of runs) {
      assert.equal(r.code, 2, `${name}: ${r.stderr}`);
      assert.match(r.stderr, /usage: /, name);
      assert.match(r.stderr, /bogus-flag/, `${name} names the argument`);
      assert.equal(r.stdout, "", name);
      noTrace(r, name);
    }
  });

  it("--stack without a name, and bad values, exit 2", async () => {
    const cases: [string, string[]][] = [
      ...WITH_STACK.map((name) => [`${name} --stack`, [...SCRIPTS[name], "--stack"]] as [string, string[]]),
      ["drill:failover --rounds 0", [...SCRIPTS["drill:failover"], "--rounds", "0"]],
      ["drill:failover --timeout x", [...SCRIPTS["drill:failover"], "--timeout", "x"]],
      ["recover --stall 0", [...SCRIPTS.recover, "--stall", "0"]],
      ["status --window -1", [...SCRIPTS.status, "--window", "-1"]],
      ["lifecycle.ts restart", tsx("lifecycle.ts", "restart")],
      ["pulumi.sh launch", ["bash", "scripts/pulumi.sh", "launch"]],
    ];
    const runs = await pool(cases.map(([what, argv]) => () => run(argv).then((r) => [what, r] as const)));
    for (const [what, r] of runs) {
      assert.equal(r.code, 2, `${what}: ${r.stderr}`);
      assert.match(r.stderr, /usage: /, what);
      assert.equal(r.stdout, "", what);
      noTrace(r, what);
    }
  });

  it("an unknown stack exits 2 naming its missing Pulumi.<stack>.yaml, before contacting anything", async () => {
    const cases: [string, string[]][] = [
      ...WITH_STACK.map((name) => [name, [...SCRIPTS[name], "--stack", "nosuch"]] as [string, string[]]),
      ["plan", tsx("plan.ts", "--stack", "nosuch")],
      ["KUPCAKE_STACK=nosuch status", SCRIPTS.status],
    ];
    const runs = await pool(cases.map(([what, argv]) => () => run(argv, what.startsWith("KUPCAKE_STACK") ? { KUPCAKE_STACK: "nosuch" } : {}).then((r) => [what, r] as const)));
    for (const [what, r] of runs) {
      assert.equal(r.code, 2, `${what}: ${r.stderr}`);
      assert.match(r.stderr, /Pulumi\.nosuch\.yaml/, what);
      noTrace(r, what);
    }
  });

  it("npm runs the same thing: npm run --silent status -- --help", async () => {
    const r = await run(["npm", "run", "--silent", "status", "--", "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^usage: npm run status/);
  });
});
