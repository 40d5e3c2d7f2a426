/**
 * kona-node stand-in (`kona-node [global] node --mode sequencer|validator ...`).
 * - Start-up like kona v1.6.0: GET <l1-beacon>/eth/v1/beacon/genesis and resolve every bootnode
 *   host once, panicking (exit 101) on failure; rollup.json / L1 config unreadable → exit 1; the
 *   rollup's l2_chain_id must equal --chain.
 * - Drives its op-reth through the (stand-in) engine API with an HS256 JWT; on start it takes its
 *   unsafe/safe/finalized heads from op-reth (which persists them), so restarts keep the chain.
 * - Sequencer mode: active unless --sequencer.stopped; when active it seals a block whenever
 *   `parent.timestamp + block_time` is reached (catching up back-to-back if behind), commits it to
 *   the conductor (`conductor_commitUnsafePayload`, failure only logged) and publishes it.
 * - Validators and inactive sequencers follow peers over the P2P stand-in (see p2p.ts).
 * - Safe head: derived from the real L1 — batch-inbox transactions from the batcher address name
 *   L2 blocks (see batch.ts); safe = highest named block this node has with the same hash.
 *   Finalized = highest safe block whose L1 inclusion block is at least 2 blocks below the L1 head
 *   (a stand-in for L1 finality, which Anvil does not have). L1 origins are not tracked: every
 *   L2 block reports the rollup genesis L1 block as its l1origin.
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { randomBytes } from "node:crypto";
import { lookup } from "node:dns/promises";
import { readFileSync } from "node:fs";
import { decodeBatch } from "./batch";
import { Payload, ZERO_HASH } from "./chain";
import { Cli } from "./flags";
import { readJwtSecret, signJwt } from "./jwt";
import { L1Block, l1Block } from "./l1";
import { every, onShutdown, sleep } from "./lifecycle";
import { error, fatal, info, warn } from "./log";
import { serveMetrics } from "./metrics";
import { Peers, parseEnode, peerGet, sayHello, serveP2P } from "./p2p";
import { call, hexQ, num } from "./rpc";
import { RpcError, RpcHandlers, methodNotFound, serveJsonRpc } from "./rpcServer";
import { hex, keccak, unhex } from "./tx";

/** The rollup.json fields the stand-in uses (op-node rollup.Config names). */
export interface RollupConfig {
  genesis: { l1: { hash: string; number: number }; l2: { hash: string; number: number }; l2_time: number; system_config: { batcherAddr: string } };
  block_time: number;
  l1_chain_id: number;
  l2_chain_id: number;
  batch_inbox_address: string;
  [k: string]: unknown;
}

interface L2Ref {
  hash: string;
  number: number;
  parentHash: string;
  timestamp: number;
  l1origin: { hash: string; number: number };
  sequenceNumber: number;
}
interface L1Ref {
  hash: string;
  number: number;
  parentHash: string;
  timestamp: number;
}

const panic = (msg: string): never => fatal(`thread 'main' panicked at bin/node/src/commands/node.rs:\n${msg}\nnote: run with \`RUST_BACKTRACE=1\` environment variable to display a backtrace`, 101);

/** A tiny async mutex so engine updates (sequencing, following, safe-head moves) never interleave. */
class Lock {
  private tail = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.then(() => undefined, () => undefined);
    return next;
  }
}

/** Runs the kona-node stand-in until SIGTERM. */
export async function runKonaNode(cli: Cli): Promise<void> {
  const chain = cli.int("--chain", 10);
  const mode = (cli.get("--mode") ?? "validator").toLowerCase();
  if (mode !== "sequencer" && mode !== "validator") fatal(`error: invalid value '${cli.get("--mode")}' for '--mode <MODE>'\n  [possible values: sequencer, validator]`, 2);
  const l1Url = cli.need("--l1-eth-rpc");
  const beacon = cli.need("--l1-beacon").replace(/\/$/, "");
  const engineUrl = cli.need("--l2-engine-rpc");

  // Like kona: the beacon genesis is fetched at start, and a failure is a panic.
  try {
    const res = await fetch(`${beacon}/eth/v1/beacon/genesis`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = (await res.json()) as { data?: { genesis_time?: string } };
    if (!body.data?.genesis_time) throw new Error("no data.genesis_time in the answer");
  } catch (e) {
    panic(`Failed to fetch beacon genesis from ${beacon}: ${(e as Error).message}`);
  }
  // Bootnodes are resolved once at start; kona v1.6.0 panics on a name that does not resolve.
  const bootnodes = (cli.get("--p2p.bootnodes") ?? "").split(",").filter(Boolean).map((e) => {
    try {
      return parseEnode(e);
    } catch (err) {
      return fatal(`error: invalid value '${e}' for '--p2p.bootnodes': ${(err as Error).message}`, 2);
    }
  });
  for (const b of bootnodes) {
    try {
      await lookup(b.host);
    } catch (e) {
      panic(`Failed to resolve bootnode ${b.host}: ${(e as Error).message}`);
    }
  }

  let rollup: RollupConfig;
  try {
    rollup = JSON.parse(readFileSync(cli.need("--l2-config-file"), "utf8")) as RollupConfig;
    if (!rollup.genesis?.l2?.hash || !rollup.block_time) throw new Error("missing genesis.l2 or block_time");
  } catch (e) {
    fatal(`Error: failed to load rollup config ${cli.get("--l2-config-file")}: ${(e as Error).message}`, 1);
  }
  const l1ConfigFile = cli.get("--l1-config-file");
  if (l1ConfigFile) {
    try {
      JSON.parse(readFileSync(l1ConfigFile, "utf8"));
    } catch (e) {
      fatal(`Error: failed to load L1 chain config ${l1ConfigFile}: ${(e as Error).message}`, 1);
    }
  }
  if (rollup.l2_chain_id !== chain) fatal(`Error: rollup config l2_chain_id ${rollup.l2_chain_id} does not match --chain ${chain}`, 1);

  let secret: Uint8Array;
  try {
    secret = readJwtSecret(cli.need("--l2-engine-jwt-secret"));
  } catch (e) {
    // kona falls back to ./l2_jwt.hex (usually a random one): engine calls will then be refused.
    warn("failed to read the engine JWT secret, using a random one", { error: (e as Error).message });
    secret = randomBytes(32);
  }
  const engine = <T>(method: string, params: unknown[] = []) => call<T>(engineUrl, method, params, 10_000, () => signJwt(secret));

  // P2P identity: the node id is the public key of --p2p.priv.path / --p2p.priv.raw.
  let privHex = cli.get("--p2p.priv.raw");
  const privPath = cli.get("--p2p.priv.path");
  if (!privHex && privPath) {
    try {
      privHex = readFileSync(privPath, "utf8").trim();
    } catch (e) {
      fatal(`Error: failed to read p2p key ${privPath}: ${(e as Error).message}`, 1);
    }
  }
  const nodeId = Buffer.from(secp256k1.getPublicKey(privHex ? unhex(privHex) : randomBytes(32), false).slice(1)).toString("hex");

  const conductorUrl = cli.get("--conductor.rpc");
  const conductorTimeoutMs = cli.int("--conductor.rpc.timeout", 1) * 1000;
  const isSequencer = mode === "sequencer";
  let active = isSequencer && !cli.bool("--sequencer.stopped");
  const lock = new Lock();
  const genesisL1 = { hash: rollup.genesis.l1.hash, number: rollup.genesis.l1.number };
  const batcher = rollup.genesis.system_config.batcherAddr.toLowerCase();
  const inbox = rollup.batch_inbox_address.toLowerCase();

  const toRef = (b: Record<string, unknown>): L2Ref => ({
    hash: String(b.hash),
    number: num(b.number),
    parentHash: String(b.parentHash),
    timestamp: num(b.timestamp),
    l1origin: genesisL1,
    sequenceNumber: 0,
  });
  const blockAt = async (tag: string | number) => {
    const b = await engine<Record<string, unknown> | null>("eth_getBlockByNumber", [typeof tag === "number" ? hexQ(tag) : tag, false]);
    return b ? toRef(b) : undefined;
  };

  // Wait for op-reth: the engine API must answer before anything else happens.
  let unsafe: L2Ref | undefined;
  for (let i = 0; ; i++) {
    try {
      unsafe = await blockAt("latest");
      break;
    } catch (e) {
      if (i % 10 === 0) warn("engine API not ready, retrying", { url: engineUrl, error: (e as Error).message });
      await sleep(500);
    }
  }
  if (!unsafe) return fatal("Error: the execution client has no latest block", 1);
  if (unsafe.number === 0 && unsafe.hash !== rollup.genesis.l2.hash)
    fatal(`Error: L2 genesis mismatch: execution client has ${unsafe.hash}, rollup config says ${rollup.genesis.l2.hash}`, 1);
  let safe: L2Ref = (await blockAt("safe")) ?? unsafe;
  let finalized: L2Ref = (await blockAt("finalized")) ?? unsafe;
  let published = unsafe.number;
  let l1Head: L1Ref | undefined;
  let l1Safe: L1Ref | undefined;
  let l1Finalized: L1Ref | undefined;
  info("kona-node stand-in starting", { mode, active, unsafe: unsafe.number, safe: safe.number, finalized: finalized.number, nodeId: nodeId.slice(0, 16) });

  // Our own canonical hashes by number (for safe-head matching), kept in step with the engine.
  const myHashes = new Map<number, string>();
  const remember = (n: number, h: string) => {
    if (myHashes.get(n) !== undefined && myHashes.get(n) !== h) for (const k of [...myHashes.keys()]) if (k >= n) myHashes.delete(k);
    myHashes.set(n, h);
  };
  const hashAt = async (n: number) => {
    if (n > unsafe!.number) return undefined;
    let h = myHashes.get(n);
    if (!h) {
      h = (await blockAt(n))?.hash;
      if (h) myHashes.set(n, h);
    }
    return h;
  };

  const payloadCache = new Map<string, Payload>();
  const cachePayload = (p: Payload) => {
    payloadCache.set(p.blockHash, p);
    if (payloadCache.size > 512) payloadCache.delete(payloadCache.keys().next().value as string);
  };
  /** Canonical payloads from `from`, rebuilt from op-reth (header + bodies) when not cached. */
  const payloadsFrom = async (from: number, count: number): Promise<Payload[]> => {
    const to = Math.min(from + count - 1, published);
    if (to < from) return [];
    const bodies = await engine<{ transactions: string[] }[]>("engine_getPayloadBodiesByRangeV1", [hexQ(from), hexQ(to - from + 1)]);
    const out: Payload[] = [];
    for (let n = from; n <= to && n - from < bodies.length; n++) {
      const b = await engine<Record<string, string> | null>("eth_getBlockByNumber", [hexQ(n), false]);
      if (!b) break;
      const cached = payloadCache.get(b.hash);
      if (cached) {
        out.push(cached);
        continue;
      }
      out.push({
        parentHash: b.parentHash, feeRecipient: b.miner, stateRoot: b.stateRoot, receiptsRoot: b.receiptsRoot, logsBloom: b.logsBloom,
        prevRandao: b.mixHash, blockNumber: b.number, gasLimit: b.gasLimit, gasUsed: b.gasUsed, timestamp: b.timestamp, extraData: b.extraData,
        baseFeePerGas: b.baseFeePerGas, blockHash: b.hash, transactions: bodies[n - from].transactions, withdrawals: [], blobGasUsed: b.blobGasUsed ?? "0x0", excessBlobGas: b.excessBlobGas ?? "0x0",
      });
    }
    return out;
  };

  const fcState = (head: string) => ({ headBlockHash: head, safeBlockHash: safe.hash, finalizedBlockHash: finalized.hash });
  /** Inserts payloads and moves the head to the last one; returns how many were applied. */
  const insertChain = async (ps: Payload[]): Promise<number> => {
    let applied = 0;
    for (const p of ps) {
      const st = await engine<{ status: string; validationError?: string }>("engine_newPayloadV3", [p, [], ZERO_HASH]);
      if (st.status !== "VALID") {
        warn("payload not accepted", { number: num(p.blockNumber), hash: p.blockHash, status: st.status, error: st.validationError });
        break;
      }
      cachePayload(p);
      applied++;
    }
    if (applied === 0) return 0;
    const last = ps[applied - 1];
    const r = await engine<{ payloadStatus: { status: string } }>("engine_forkchoiceUpdatedV3", [fcState(last.blockHash), null]);
    if (r.payloadStatus.status !== "VALID") throw new Error(`forkchoice update to ${last.blockHash} answered ${r.payloadStatus.status}`);
    for (const p of ps.slice(0, applied)) remember(num(p.blockNumber), p.blockHash);
    unsafe = { hash: last.blockHash, number: num(last.blockNumber), parentHash: last.parentHash, timestamp: num(last.timestamp), l1origin: genesisL1, sequenceNumber: 0 };
    published = unsafe.number;
    return applied;
  };

  // --- Sequencing -------------------------------------------------------------------------
  /** Fault injection for the e2e (`kupcakeStandin_skipCommits`): commits to fail, blocks still published. */
  let skipCommits = 0;
  const sealOne = async () => {
    const parent = unsafe!;
    const timestamp = parent.timestamp + rollup.block_time;
    const prevRandao = hex(keccak(parent.hash + timestamp));
    const r = await engine<{ payloadStatus: { status: string }; payloadId: string | null }>("engine_forkchoiceUpdatedV3", [
      fcState(parent.hash),
      { timestamp: hexQ(timestamp), suggestedFeeRecipient: "0x4200000000000000000000000000000000000011", prevRandao, withdrawals: [], parentBeaconBlockRoot: ZERO_HASH, noTxPool: false },
    ]);
    if (!r.payloadId) throw new Error(`engine did not start building (status ${r.payloadStatus.status})`);
    const env = await engine<{ executionPayload: Payload }>("engine_getPayloadV3", [r.payloadId]);
    const p = env.executionPayload;
    const st = await engine<{ status: string; validationError?: string }>("engine_newPayloadV3", [p, [], ZERO_HASH]);
    if (st.status !== "VALID") throw new Error(`sealed payload rejected: ${st.status} ${st.validationError ?? ""}`);
    await engine("engine_forkchoiceUpdatedV3", [fcState(p.blockHash), null]);
    cachePayload(p);
    unsafe = { hash: p.blockHash, number: num(p.blockNumber), parentHash: p.parentHash, timestamp, l1origin: genesisL1, sequenceNumber: 0 };
    remember(unsafe.number, unsafe.hash);
    let conductor: string | undefined;
    if (conductorUrl) {
      try {
        if (skipCommits > 0) {
          skipCommits--;
          throw new Error("commit skipped (kupcakeStandin_skipCommits fault injection)");
        }
        await call(conductorUrl, "conductor_commitUnsafePayload", [{ executionPayload: p, parentBeaconBlockRoot: ZERO_HASH }], conductorTimeoutMs);
        conductor = "committed";
      } catch (e) {
        // kona v1.6.0 only logs a failed commit; the block is still gossiped.
        conductor = "commit failed";
        warn("failed to commit unsafe payload to conductor", { number: unsafe.number, error: (e as Error).message });
      }
    }
    published = unsafe.number;
    info("sealed block", { number: unsafe.number, hash: unsafe.hash, txs: p.transactions.length, ...(conductor ? { conductor } : {}) });
  };
  const sequencer = every(100, async () => {
    if (!active) return;
    await lock.run(async () => {
      // Catch up back-to-back if behind wall clock, a bounded number per tick.
      for (let i = 0; i < 50 && active && unsafe!.timestamp + rollup.block_time <= Date.now() / 1000; i++) await sealOne();
    });
  }, (e) => error("sequencing failed", { error: e.message }));

  // --- P2P stand-in -----------------------------------------------------------------------
  const peers = new Peers();
  for (const b of bootnodes) peers.add(`${b.host}:${b.port}`, b.nodeId);
  const p2pPort = cli.int("--p2p.listen.tcp", 9222);
  const advertise = `${cli.get("--p2p.advertise.ip") ?? cli.get("--p2p.listen.ip") ?? "127.0.0.1"}:${cli.int("--p2p.advertise.tcp", p2pPort)}`;
  const servers = [
    await serveP2P(cli.get("--p2p.listen.ip") ?? "0.0.0.0", p2pPort, { nodeId, head: () => ({ number: published, hash: myHashes.get(published) ?? unsafe!.hash }), blocks: payloadsFrom }, peers),
  ];
  const hello = every(3000, async () => {
    await Promise.all(
      bootnodes.map(async (b) => {
        const addr = `${b.host}:${b.port}`;
        try {
          const r = await sayHello(addr, { addr: advertise, nodeId });
          peers.add(addr, r.nodeId, true);
        } catch {
          /* the peer is not up yet: retry next round */
        }
      }),
    );
  }, () => undefined);
  let back = 0;
  // Fault injection for the e2e (`kupcakeStandin_holdSync`): a held node stops following its peers,
  // as a kona-node that missed gossip does (it has no request/response sync to fill the gap).
  let held = false;
  const follow = every(500, async () => {
    if (active || held) return;
    const heads = await Promise.all(
      [...peers.known.values()].map(async (p) => {
        try {
          const h = await peerGet<{ number: number; hash: string }>(p.addr, "/p2p/head");
          peers.seen(p.addr);
          return { addr: p.addr, ...h };
        } catch {
          return undefined;
        }
      }),
    );
    const best = heads.filter((h): h is NonNullable<typeof h> => !!h).sort((a, b) => b.number - a.number)[0];
    if (!best || (best.number <= unsafe!.number && best.hash === (await hashAt(best.number)))) return;
    await lock.run(async () => {
      if (active) return;
      const from = Math.max(1, Math.min(unsafe!.number + 1, best.number) - back);
      const ps = await peerGet<Payload[]>(best.addr, `/p2p/blocks?from=${from}&count=128`, 5000);
      if (ps.length === 0) return;
      const parentHash = await hashAt(from - 1);
      if (ps[0].parentHash !== parentHash) {
        // Our chain diverged from the peer's: look further back next round.
        back = Math.min(Math.max(back * 2, 16), from);
        warn("peer chain does not extend ours, searching further back", { peer: best.addr, from, back });
        return;
      }
      back = 0;
      const n = await insertChain(ps);
      if (n > 0) info("synced blocks from peer", { peer: best.addr, from, to: unsafe!.number });
    });
  }, (e) => warn("following peers failed", { error: e.message }));

  // --- Safe head from L1 --------------------------------------------------------------------
  const posted: { number: number; hash: string; l1: number }[] = [];
  let scanned = genesisL1.number;
  const refOf = (b: L1Block): L1Ref => ({ hash: b.hash, number: b.number, parentHash: b.parentHash, timestamp: b.timestamp });
  const derive = every(1000, async () => {
    const head = await l1Block(l1Url, "latest");
    if (!head) return;
    l1Head = refOf(head);
    // Scan new L1 blocks in parallel chunks (startup may have many).
    while (scanned < head.number) {
      const nums = Array.from({ length: Math.min(16, head.number - scanned) }, (_, i) => scanned + 1 + i);
      const blocks = await Promise.all(nums.map((n) => l1Block(l1Url, n, true)));
      for (const b of blocks) {
        if (!b) return;
        for (const tx of b.transactions) {
          if (tx.to?.toLowerCase() !== inbox || tx.from.toLowerCase() !== batcher) continue;
          for (const [number, hash] of decodeBatch(tx.input) ?? []) posted.push({ number, hash, l1: b.number });
        }
        scanned = b.number;
      }
    }
    const l1SafeNum = Math.max(genesisL1.number, head.number - 2);
    const fin = await l1Block(l1Url, l1SafeNum);
    if (fin) l1Safe = l1Finalized = refOf(fin);
    // Highest posted block we hold with the same hash; finalized additionally needs 2 L1 blocks on top.
    let newSafe: { number: number; hash: string } | undefined;
    let newFin: { number: number; hash: string } | undefined;
    for (let i = posted.length - 1; i >= Math.max(0, posted.length - 512); i--) {
      const e = posted[i];
      if (e.number > unsafe!.number || (await hashAt(e.number)) !== e.hash) continue;
      if (!newSafe || e.number > newSafe.number) newSafe = e;
      if (e.l1 <= head.number - 2 && (!newFin || e.number > newFin.number)) newFin = e;
    }
    if (!newSafe) return;
    await lock.run(async () => {
      const s = newSafe!.number > safe.number || (await hashAt(safe.number)) !== safe.hash ? await blockAt(newSafe!.number) : undefined;
      const f = newFin && newFin.number > finalized.number ? await blockAt(newFin.number) : undefined;
      if (!s && !f) return;
      if (s) safe = s;
      if (f) finalized = f;
      await engine("engine_forkchoiceUpdatedV3", [fcState(unsafe!.hash), null]);
    });
  }, (e) => warn("L1 derivation step failed", { error: e.message }));

  // --- RPC -----------------------------------------------------------------------------------
  const l1Or = (r?: L1Ref) => r ?? { ...genesisL1, parentHash: ZERO_HASH, timestamp: rollup.genesis.l2_time };
  const syncStatus = () => ({
    current_l1: l1Or(l1Head),
    current_l1_finalized: l1Or(l1Finalized),
    head_l1: l1Or(l1Head),
    safe_l1: l1Or(l1Safe),
    finalized_l1: l1Or(l1Finalized),
    unsafe_l2: unsafe,
    safe_l2: safe,
    finalized_l2: finalized,
    pending_safe_l2: safe,
    cross_unsafe_l2: unsafe,
    local_safe_l2: safe,
  });
  const sequencerOnly = (method: string) => {
    if (!isSequencer) throw methodNotFound(method);
  };
  const handlers: RpcHandlers = {
    optimism_syncStatus: () => syncStatus(),
    optimism_rollupConfig: () => rollup,
    optimism_version: () => "v1.6.0-kupcake-standin",
    optimism_outputAtBlock: async ([n]) => {
      const b = await engine<Record<string, string> | null>("eth_getBlockByNumber", [typeof n === "number" ? hexQ(n) : String(n), false]);
      if (!b) throw new RpcError(-32000, `failed to get L2 block ref: not found`);
      const withdrawalStorageRoot = hex(keccak(unhex(b.stateRoot)));
      const outputRoot = hex(keccak(Buffer.concat([new Uint8Array(32), unhex(b.stateRoot), unhex(withdrawalStorageRoot), unhex(b.hash)])));
      return { version: ZERO_HASH, outputRoot, blockRef: toRef(b), withdrawalStorageRoot, stateRoot: b.stateRoot, syncStatus: syncStatus() };
    },
    opp2p_self: () => ({
      peerID: nodeId.slice(0, 52), nodeID: nodeId, userAgent: "kona", protocolVersion: "", ENR: "", addresses: [advertise], protocols: null,
      connectedness: 0, direction: 0, protected: false, chainID: chain, latency: 0, gossipBlocks: true, peerScores: {},
    }),
    opp2p_peerStats: () => {
      const c = peers.connected().length;
      return { connected: c, table: peers.known.size, blocksTopic: c, blocksTopicV2: c, blocksTopicV3: c, blocksTopicV4: c, banned: 0, known: peers.known.size };
    },
    opp2p_peers: () => ({ totalConnected: peers.connected().length, peers: Object.fromEntries(peers.connected().map((p) => [p.nodeId ?? p.addr, { nodeID: p.nodeId, addresses: [p.addr] }])), bannedPeers: [], bannedIPS: [], bannedSubnets: [] }),
    admin_sequencerActive: () => {
      sequencerOnly("admin_sequencerActive");
      return active;
    },
    admin_startSequencer: ([hash]) => {
      sequencerOnly("admin_startSequencer");
      // kona's handler takes no parameters (an op-conductor's hash is ignored) and is idempotent;
      // the hash op-conductor passes (its Raft unsafe head) is only logged.
      if (!active) info("sequencer started", { head: unsafe!.number, headHash: unsafe!.hash, ...(hash ? { requestedHash: String(hash) } : {}) });
      active = true;
      return null;
    },
    admin_stopSequencer: async () => {
      sequencerOnly("admin_stopSequencer");
      return lock.run(async () => {
        if (active) info("sequencer stopped", { head: unsafe!.number });
        active = false;
        return unsafe!.hash;
      });
    },
    admin_conductorEnabled: () => !!conductorUrl,
    // op-conductor posts the committed payload to a new leader that is exactly one block behind.
    admin_postUnsafePayload: async ([envelope]) => {
      const e = envelope as { executionPayload?: Payload } & Payload;
      const payload = e.executionPayload ?? e;
      if (!payload?.blockHash) throw new RpcError(-32602, "invalid params: expected an execution payload envelope");
      info("unsafe payload posted", { number: num(payload.blockNumber), hash: payload.blockHash });
      await lock.run(() => insertChain([payload]));
      return null;
    },
    // Not a kona method: the next N sealed blocks fail their conductor commit and are still
    // published, as kona v1.6.0 does with any failed commit (optimism#21906).
    kupcakeStandin_skipCommits: ([n]) => {
      skipCommits = Number(n) || 0;
      return skipCommits;
    },
    // Not a kona method: the e2e's scripted wedge holds a follower's head (see `follow`).
    kupcakeStandin_holdSync: ([hold]) => {
      held = hold === true;
      info(held ? "sync held" : "sync released", { head: unsafe!.number });
      return unsafe!.number;
    },
    admin_overrideLeader: async () => {
      if (!conductorUrl) return null;
      return call(conductorUrl, "conductor_overrideLeader", [], conductorTimeoutMs);
    },
  };
  servers.push(await serveJsonRpc(cli.int("--port", 9545), handlers, { host: cli.get("--rpc.addr") ?? "0.0.0.0" }));
  if (cli.bool("--metrics.enabled")) {
    servers.push(
      await serveMetrics(cli.get("--metrics.addr") ?? "0.0.0.0", cli.int("--metrics.port", 9090), [
        {
          name: "kona_node_block_labels",
          help: "Block numbers of the node's L2 heads by label",
          samples: () => [
            { labels: { label: "unsafe" }, value: unsafe!.number },
            { labels: { label: "cross_unsafe" }, value: unsafe!.number },
            { labels: { label: "local_safe" }, value: safe.number },
            { labels: { label: "safe" }, value: safe.number },
            { labels: { label: "finalized" }, value: finalized.number },
          ],
        },
        { name: "kona_node_swarm_peer_count", help: "Connected P2P peers", samples: () => [{ value: peers.connected().length }] },
        { name: "kona_node_sequencer_active", help: "1 when this node is sequencing", samples: () => [{ value: active ? 1 : 0 }] },
      ]),
    );
  }
  onShutdown(() => {
    sequencer.stop();
    follow.stop();
    hello.stop();
    derive.stop();
    servers.forEach((s) => s.close());
  });
  info("kona-node stand-in started", { mode, rpc: cli.int("--port", 9545), p2p: advertise, conductor: conductorUrl ?? "none" });
}
