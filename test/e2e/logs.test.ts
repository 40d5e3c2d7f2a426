import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ROOT } from "../helpers/plan";

/**
 * `npm run logs` against a real Docker Engine: containers named as the stack would name them
 * (a stack file in a project copy sets the network), running a shell that prints known lines.
 * Everything created carries the label `kupcake.test=logs-<run>` and is removed at the end.
 */
const IMAGE = "kupcake-e2e/debian:bookworm";
const run = randomBytes(3).toString("hex");
const NETWORK = `kup-logs-${run}`;
const LABEL = `kupcake.test=logs-${run}`;
const STACK = "logs";

const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();
/** Starts a container of the test stack that runs `script` under /bin/sh. */
const container = (name: string, script: string) => docker("run", "-d", "--name", `${NETWORK}-${name}`, "--label", LABEL, IMAGE, "sh", "-c", script);

let project = "";
function copyProject(): string {
  const root = mkdtempSync(join(tmpdir(), "kupcake-logs-"));
  const dir = join(root, "project");
  mkdirSync(dir);
  for (const entry of readdirSync(ROOT)) {
    if (["node_modules", ".git", ".pulumi", "test", "docs"].includes(entry)) continue;
    cpSync(join(ROOT, entry), join(dir, entry), { recursive: true, filter: (src) => !src.includes("/node_modules") });
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  writeFileSync(join(dir, `Pulumi.${STACK}.yaml`), `config:\n  kupcake:network: ${NETWORK}\n  kupcake:l2Nodes: 3\n  kupcake:sequencerCount: 2\n`);
  return dir;
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}
function logs(args: string[]): Ran {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(project, "scripts", "logs.ts"), ...args, "--stack", STACK], { cwd: project, encoding: "utf8", timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const engineUp = spawnSync("docker", ["image", "inspect", IMAGE], { encoding: "utf8" }).status === 0;

describe("npm run logs on a real Docker Engine", { skip: engineUp ? false : `no Docker Engine with ${IMAGE}` }, () => {
  before(() => {
    project = copyProject();
    container("op-batcher", "echo batcher started; echo batcher warning >&2; echo batcher done");
    container("kona-node-sequencer-1", "i=0; while true; do echo kona line $i; i=$((i+1)); sleep 0.3; done");
    container("op-reth-sequencer-1", "i=0; while true; do echo reth line $i; i=$((i+1)); sleep 0.3; done");
    // The batcher has exited, and each looping container has printed a few lines.
    for (let t = 0; t < 50 && docker("inspect", "--format", "{{.State.Status}}", `${NETWORK}-op-batcher`) !== "exited"; t++) execFileSync("sleep", ["0.2"]);
    execFileSync("sleep", ["1"]);
  });
  after(() => {
    const ids = docker("ps", "-aq", "--filter", `label=${LABEL}`).split("\n").filter(Boolean);
    if (ids.length) docker("rm", "-f", ...ids);
    if (project) rmSync(join(project, ".."), { recursive: true, force: true });
  });

  it("one container: its name and state first, then its stdout and stderr as docker logs gives them", () => {
    const r = logs(["batcher"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^==> ${NETWORK}-op-batcher \\(exited\\) <==\\n`));
    assert.equal(r.stdout, "batcher started\nbatcher done\n");
    assert.match(r.stderr, /batcher warning/);
  });

  it("sequencer N: kona-node then op-reth, each under its name, --tail applied to each", () => {
    const r = logs(["sequencer", "1", "--tail", "2"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`==> ${NETWORK}-kona-node-sequencer-1 \\(running\\) <==\\n==> ${NETWORK}-op-reth-sequencer-1 \\(running\\) <==`));
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 4, r.stdout);
    assert.match(lines[0], /^kona line \d+$/);
    assert.match(lines[1], /^kona line \d+$/);
    assert.match(lines[2], /^reth line \d+$/);
    assert.match(lines[3], /^reth line \d+$/);
  });

  it("--follow: both containers' new lines interleaved, each prefixed with its name; Ctrl-C ends it", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", join(project, "scripts", "logs.ts"), "sequencer", "1", "--follow", "--tail", "0", "--stack", STACK], { cwd: project, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const t0 = Date.now();
    while (!(/^kona-node-sequencer-1 \| kona line \d+$/m.test(out) && /^op-reth-sequencer-1   \| reth line \d+$/m.test(out)) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 100));
    const exited = new Promise<number | null>((r) => child.on("close", (c, sig) => r(c ?? (sig ? 130 : null))));
    process.kill(-child.pid!, "SIGINT"); // what a terminal's Ctrl-C does: the whole process group
    await exited;
    assert.match(out, /^kona-node-sequencer-1 \| kona line \d+$/m, `stdout: ${out}\nstderr: ${err}`);
    assert.match(out, /^op-reth-sequencer-1   \| reth line \d+$/m);
    assert.doesNotMatch(out, /^(?!kona-node-sequencer-1 \| |op-reth-sequencer-1   \| ).+$/m, "every line carries its container's prefix");
    assert.match(err, new RegExp(`==> ${NETWORK}-kona-node-sequencer-1 \\(running\\) <==`));
  });

  it("a role whose container does not exist: exit 1 naming it and the fix", () => {
    const r = logs(["validator", "1"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`kupcake logs: no container ${NETWORK}-kona-node-validator-1, ${NETWORK}-op-reth-validator-1 on this Docker engine\\. Fix: is the stack up`));
    assert.equal(r.stdout, "");
  });
});
