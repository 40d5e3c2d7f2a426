import assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { after } from "node:test";
import { L1_READY_FILE, L1_READY_LINE } from "../../components/builders/anvil";
import { hexToNumber, rpcCall, sleep } from "../../components/dynamic/rpc";
import { byContainerName, plan } from "./plan";

/**
 * The L1 container's exact start command (from the plan), run on the host with the REAL Anvil and
 * cast of the npm packages `@foundry-rs/anvil` / `@foundry-rs/cast` (the same foundry release as
 * the container image). Only host paths (the /data volume, the /dev/shm ready file), the port and
 * the listen address are mapped. Shared by the real-Anvil tests.
 */

/** The state file the start script keeps on the L1 volume. */
export const STATE_FILE = "l1-state.json.gz";

/**
 * The npm package of a foundry tool the tests run (`anvil`, `cast`): an optional dependency that
 * npm installs only on Linux x64 (the registry serves no other build here), so `npm ci` works on
 * macOS and arm64 and these tests say what is missing there.
 */
export const foundryPackage = (tool: string) => `@foundry-rs/${tool}-linux-amd64`;

/**
 * The directory holding a foundry tool's binary, from its npm package.
 * @throws Error naming the package and the platform when it is not installed
 */
export function foundryBin(tool: string): string {
  try {
    return dirname(require.resolve(`${foundryPackage(tool)}/package.json`)) + "/bin";
  } catch {
    throw new Error(
      `this test runs the real ${tool} from the npm package ${foundryPackage(tool)}, an optional dependency npm installs only on ` +
        `Linux x64 (this machine: ${process.platform}/${process.arch}). Run it on Linux x64 after \`npm ci\` (CI does).`,
    );
  }
}

/** The foundry release of the installed npm binaries, e.g. "1.7.1". @throws like `foundryBin` */
export function foundryVersion(tool = "anvil"): string {
  return JSON.parse(readFileSync(join(foundryBin(tool), "..", "package.json"), "utf8")).version;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Replaces a token that must be present (so the test follows the real command, not a guess). */
function mapToken(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `the L1 command contains ${from}`);
  return text.split(from).join(to);
}

export interface L1Command {
  entrypoints: string[];
  command: string[];
}

/** The L1 container's command from the plan of a stack with this block time and L1 chain id. */
export async function l1Command(blockTime: number, l1ChainId: number): Promise<L1Command> {
  const p = await plan({ blockTime, l1ChainId });
  const anvil = byContainerName(p, "kup-dev-anvil")!;
  return { entrypoints: anvil.inputs.entrypoints as string[], command: anvil.inputs.command as string[] };
}

const root = mkdtempSync(join(tmpdir(), "kupcake-anvil-"));
const alive = new Set<ChildProcess>();
// Registered by the importing test file: its processes and data directories go when it ends.
after(() => {
  for (const p of alive) if (p.pid) try { process.kill(-p.pid, "SIGKILL"); } catch { /* gone */ }
  rmSync(root, { recursive: true, force: true });
});

/**
 * One running L1 as the tests drive it: started, killed (`docker kill`), stopped (`docker stop`),
 * with its /data volume readable as files. Implemented on the host (`L1` below) and in a real
 * container (test/e2e/l1Container.ts), so the same tests run on both.
 */
export interface L1Node {
  /** JSON-RPC (and beacon API) base URL on loopback. */
  readonly url: string;
  /** The host path of a file on the L1's /data volume. */
  file(name: string): string;
  /** The same file's path as the start script sees it (what its log lines name). */
  inside(name: string): string;
  /** The start script's stderr (host) or container log (engine) since the last start. */
  log(): Promise<string>;
  /** Starts the exact start command; resolves with the milliseconds until the healthcheck's ready file exists. */
  start(readyWithinMs?: number): Promise<number>;
  /** Starts it and waits for it to exit on its own; resolves with the exit code. */
  startExpectingExit(): Promise<number>;
  /** SIGKILL to everything in it (`docker kill`, OOM, power loss). */
  kill(): Promise<void>;
  /** SIGTERM to PID 1 (`docker stop`); resolves with the exit code. */
  stop(): Promise<number>;
  /** The best block number of a dump file on the volume (what a start would load). */
  dumpedHead(name?: string): number;
  /** How many entries $HOME/.foundry/anvil/tmp (Anvil's on-disk historical states) holds. */
  anvilStateDirs(): Promise<number>;
}

/** Makes a fresh L1 (empty volume, free port) running `cmd`; `name` labels its data directory. */
export type L1Factory = (name: string, cmd: L1Command) => Promise<L1Node>;

/** Reads the best block number of a gzip'd Anvil state dump. */
export function dumpedHeadOf(path: string): number {
  const state = JSON.parse(gunzipSync(readFileSync(path)).toString("utf8"));
  return state.best_block_number;
}

/** One L1 "container" on the host: a data directory (its volume) and a port, started and killed like Docker does. */
export class L1 implements L1Node {
  readonly dir: string;
  proc?: ChildProcess;
  stderr: string[] = [];
  readonly url: string;
  /** $HOME of the start script and its Anvil. */
  readonly home: string;
  private constructor(name: string, readonly cmd: L1Command, readonly port: number) {
    this.dir = join(root, name);
    mkdirSync(this.dir);
    // Anvil keeps historical states under $HOME/.foundry/anvil/tmp: one home per L1, so the start
    // script's clean-up of dead Anvils' states never reaches another test's live one.
    this.home = join(root, `${name}.home`);
    mkdirSync(this.home);
    this.url = `http://127.0.0.1:${port}`;
  }
  static async create(name: string, cmd: L1Command): Promise<L1> {
    return new L1(name, cmd, await freePort());
  }
  file(name: string) {
    return join(this.dir, name);
  }
  inside(name: string) {
    return this.file(name);
  }
  async log(): Promise<string> {
    return this.text();
  }
  private text(): string {
    return this.stderr.join("");
  }
  /** Starts the exact start script; resolves once the ready file (the healthcheck's test) exists. */
  async start(readyWithinMs = 30_000): Promise<number> {
    const [shell, flagC, script, ...rest] = [...this.cmd.entrypoints, ...this.cmd.command];
    assert.equal(shell, "/bin/sh");
    assert.equal(flagC, "-c");
    let mapped = mapToken(script, "/data/", `${this.dir}/`);
    mapped = mapToken(mapped, "'/data'", `'${this.dir}'`);
    mapped = mapToken(mapped, "8545", String(this.port));
    mapped = mapToken(mapped, "'0.0.0.0'", "'127.0.0.1'");
    mapped = mapToken(mapped, L1_READY_FILE, this.file("ready"));
    rmSync(this.file("ready"), { force: true }); // a fresh container start has an empty /dev/shm
    const t0 = Date.now();
    // detached: its own process group, so a SIGKILL hits the shell, Anvil and cast together, as `docker kill` does.
    const proc = spawn(shell, [flagC, mapped, ...rest], {
      detached: true,
      env: { ...process.env, HOME: this.home, PATH: `${foundryBin("anvil")}:${foundryBin("cast")}:${process.env.PATH}` },
      stdio: ["ignore", "ignore", "pipe"],
    });
    alive.add(proc);
    proc.once("exit", () => alive.delete(proc));
    this.proc = proc;
    this.stderr = [];
    const stderr = this.stderr;
    proc.stderr!.on("data", (d) => stderr.push(String(d)));
    while (!existsSync(this.file("ready"))) {
      if (proc.exitCode !== null) assert.fail(`the L1 start command exited ${proc.exitCode}: ${this.text()}`);
      if (Date.now() - t0 > readyWithinMs) assert.fail(`L1 not ready after ${readyWithinMs} ms: ${this.text()}`);
      await sleep(50);
    }
    const ms = Date.now() - t0;
    // The script logs its ready line before it creates the ready file; the pipe may not be read yet.
    for (let i = 0; i < 40 && !L1_READY_LINE.test(this.text()); i++) await sleep(50);
    return ms;
  }
  /** Runs the start script until it exits on its own; returns its exit code. */
  async startExpectingExit(): Promise<number> {
    const started = this.start(20_000).then(
      () => assert.fail("the L1 became ready"),
      () => undefined,
    );
    const code = await new Promise<number>((r) => this.proc!.once("exit", (c) => r(c ?? -1)));
    await started;
    return code;
  }
  /** SIGKILL to the whole process group (`docker kill`, OOM, power loss). */
  async kill(): Promise<void> {
    const proc = this.proc!;
    if (proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    process.kill(-proc.pid!, "SIGKILL");
    await exited;
  }
  /** SIGTERM to the shell only (`docker stop` signals PID 1), then wait for it. */
  async stop(): Promise<number> {
    const proc = this.proc!;
    const exited = new Promise<number>((r) => proc.once("exit", (c) => r(c ?? -1)));
    proc.kill("SIGTERM");
    return exited;
  }
  /** The best block number of a dump file on the volume (what a start would load). */
  dumpedHead(name = STATE_FILE): number {
    return dumpedHeadOf(this.file(name));
  }
  async anvilStateDirs(): Promise<number> {
    const dir = join(this.home, ".foundry", "anvil", "tmp");
    return existsSync(dir) ? readdirSync(dir).length : 0;
  }
}


export const call = <T>(url: string, method: string, params: unknown[] = []) => rpcCall<T>(url, method, params);
export type Block = { number: string; timestamp: string; hash: string; parentHash: string };
export const block = (url: string, n: number | "latest") => call<Block>(url, "eth_getBlockByNumber", [n === "latest" ? n : "0x" + n.toString(16), false]);
export const headNumber = async (url: string) => hexToNumber(await call<string>(url, "eth_blockNumber"));

/** kona's view of the L1 beacon genesis: `data.genesis_time`, a decimal string. */
export async function beaconGenesis(url: string): Promise<number> {
  const r = await fetch(`${url}/eth/v1/beacon/genesis`);
  assert.equal(r.status, 200, "GET /eth/v1/beacon/genesis answers 200");
  const t = ((await r.json()) as { data: { genesis_time: string } }).data.genesis_time;
  assert.match(t, /^\d+$/, "genesis_time is a decimal string");
  return Number(t);
}
