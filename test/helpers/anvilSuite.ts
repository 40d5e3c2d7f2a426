import assert from "node:assert/strict";
import { existsSync, readFileSync, renameSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { DEV_ACCOUNT_COUNT, ROLES } from "../../components/accounts";
import { ANVIL_DUMP_MAX_PAUSE, ANVIL_LOAD_TIMEOUT, CATCHUP_CHUNK, CATCHUP_READY_AFTER } from "../../components/builders/anvil";
import { hexToNumber, sleep } from "../../components/dynamic/rpc";
import { DEFAULT_IMAGES } from "../../components/images";
import { L1Factory, L1Node, STATE_FILE, foundryVersion, beaconGenesis, block, call, headNumber, l1Command } from "./l1Process";
import { ROOT } from "./plan";

/**
 * Runs the L1 container's exact start command (from the plan) with the REAL Anvil and cast of
 * the npm packages (harness: test/helpers/l1Process.ts).
 */
const CHAIN_ID = 4242;
/** Files the start script keeps on the L1 volume (mapped to the test's data directory). */
const STATE = STATE_FILE;
const PREVIOUS = `${STATE}.prev`;
const GENESIS = "genesis-timestamp";
async function hashes(url: string, upTo: number): Promise<string[]> {
  const out: string[] = [];
  for (let n = 0; n <= upTo; n += 50) {
    const part = await Promise.all(Array.from({ length: Math.min(50, upTo - n + 1) }, (_, i) => block(url, n + i).then((b) => b.hash)));
    out.push(...part);
  }
  return out;
}
/** Every block 0..upTo has timestamp genesis + n * blockTime and links to its parent. */
async function assertGrid(url: string, genesis: number, blockTime: number, upTo: number, step = 1) {
  for (let n = 0; n <= upTo; n += 50 * step) {
    const ns = Array.from({ length: 50 }, (_, i) => n + i * step).filter((x) => x <= upTo);
    const blocks = await Promise.all(ns.map((x) => block(url, x)));
    blocks.forEach((b, i) => assert.equal(hexToNumber(b.timestamp), genesis + ns[i] * blockTime, `block ${ns[i]} on the grid genesis + n * ${blockTime}`));
  }
}

/**
 * The real-Anvil L1 tests, run by test/anvil.test.ts on the host and by
 * test/e2e/anvilContainer.test.ts in a real container. `where` names the runner in the test titles.
 */
export function anvilSuite(where: string, create: L1Factory): void {
  describe(`the L1 start command with the real Anvil (${where})`, () => {
    it("pins the foundry image to the release of the npm Anvil the tests run", () => {
      const npmVersion = foundryVersion("anvil");
      assert.equal(DEFAULT_IMAGES.anvil, `ghcr.io/foundry-rs/foundry:v${npmVersion}`);
    });

    it("serves the configured chain, block time and prefunded role accounts, and survives kill -9 on the slot grid", async (t) => {
      const BLOCK_TIME = 2;
      const l1 = await create("basic", await l1Command(BLOCK_TIME, CHAIN_ID));
      await l1.start();
      assert.equal(hexToNumber(await call(l1.url, "eth_chainId")), CHAIN_ID);
      const accounts = await call<string[]>(l1.url, "eth_accounts");
      assert.equal(accounts.length, DEV_ACCOUNT_COUNT);
      for (const role of Object.values(ROLES)) {
        assert.ok(accounts.map((a) => a.toLowerCase()).includes(role.address.toLowerCase()), `${role.address} is a dev account`);
        assert.ok(hexToNumber(await call(l1.url, "eth_getBalance", [role.address, "latest"])) > 0, `${role.address} is funded`);
      }
      // Blocks every BLOCK_TIME seconds, on the grid genesis + n * blockTime; genesis fixed on the volume.
      while ((await headNumber(l1.url)) < 3) await sleep(200);
      const genesis = hexToNumber((await block(l1.url, 0)).timestamp);
      assert.equal(Number(readFileSync(l1.file(GENESIS), "utf8")), genesis, "the genesis timestamp is stored on the volume");
      assert.equal(await beaconGenesis(l1.url), genesis, "the beacon API's genesis is block 0's timestamp");
      await assertGrid(l1.url, genesis, BLOCK_TIME, 3);

      // Hard kill right after a periodic dump; remember what the dump holds.
      let dumped = -1;
      for (let tries = 0; tries < 40 && dumped < 3; tries++) {
        try {
          dumped = l1.dumpedHead();
        } catch { /* not written yet */ }
        if (dumped < 3) await sleep(250);
      }
      assert.ok(dumped >= 3, "the state file is dumped periodically while running");
      const before = await hashes(l1.url, dumped);
      await l1.kill();
      t.diagnostic(`killed at dumped block ${dumped}; waiting ${6 * BLOCK_TIME}s`);
      await sleep(6 * BLOCK_TIME * 1000);

      await l1.start();
      assert.equal(hexToNumber(await call(l1.url, "eth_chainId")), CHAIN_ID, "same chain id");
      assert.deepEqual((await call<string[]>(l1.url, "eth_accounts")).length, DEV_ACCOUNT_COUNT, "same accounts");
      assert.deepEqual((await hashes(l1.url, dumped)), before, "every block of the dump kept across the kill");
      const head = await block(l1.url, "latest");
      await assertGrid(l1.url, genesis, BLOCK_TIME, hexToNumber(head.number));
      assert.ok(Math.abs(Date.now() / 1000 - hexToNumber(head.timestamp)) <= BLOCK_TIME + 1, "head within one block time of wall-clock time");
      assert.match((await l1.log()), /slot\(s\) behind; mining them/);
      // It keeps producing on the grid after the catch-up.
      await sleep(2 * BLOCK_TIME * 1000 + 500);
      const later = await block(l1.url, "latest");
      assert.ok(hexToNumber(later.number) > hexToNumber(head.number));
      assert.equal(hexToNumber(later.timestamp), genesis + hexToNumber(later.number) * BLOCK_TIME);
      // docker stop: SIGTERM to PID 1 dumps once more and exits 0.
      assert.equal(await l1.stop(), 0);
      assert.match((await l1.log()), /state saved/);
    });

    describe("kills inside state dumps, restarts, damaged state files", () => {
      const BLOCK_TIME = 2;
      const GROWN = 1500;
      let l1: L1Node;
      let genesis: number;
      let block0: string;
      before(async () => {
        l1 = await create("crash", await l1Command(BLOCK_TIME, CHAIN_ID));
        // A chain GROWN slots old at its first start: the start script mines them, so dumps carry
        // ~2.5 MB of JSON and take long enough to be hit.
        genesis = Math.floor(Date.now() / 1000) - GROWN * BLOCK_TIME;
        writeFileSync(l1.file(GENESIS), `${genesis}\n`);
        await l1.start(60_000);
        block0 = (await block(l1.url, 0)).hash;
      });

      it("kill -9 landing inside a dump, 5 times: every start comes back with every block up to the last good dump, same block 0 and beacon genesis", async (t) => {
        const tmp = l1.file(`${STATE}.tmp`);
        const delays = [0, 3, 8, 15, 25]; // ms after the dump's temp file appears
        let landed = 0;
        for (const delay of delays) {
          while (!existsSync(l1.file(PREVIOUS))) await sleep(50); // at least two dumps done
          const good = l1.dumpedHead();
          const kept = await hashes(l1.url, good);
          // Wait for the next dump to start writing its temp file, then kill the whole group.
          const deadline = Date.now() + (ANVIL_DUMP_MAX_PAUSE + 25) * 1000; // longest pause + a slow dump
          while (!existsSync(tmp)) {
            assert.ok(Date.now() < deadline, `a dump starts within ${ANVIL_DUMP_MAX_PAUSE + 25} s`);
            await new Promise((r) => setImmediate(r));
          }
          if (delay) await sleep(delay);
          await l1.kill();
          if (existsSync(tmp)) landed++;
          const lastGood = l1.dumpedHead(); // the newest complete dump on the volume after the kill
          assert.ok(lastGood >= good);
          const ms = await l1.start(60_000);
          t.diagnostic(`kill ${delay} ms into a dump (temp file left: ${existsSync(tmp) || "no"}); dumped head ${lastGood}; ready again in ${ms} ms`);
          assert.match((await l1.log()), new RegExp(`loaded state ${l1.inside(STATE)}`));
          assert.ok((await headNumber(l1.url)) >= lastGood);
          assert.deepEqual(await hashes(l1.url, good), kept, "every block up to the last good dump is kept");
          assert.equal((await block(l1.url, 0)).hash, block0, "block 0 unchanged");
          assert.equal((await block(l1.url, 1)).parentHash, block0, "block 1 still links to block 0");
          assert.equal(await beaconGenesis(l1.url), genesis, "beacon genesis time unchanged");
        }
        assert.ok(landed >= 4, `at least 4 of 5 kills landed while a dump was being written (${landed})`);
        await assertGrid(l1.url, genesis, BLOCK_TIME, await headNumber(l1.url));
      });

      it("falls back to the previous good dump when the newest is damaged, and says so; refuses to start a new chain over damaged files", async () => {
        await l1.kill();
        const previous = l1.dumpedHead(PREVIOUS);
        // The newest dump damaged (its first half only), written as a new file: truncating in place
        // would also damage `.prev` when the kill landed between the start script's `ln` and `mv`,
        // the moment both names are one file (the script itself never writes a state file in place).
        const whole = readFileSync(l1.file(STATE));
        writeFileSync(l1.file(`${STATE}.damaged`), whole.subarray(0, Math.floor(whole.length / 2)));
        renameSync(l1.file(`${STATE}.damaged`), l1.file(STATE));
        await l1.start(60_000);
        assert.match((await l1.log()), /state .*l1-state\.json\.gz is damaged \(gzip CRC\/length check failed\); skipping it/);
        assert.match((await l1.log()), /FELL BACK to state .*l1-state\.json\.gz\.prev/);
        assert.ok((await headNumber(l1.url)) >= previous);
        assert.equal((await block(l1.url, 0)).hash, block0);
        assert.equal(await beaconGenesis(l1.url), genesis);
        await assertGrid(l1.url, genesis, BLOCK_TIME, await headNumber(l1.url));
        // Both files damaged: exit 1, files kept, no new chain dumped over them.
        await l1.kill();
        for (const f of [STATE, PREVIOUS]) truncateSync(l1.file(f), 100);
        assert.equal(await l1.startExpectingExit(), 1);
        assert.match((await l1.log()), /no loadable state in .* \(files kept\); refusing to start a new chain over them/);
        assert.equal(readFileSync(l1.file(STATE)).length, 100);
        assert.equal(readFileSync(l1.file(PREVIOUS)).length, 100);
      });
    });

    it(`a 24 h outage at the default 4 s block time: healthy within ${CATCHUP_READY_AFTER} s of catch-up, every block on the grid, catch-up goes on`, async (t) => {
      const BLOCK_TIME = 4;
      const SLOTS = (24 * 3600) / BLOCK_TIME; // 21,600
      const l1 = await create("outage", await l1Command(BLOCK_TIME, CHAIN_ID));
      // The chain's last block is 24 h old: a stored genesis 24 h in the past, block 0 the head.
      const genesis = Math.floor(Date.now() / 1000) - SLOTS * BLOCK_TIME;
      writeFileSync(l1.file(GENESIS), `${genesis}\n`);
      // Bound: Anvil up (< ANVIL_LOAD_TIMEOUT, ~1 s here) + CATCHUP_READY_AFTER + one chunk.
      const bound = (CATCHUP_READY_AFTER + 15) * 1000;
      const ms = await l1.start(bound);
      t.diagnostic(`ready after ${ms} ms (bound ${bound} ms; load timeout ${ANVIL_LOAD_TIMEOUT} s; chunk ${CATCHUP_CHUNK} blocks)`);
      assert.match((await l1.log()), new RegExp(`L1 head is ${SLOTS} slot\\(s\\) behind`));
      assert.match((await l1.log()), /ready while catching up: block \d+, \d+ slot\(s\) to go/);
      const head1 = await headNumber(l1.url);
      assert.ok(head1 > 0 && head1 < SLOTS);
      assert.equal(await beaconGenesis(l1.url), genesis);
      await assertGrid(l1.url, genesis, BLOCK_TIME, head1, 7);
      await assertGrid(l1.url, genesis, BLOCK_TIME, head1 < 60 ? head1 : 60);
      // The catch-up goes on, in chunks, on the grid; a kill -9 during it keeps every dumped block.
      await sleep(3000);
      const head2 = await headNumber(l1.url);
      assert.ok(head2 > head1 + 10, `still mining missed slots (${head1} -> ${head2})`);
      const dumped = l1.dumpedHead();
      const kept = await hashes(l1.url, dumped);
      const statesBeforeKill = await l1.anvilStateDirs();
      await l1.kill();
      await l1.start(bound);
      assert.deepEqual(await hashes(l1.url, dumped), kept, "a kill during the catch-up keeps every dumped block");
      // The killed Anvil's on-disk states are gone; the new one has at most its own.
      const statesAfter = await l1.anvilStateDirs();
      t.diagnostic(`Anvil state directories: ${statesBeforeKill} before the kill, ${statesAfter} after the restart`);
      assert.ok(Number.isInteger(statesAfter) && statesAfter <= 1, `Anvil's historical states of the killed run are left in $HOME/.foundry/anvil/tmp (${statesAfter} entries)`);
      const head3 = await headNumber(l1.url);
      await assertGrid(l1.url, genesis, BLOCK_TIME, head3, 13);
      assert.equal(hexToNumber((await block(l1.url, head3)).timestamp), genesis + head3 * BLOCK_TIME);
      t.diagnostic(`head ${head1} at ready, ${head2} 3 s later, ${head3} after a kill and restart`);
      await l1.kill();
    });
  });
}
