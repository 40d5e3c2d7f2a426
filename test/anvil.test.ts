import assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { DEV_ACCOUNT_COUNT, ROLES } from "../components/accounts";
import { L1_READY_FILE } from "../components/builders/anvil";
import { hexToNumber, rpcCall, sleep } from "../components/dynamic/rpc";
import { DEFAULT_IMAGES } from "../components/images";
import { ROOT, byContainerName, plan } from "./helpers/plan";

/**
 * Runs the L1 container's exact start command (from the plan) with the REAL Anvil and cast of
 * the npm packages `@foundry-rs/anvil` / `@foundry-rs/cast`, pinned to the same foundry release
 * as the container image. Only host paths and the port are mapped.
 */
const foundryBin = (tool: string) => dirname(require.resolve(`@foundry-rs/${tool}-linux-amd64/package.json`)) + "/bin";
const BLOCK_TIME = 2;
const CHAIN_ID = 4242;

function freePort(): Promise<number> {
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

interface L1Process {
  proc: ChildProcess;
  url: string;
  stderr: string[];
}

const dir = mkdtempSync(join(tmpdir(), "kupcake-anvil-"));
let running: L1Process | undefined;
after(() => {
  if (running?.proc.pid) try { process.kill(-running.proc.pid, "SIGKILL"); } catch { /* gone */ }
  rmSync(dir, { recursive: true, force: true });
});

async function startL1(entrypoints: string[], command: string[], port: number): Promise<L1Process> {
  const [shell, flagC, script, ...rest] = [...entrypoints, ...command];
  assert.equal(shell, "/bin/sh");
  assert.equal(flagC, "-c");
  let mapped = mapToken(script, "/data/", `${dir}/`);
  mapped = mapToken(mapped, "8545", String(port));
  mapped = mapToken(mapped, "'0.0.0.0'", "'127.0.0.1'");
  mapped = mapToken(mapped, L1_READY_FILE, join(dir, "ready"));
  rmSync(join(dir, "ready"), { force: true }); // a fresh container start has an empty /dev/shm
  // detached: its own process group, so a SIGKILL hits the shell and Anvil together, as `docker kill` does.
  const proc = spawn(shell, [flagC, mapped, ...rest], {
    detached: true,
    env: { ...process.env, PATH: `${foundryBin("anvil")}:${foundryBin("cast")}:${process.env.PATH}` },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const stderr: string[] = [];
  proc.stderr!.on("data", (d) => stderr.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (!existsSync(join(dir, "ready"))) {
    if (proc.exitCode !== null) assert.fail(`the L1 start command exited ${proc.exitCode}: ${stderr.join("")}`);
    if (Date.now() > deadline) assert.fail(`L1 not ready after 30s: ${stderr.join("")}`);
    await sleep(100);
  }
  running = { proc, url, stderr };
  return running;
}

const call = <T>(url: string, method: string, params: unknown[] = []) => rpcCall<T>(url, method, params);
const block = (url: string, n: number | "latest") =>
  call<{ number: string; timestamp: string; hash: string }>(url, "eth_getBlockByNumber", [n === "latest" ? n : "0x" + n.toString(16), false]);

describe("the L1 start command with the real Anvil", () => {
  it("pins the foundry image to the release of the npm Anvil the tests run", () => {
    const npmVersion = JSON.parse(readFileSync(join(ROOT, "node_modules/@foundry-rs/anvil-linux-amd64/package.json"), "utf8")).version;
    assert.equal(DEFAULT_IMAGES.anvil, `ghcr.io/foundry-rs/foundry:v${npmVersion}`);
  });

  it("serves the configured chain, block time and prefunded role accounts, and survives kill -9 on the slot grid", async (t) => {
    const p = await plan({ blockTime: BLOCK_TIME, l1ChainId: CHAIN_ID });
    const anvil = byContainerName(p, "kup-dev-anvil")!;
    const entrypoints = anvil.inputs.entrypoints as string[];
    const command = anvil.inputs.command as string[];
    const port = await freePort();

    let l1 = await startL1(entrypoints, command, port);
    assert.equal(hexToNumber(await call(l1.url, "eth_chainId")), CHAIN_ID);
    const accounts = await call<string[]>(l1.url, "eth_accounts");
    assert.equal(accounts.length, DEV_ACCOUNT_COUNT);
    for (const role of Object.values(ROLES)) {
      assert.ok(accounts.map((a) => a.toLowerCase()).includes(role.address.toLowerCase()), `${role.address} is a dev account`);
      assert.ok(hexToNumber(await call(l1.url, "eth_getBalance", [role.address, "latest"])) > 0, `${role.address} is funded`);
    }
    // Blocks every BLOCK_TIME seconds, on the grid genesis + n * blockTime.
    while (hexToNumber(await call(l1.url, "eth_blockNumber")) < 3) await sleep(200);
    const genesis = hexToNumber((await block(l1.url, 0)).timestamp);
    for (let n = 1; n <= 3; n++) assert.equal(hexToNumber((await block(l1.url, n)).timestamp), genesis + n * BLOCK_TIME, `block ${n} on the grid`);

    // Hard kill right after a periodic dump; remember what the dump holds.
    const stateFile = join(dir, "state.json");
    let dumped = -1;
    for (let tries = 0; tries < 20 && dumped < 3; tries++) {
      try {
        dumped = JSON.parse(readFileSync(stateFile, "utf8")).best_block_number;
      } catch { /* mid-write */ }
      if (dumped < 3) await sleep(250);
    }
    assert.ok(dumped >= 3, "the state file is dumped periodically while running");
    const hashes = await Promise.all(Array.from({ length: dumped + 1 }, (_, n) => block(l1.url, n).then((b) => b.hash)));
    process.kill(-l1.proc.pid!, "SIGKILL");
    await new Promise((r) => l1.proc.once("exit", r));
    t.diagnostic(`killed at dumped block ${dumped}; waiting ${6 * BLOCK_TIME}s`);
    await sleep(6 * BLOCK_TIME * 1000);

    l1 = await startL1(entrypoints, command, port);
    assert.equal(hexToNumber(await call(l1.url, "eth_chainId")), CHAIN_ID, "same chain id");
    assert.deepEqual((await call<string[]>(l1.url, "eth_accounts")).length, DEV_ACCOUNT_COUNT, "same accounts");
    for (let n = 0; n <= dumped; n++) assert.equal((await block(l1.url, n)).hash, hashes[n], `block ${n} kept across the kill`);
    const head = await block(l1.url, "latest");
    const headNumber = hexToNumber(head.number);
    for (let n = 0; n <= headNumber; n++) {
      const ts = hexToNumber((await block(l1.url, n)).timestamp);
      assert.equal(ts, genesis + n * BLOCK_TIME, `block ${n} timestamp on the grid (slot = block number)`);
    }
    assert.ok(Math.abs(Date.now() / 1000 - hexToNumber(head.timestamp)) <= BLOCK_TIME + 1, "head within one block time of wall-clock time");
    assert.match(l1.stderr.join(""), /slot\(s\) behind; mining them/);
    // It keeps producing on the grid after the catch-up.
    await sleep(2 * BLOCK_TIME * 1000 + 500);
    const later = await block(l1.url, "latest");
    assert.ok(hexToNumber(later.number) > headNumber);
    assert.equal(hexToNumber(later.timestamp), genesis + hexToNumber(later.number) * BLOCK_TIME);
  });
});
