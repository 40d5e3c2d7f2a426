import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as yaml from "js-yaml";
import { LABEL } from "../../components/labels";

/**
 * The one layer between the end-to-end scenario and what users run: every step is a named, timed
 * command (`pulumi`, `npm run ...`, `docker`) run in a temporary copy of the project with its own
 * file backend, so `pulumi config set` never edits the working tree (the shape of Pulumi's
 * `pkg/testing/integration` ProgramTest). Output goes to `<logDir>/<nn>-<step>.log`; a failing
 * step prints its last 40 lines.
 */

/** The repository root. */
export const REPO = join(__dirname, "..", "..");

/** One timed step of the run. */
export interface StepRecord {
  name: string;
  command: string;
  /** Wall time in seconds. */
  seconds: number;
  ok: boolean;
}

/** A command's result. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Thrown when a prerequisite of the e2e run is missing; says what and how to get it. */
export class MissingPrerequisite extends Error {}

/** What the run needs before the first step: an engine, the built toolchain, the local images. */
export interface Prerequisites {
  /** Directory holding `pulumi`, its Node.js language host and the docker/random providers. */
  toolchainBin: string;
  /** `kupcake:images` for the e2e stack: local images for every service (see test/e2e/images.sh). */
  images: Record<string, string>;
}

/** Fails with how to start one when no Docker engine answers. */
export function requireEngine(): void {
  const r = spawnSync("docker", ["version", "--format", "{{.Server.APIVersion}}"], { encoding: "utf8" });
  if (r.status !== 0) {
    throw new MissingPrerequisite(
      `no Docker engine answers at ${process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"} (${(r.stderr || r.error?.message || "").trim()}).\n` +
        "  Start one: as root, `bash test/e2e/engine.sh` installs Debian's docker.io and starts dockerd; or point DOCKER_HOST at a running engine.",
    );
  }
}

/** The e2e run: a project copy, its environment, and the record of its steps. */
export class E2eRun {
  readonly steps: StepRecord[] = [];
  readonly runId = randomBytes(3).toString("hex");
  /** Devnet name: unique per run, so leftovers of an earlier run never collide. */
  readonly network = `kup-e2e-${this.runId}`;
  readonly stack = "dev";
  readonly root: string;
  /** The project copy every command runs in. */
  readonly dir: string;
  readonly logDir: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(readonly pre: Prerequisites) {
    this.root = mkdtempSync(join(process.env.KUPCAKE_E2E_TMP ?? tmpdir(), "kupcake-e2e-"));
    this.dir = join(this.root, "project");
    this.logDir = join(this.root, "logs");
    mkdirSync(this.logDir);
    copyProject(REPO, this.dir);
    mkdirSync(join(this.root, "state"));
    const runBin = join(this.root, "bin");
    mkdirSync(runBin);
    installDockerProviderStandIn(runBin);
    this.env = {
      ...process.env,
      PATH: `${runBin}:${pre.toolchainBin}:${process.env.PATH}`,
      PULUMI_BACKEND_URL: `file://${join(this.root, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "",
      PULUMI_HOME: join(this.root, "pulumi-home"),
      // Every plugin is on PATH (test/e2e/toolchain.sh): nothing is ever downloaded.
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      NO_COLOR: "1",
      KUPCAKE_STACK: this.stack,
    };
  }

  /** Writes the stack file: the default topology plus the run's network and local images. */
  writeStackConfig(extra: Record<string, unknown> = {}): void {
    const file = join(this.dir, `Pulumi.${this.stack}.yaml`);
    const doc = (yaml.load(readFileSync(file, "utf8")) as { config: Record<string, unknown> }) ?? { config: {} };
    doc.config = { ...doc.config, "kupcake:network": this.network, "kupcake:images": this.pre.images, ...extra };
    writeFileSync(file, yaml.dump(doc));
  }

  /**
   * Runs one command as a named step in the project copy. Rejects (after printing the log tail)
   * when it exits non-zero, unless `allowFailure`.
   */
  async step(name: string, argv: string[], opts: { allowFailure?: boolean; timeoutSeconds?: number } = {}): Promise<Ran> {
    const started = Date.now();
    const logFile = join(this.logDir, `${String(this.steps.length + 1).padStart(2, "0")}-${name.replace(/[^a-z0-9]+/gi, "-")}.log`);
    const ran = await run(argv, { cwd: this.dir, env: this.env, timeoutSeconds: opts.timeoutSeconds ?? 1800 });
    const seconds = (Date.now() - started) / 1000;
    writeFileSync(logFile, `$ ${argv.join(" ")}\n# exit ${ran.code} after ${seconds.toFixed(1)} s\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}\n`);
    const ok = ran.code === 0;
    this.steps.push({ name, command: argv.join(" "), seconds, ok: ok || !!opts.allowFailure });
    process.stderr.write(`e2e: ${ok ? "ok  " : "FAIL"} ${name} (${seconds.toFixed(1)} s)\n`);
    if (!ok && !opts.allowFailure) {
      const tail = `${ran.stdout}\n${ran.stderr}`.split("\n").filter((l) => l.trim()).slice(-40).join("\n");
      throw new Error(`step "${name}" exited ${ran.code}: ${argv.join(" ")}\n${tail}\n(full log: ${logFile})`);
    }
    return ran;
  }

  /** Times a check that is not a single command (e.g. comparing container ids). */
  async check<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    const started = Date.now();
    try {
      const v = await fn();
      this.steps.push({ name, command: "(check)", seconds: (Date.now() - started) / 1000, ok: true });
      return v;
    } catch (e) {
      this.steps.push({ name, command: "(check)", seconds: (Date.now() - started) / 1000, ok: false });
      throw e;
    }
  }

  /** `pulumi <args> --stack dev` in the project copy. */
  pulumi(name: string, args: string[], opts?: { allowFailure?: boolean }): Promise<Ran> {
    return this.step(name, ["pulumi", ...args, "--stack", this.stack], opts);
  }

  /** The stack's containers: name -> container id and creation time. */
  containers(): Map<string, { id: string; created: string }> {
    const out = docker(["ps", "-a", "--filter", `label=${LABEL.network}=${this.network}`, "--format", "{{.Names}}\t{{.ID}}\t{{.CreatedAt}}"]);
    return new Map(
      out
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\t"))
        .map(([name, id, created]) => [name, { id, created }]),
    );
  }

  /** Everything of the stack's network label left on the engine (containers, volumes, networks). */
  leftovers(): string[] {
    const filter = ["--filter", `label=${LABEL.network}=${this.network}`];
    return [
      ...docker(["ps", "-aq", ...filter]).split("\n").filter(Boolean).map((x) => `container ${x}`),
      ...docker(["volume", "ls", "-q", ...filter]).split("\n").filter(Boolean).map((x) => `volume ${x}`),
      ...docker(["network", "ls", "-q", ...filter]).split("\n").filter(Boolean).map((x) => `network ${x}`),
    ];
  }

  /**
   * Keeps the last lines of every stack container's log (and its state) in `<logDir>/containers/`,
   * so a failed run can be read after `destroy` removed the containers. Returns the directory.
   */
  keepContainerLogs(lines = 300): string {
    const dir = join(this.logDir, "containers");
    mkdirSync(dir, { recursive: true });
    for (const name of this.containers().keys()) {
      const r = spawnSync("docker", ["logs", "--timestamps", "--tail", String(lines), name], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
      const state = docker(["inspect", "--format", "{{json .State}}", name], true);
      writeFileSync(join(dir, `${name}.log`), `# state: ${state}\n${r.stdout}${r.stderr}`);
    }
    return dir;
  }

  /** Removes whatever the run left (after a failed destroy); returns what it removed. */
  sweep(): string[] {
    const left = this.leftovers();
    const of = (kind: string) => left.filter((l) => l.startsWith(kind + " ")).map((l) => l.split(" ")[1]);
    if (of("container").length) docker(["rm", "-f", "-v", ...of("container")], true);
    if (of("volume").length) docker(["volume", "rm", "-f", ...of("volume")], true);
    if (of("network").length) docker(["network", "rm", ...of("network")], true);
    return left;
  }

  /** The step table, as Markdown. */
  table(): string {
    const rows = this.steps.map((s, i) => `| ${i + 1} | ${s.name} | ${s.seconds.toFixed(1)} | ${s.ok ? "ok" : "FAILED"} |`);
    const total = this.steps.reduce((a, s) => a + s.seconds, 0);
    return ["| # | step | seconds | result |", "|---|---|---:|---|", ...rows, `| | total | ${total.toFixed(1)} | |`].join("\n");
  }

  /** Writes the step record as JSON (the README's table is generated from it). */
  /** Real command output kept for the README (`samples` of the report): the command line and what it printed. */
  readonly samples: { command: string; output: string }[] = [];

  /** Keeps a command's output for the report; the run's network name becomes `kup-e2e`. */
  sample(command: string, output: string): void {
    const neutral = (t: string) => t.split(this.network).join("kup-e2e");
    this.samples.push({ command: neutral(command), output: neutral(output.trimEnd()) });
  }

  writeReport(file: string, machine: string): void {
    writeFileSync(file, JSON.stringify({ machine, date: new Date().toISOString().slice(0, 10), steps: this.steps, samples: this.samples }, null, 2) + "\n");
  }
}

/**
 * The docker resource provider of this run: the stand-in in test/e2e/provider-docker, started by
 * the engine as `pulumi-resource-docker` (the module proxy serves no source of pulumi-docker, so
 * the real plugin cannot be built here; see test/e2e/toolchain/README.md).
 */
function installDockerProviderStandIn(dir: string): void {
  const wrapper = join(dir, "pulumi-resource-docker");
  writeFileSync(wrapper, `#!/bin/sh\ncd '${REPO}' && exec node --import tsx test/e2e/provider-docker/main.ts "$@"\n`, { mode: 0o755 });
}

/** Copies the project (sources, stack files, policies) and links its node_modules. */
function copyProject(from: string, to: string): void {
  const skip = new Set(["node_modules", ".git", ".pulumi"]);
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    if (skip.has(entry)) continue;
    cpSync(join(from, entry), join(to, entry), {
      recursive: true,
      filter: (src) => !src.includes(`${"/"}node_modules`),
    });
  }
  symlinkSync(join(from, "node_modules"), join(to, "node_modules"));
  if (existsSync(join(from, "policies", "node_modules"))) symlinkSync(join(from, "policies", "node_modules"), join(to, "policies", "node_modules"));
}

/** Runs a command, collecting its output; never throws for a non-zero exit. */
export function run(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutSeconds?: number } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${opts.timeoutSeconds} s)`;
      child.kill("SIGTERM");
    }, (opts.timeoutSeconds ?? 1800) * 1000);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${stderr}${e.message}` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** Runs the docker CLI synchronously and returns stdout; throws with stderr unless `lenient`. */
export function docker(args: string[], lenient = false): string {
  const r = spawnSync("docker", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0 && !lenient) throw new Error(`docker ${args.join(" ")}: ${r.stderr.trim()}`);
  return r.stdout;
}
