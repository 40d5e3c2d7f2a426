import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, describe, it } from "node:test";
import { ROLES } from "../../components/accounts";
import { ANVIL_DUMP_MAX_PAUSE } from "../../components/builders/anvil";
import { hexToNumber, rpcCall, sleep } from "../../components/dynamic/rpc";
import { L1Factory, L1Node, beaconGenesis, block, call, foundryBin, headNumber } from "./l1Process";
import { byContainerName, plan } from "./plan";

/**
 * Issue 13's acceptance point "a blob posted after a restart is served at the slot kona computes",
 * with the REAL Anvil and cast 1.7.1 (npm `@foundry-rs/{anvil,cast}-linux-amd64`) running the L1
 * container's exact start command from the plan. Only host paths (the /data volume, the /dev/shm
 * ready file), the port and the listen address are mapped (same harness as test/anvil.test.ts).
 *
 * kona-node reads `GET /eth/v1/beacon/genesis` once and looks up the blobs of an L1 block at
 * `slot = (block.timestamp - genesis_time) / blockTime`; Anvil 1.7.1 serves them at
 * `GET /eth/v1/beacon/blobs/{block_id}`, where a number is a BLOCK NUMBER
 * (crates/anvil/src/server/beacon/handlers.rs; `blob_sidecars` answers 410 Gone). So kona finds the
 * blob only if slot == block number, i.e. only if every block sits on the grid `genesis + n * blockTime`
 * and the beacon genesis is block 0's timestamp, across restarts.
 */
const run = promisify(execFile);
const CAST = join(foundryBin("cast"), "cast");
const CHAIN_ID = 4242;
const BLOCK_TIME = 2;
const GENESIS = "genesis-timestamp";
/** The blob poster: dev account 1 (a public dev key); blobs go to dev account 2. */
const SENDER = ROLES.l1FeeVault;
const RECIPIENT = ROLES.sequencerFeeVault.address;

const root = mkdtempSync(join(tmpdir(), "kupcake-anvil-blobs-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** `GET /eth/v1/beacon/blobs/<slot>[?versioned_hashes=…]`: status and the returned blobs (hex). */
async function beaconBlobs(url: string, slot: number, versionedHashes?: string[]): Promise<{ status: number; blobs?: string[]; body: string }> {
  const q = versionedHashes ? `?versioned_hashes=${versionedHashes.join(",")}` : "";
  const r = await fetch(`${url}/eth/v1/beacon/blobs/${slot}${q}`);
  const body = await r.text();
  if (r.status !== 200) return { status: r.status, body };
  return { status: r.status, blobs: (JSON.parse(body) as { data: string[] }).data, body };
}

/**
 * Decodes a blob written by cast's `--path` (alloy's SimpleCoder): field element 0 is a header with
 * the data length (u64 big-endian at bytes 1..9); every further field element carries 31 data bytes
 * after a zero byte.
 */
function decodeSimpleBlob(hex: string): Buffer {
  const blob = Buffer.from(hex.replace(/^0x/, ""), "hex");
  assert.equal(blob.length, 4096 * 32, "a blob is 4096 field elements of 32 bytes");
  const len = Number(blob.readBigUInt64BE(1));
  const chunks: Buffer[] = [];
  for (let fe = 1; fe < 4096 && chunks.length * 31 < len; fe++) {
    assert.equal(blob[fe * 32], 0, `field element ${fe} starts with a zero byte`);
    chunks.push(blob.subarray(fe * 32 + 1, fe * 32 + 32));
  }
  return Buffer.concat(chunks).subarray(0, len);
}

interface PostedBlob {
  data: Buffer;
  tx: string;
  blockNumber: number;
  blockHash: string;
  versionedHashes: string[];
}

/** A blob transaction signed by the real cast (it builds the sidecar: blob, KZG commitment and proof). */
interface SignedBlob {
  data: Buffer;
  raw: string;
}

/**
 * Signs `data` as one blob transaction of dev account 1 with the real cast (`cast mktx --blob
 * --eip4844 --path`, the EIP-4844 sidecar format: Anvil runs Prague). Every field is given, so no
 * node is asked and it can run while the L1 is down: building the sidecar (KZG) takes cast ~5 s of
 * CPU here. A blob transaction to an EOA without calldata costs exactly 21,000 gas, like the
 * batcher's to its inbox address. (`cast send --blob` does the same plus a gas estimate, which
 * takes Anvil ~8 s for a blob transaction; `cast publish` cannot take a 262 KB raw transaction as
 * its argument, so the raw transaction is sent with `eth_sendRawTransaction`.)
 */
async function signBlob(dir: string, name: string, data: Buffer, nonce: number): Promise<SignedBlob> {
  const path = join(dir, name);
  writeFileSync(path, data);
  const env = { ...process.env };
  delete env.ETH_RPC_URL;
  const { stdout } = await run(
    CAST,
    [
      "mktx", "--blob", "--eip4844", "--path", path, "--private-key", SENDER.privateKey,
      "--chain", String(CHAIN_ID), "--nonce", String(nonce), "--gas-limit", "21000",
      "--gas-price", "10gwei", "--priority-gas-price", "1gwei", "--blob-gas-price", "1gwei", RECIPIENT,
    ],
    { timeout: 30_000, maxBuffer: 64 * 1024 * 1024, env },
  );
  const raw = stdout.trim();
  assert.match(raw.slice(0, 4), /^0x03/, "a type-3 (EIP-4844) transaction");
  return { data, raw };
}

/** Sends a signed blob transaction to the L1 and waits for its receipt. */
async function sendBlob(l1: L1Node, signed: SignedBlob): Promise<PostedBlob> {
  const hash = await rpcCall<string>(l1.url, "eth_sendRawTransaction", [signed.raw], 15_000);
  type Receipt = { status: string; type: string; blockNumber: string; blockHash: string; blobGasUsed?: string };
  let receipt: Receipt | null = null;
  for (const t0 = Date.now(); !receipt; await sleep(100)) {
    assert.ok(Date.now() - t0 < 10 * BLOCK_TIME * 1000, `blob transaction ${hash} included within 10 blocks`);
    receipt = await call<Receipt | null>(l1.url, "eth_getTransactionReceipt", [hash]);
  }
  assert.equal(receipt.status, "0x1", "the blob transaction succeeded");
  assert.equal(receipt.type, "0x3", "an EIP-4844 (type 3) transaction");
  assert.equal(hexToNumber(receipt.blobGasUsed), 131072, "one blob's gas used");
  const tx = await call<{ blobVersionedHashes: string[]; from: string }>(l1.url, "eth_getTransactionByHash", [hash]);
  assert.equal(tx.from.toLowerCase(), SENDER.address.toLowerCase());
  assert.equal(tx.blobVersionedHashes.length, 1, "one versioned hash");
  return { data: signed.data, tx: hash, blockNumber: hexToNumber(receipt.blockNumber), blockHash: receipt.blockHash, versionedHashes: tx.blobVersionedHashes };
}

const nonceOf = async (url: string) => hexToNumber(await call<string>(url, "eth_getTransactionCount", [SENDER.address, "latest"]));

/**
 * What kona does for the block that holds `posted`: slot from the beacon genesis and the block's
 * timestamp, then the beacon blobs of that slot (all of them, and filtered by the tx's versioned hash).
 */
async function assertServedAtKonaSlot(l1: L1Node, posted: PostedBlob, genesis: number) {
  const b = await block(l1.url, posted.blockNumber);
  assert.equal(b.hash, posted.blockHash, "the receipt's block is canonical");
  const ts = hexToNumber(b.timestamp);
  const beaconGenesisTime = await beaconGenesis(l1.url);
  assert.equal(beaconGenesisTime, genesis, "beacon genesis_time is block 0's timestamp, unchanged since the first start");
  assert.equal((ts - beaconGenesisTime) % BLOCK_TIME, 0, `block ${posted.blockNumber} at ${ts} is on the ${BLOCK_TIME}s slot grid of genesis ${beaconGenesisTime}`);
  const slot = Math.floor((ts - beaconGenesisTime) / BLOCK_TIME); // kona-node's slot arithmetic
  assert.equal(slot, posted.blockNumber, "slot kona computes == block number (the grid)");

  const all = await beaconBlobs(l1.url, slot);
  assert.equal(all.status, 200, `GET /eth/v1/beacon/blobs/${slot} answers 200 (got ${all.status}: ${all.body.slice(0, 300)})`);
  assert.equal(all.blobs!.length, 1, `exactly the one blob posted in block ${posted.blockNumber} is served at slot ${slot}`);
  assert.ok(decodeSimpleBlob(all.blobs![0]).equals(posted.data), "the blob served at the slot holds the data sent");

  // kona asks with the versioned hashes of the batcher transactions: the blob matches the tx's commitment.
  const byHash = await beaconBlobs(l1.url, slot, posted.versionedHashes);
  assert.equal(byHash.status, 200);
  assert.deepEqual(byHash.blobs, all.blobs, "filtered by the transaction's versioned hash, the same blob");
  const other = await beaconBlobs(l1.url, slot, ["0x01" + "ab".repeat(31)]);
  assert.deepEqual(other.blobs, [], "a foreign versioned hash matches nothing (the filter is real)");
  return slot;
}

/** The blob tests, run on the host (test/anvilBlobs.test.ts) and in a real container (test/e2e/anvilContainer.test.ts). */
export function anvilBlobsSuite(where: string, create: L1Factory): void {
  describe(`blobs on the real Anvil across L1 restarts (${where})`, () => {
    it("a blob posted after a kill -9 restart and after a SIGTERM restart is served at the slot kona computes; beacon genesis never moves", async (t) => {
      const dir = mkdtempSync(join(root, "blobs-"));
      // cast builds the three blob transactions (nonces 0, 1, 2 of a fresh chain) one after the other in
      // the background: each is sent only when its turn comes (the 2nd and 3rd after a restart).
      const datas = [randomBytes(1000), randomBytes(4000), randomBytes(4000)];
      const signing: Promise<SignedBlob>[] = [];
      for (const [i, data] of datas.entries()) signing.push((signing[i - 1] ?? Promise.resolve()).then(() => signBlob(dir, `blob-${i}.bin`, data, i)));
      signing.forEach((s) => s.catch(() => undefined)); // awaited below; no unhandled rejection meanwhile
      const p = await plan({ blockTime: BLOCK_TIME, l1ChainId: CHAIN_ID });
      const anvil = byContainerName(p, "kup-dev-anvil")!;
      const l1 = await create("blobs", { entrypoints: anvil.inputs.entrypoints as string[], command: anvil.inputs.command as string[] });

      await l1.start();
      assert.equal(hexToNumber(await call(l1.url, "eth_chainId")), CHAIN_ID);
      const block0 = await block(l1.url, 0);
      const genesis = hexToNumber(block0.timestamp);
      assert.equal(Number(readFileSync(l1.file(GENESIS), "utf8")), genesis, "genesis timestamp stored on the volume");
      assert.equal(await beaconGenesis(l1.url), genesis, "before any restart: beacon genesis_time == block 0's timestamp");

      // A blob before any restart: the baseline (kona's lookup works on a fresh chain).
      assert.equal(await nonceOf(l1.url), 0);
      const first = await sendBlob(l1, await signing[0]);
      assert.ok(first.blockNumber >= 2, "a few blocks passed before the first restart");
      await assertServedAtKonaSlot(l1, first, genesis);

      const restarts: { how: string; restart: () => Promise<void> }[] = [
        { how: "kill -9", restart: () => l1.kill() },
        { how: "SIGTERM (docker stop)", restart: async () => assert.equal(await l1.stop(), 0, "docker stop exits 0") },
      ];
      for (const [i, { how, restart }] of restarts.entries()) {
        // Wait until a dump holds the head (a kill loses what was mined after the last dump).
        const needed = await headNumber(l1.url);
        // Bound: the longest pause between dumps plus a slow dump on a loaded machine.
        const deadline = Date.now() + (ANVIL_DUMP_MAX_PAUSE + 25) * 1000;
        for (let d = -1; d < needed; ) {
          if (Date.now() > deadline) assert.fail(`a dump reaches block ${needed} within ${ANVIL_DUMP_MAX_PAUSE + 25} s (dumped: ${d}); L1 log:\n${await l1.log()}`);
          try { d = l1.dumpedHead(); } catch { /* not written yet */ }
          if (d < needed) await sleep(250);
        }
        await restart();
        await sleep(BLOCK_TIME * 1000 + 500); // down for more than a slot: the start has to catch up
        const ms = await l1.start();
        t.diagnostic(`after ${how}: ready in ${ms} ms; ${(await l1.log()).split("\n").filter((l) => /loaded state|behind|live at/.test(l)).join(" | ")}`);
        assert.match((await l1.log()), /loaded state /, "the start loaded the saved state");
        assert.match((await l1.log()), /slot\(s\) behind; mining them/, "the start mined the slots missed while down");
        assert.equal((await block(l1.url, 0)).hash, block0.hash, `after ${how}: block 0 unchanged`);
        assert.equal(await beaconGenesis(l1.url), genesis, `after ${how}: beacon genesis_time unchanged from before the restart`);

        // Not an acceptance point, recorded for the report: is a blob of before the restart still served?
        const old = await beaconBlobs(l1.url, first.blockNumber);
        t.diagnostic(`after ${how}: blob of block ${first.blockNumber} (posted before the restarts): HTTP ${old.status}, ${old.blobs ? `${old.blobs.length} blob(s)${old.blobs.length ? `, data intact: ${decodeSimpleBlob(old.blobs[0]).equals(first.data)}` : ""}` : old.body.slice(0, 200)}`);

        assert.equal(await nonceOf(l1.url), i + 1, "the chain kept every blob transaction sent before the restart");
        const posted = await sendBlob(l1, await signing[i + 1]);
        assert.ok(posted.blockNumber > first.blockNumber);
        const slot = await assertServedAtKonaSlot(l1, posted, genesis);
        t.diagnostic(`after ${how}: blob tx ${posted.tx} in block ${posted.blockNumber}, served at slot ${slot}`);
      }
      await l1.kill();
    });
  });
}
