/**
 * op-reth stand-in (`op-reth node ...`): a persistent L2 execution client.
 * - HTTP JSON-RPC (--http.port) and WebSocket JSON-RPC (--ws.port, RFC 6455 text frames; no
 *   subscriptions) with the eth/net/web3 methods the devnet and its users call.
 * - Engine API on --authrpc.port, HS256 JWT checked on every call (HTTP 401 otherwise). Its
 *   methods are named after the real ones but simplified: payloads carry stand-in hashes (see
 *   chain.ts), payloadAttributes only use timestamp/suggestedFeeRecipient/prevRandao/gasLimit/
 *   noTxPool, and there are no deposit transactions. The eth namespace is served there too.
 * - Prometheus metrics on --metrics host:port.
 * - Every node keeps a tx pool (sequencing or not) and gossips it to its peers over the stand-in
 *   devp2p transport on --port (txGossip.ts); the block it builds when asked (engine API with
 *   payload attributes, noTxPool unset) takes the pool's applicable transactions. With
 *   --rollup.sequencer(-http) it forwards eth_sendRawTransaction first and fails the call when the
 *   forward fails, keeping the tx locally only after a successful forward (op-reth
 *   `OpEthApi::send_transaction`, rust/op-reth/crates/rpc/src/eth/transaction.rs at op-reth/v2.3.2).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Cli } from "./flags";
import { Payload, checkGenesis, txGas } from "./chain";
import { BuildAttrs, ChainStore, StoredBlock } from "./chainStore";
import { checkJwt, readJwtSecret } from "./jwt";
import { fatal, info, warn } from "./log";
import { onShutdown } from "./lifecycle";
import { hostPort, serveMetrics } from "./metrics";
import { call, hexQ } from "./rpc";
import { RpcError, RpcHandlers, dispatchJsonRpc, invalidParams, serveJsonRpc } from "./rpcServer";
import { DecodedTx, decodeRawTx } from "./tx";
import { TxGossip } from "./txGossip";
import { serveWebSocketRpc } from "./ws";

/** The JSON shape of a transaction in eth_getBlockByNumber / eth_getTransactionByHash. */
function txJson(tx: DecodedTx, b?: StoredBlock, index?: number) {
  return {
    hash: tx.hash,
    type: hexQ(tx.type),
    chainId: tx.chainId === undefined ? undefined : hexQ(tx.chainId),
    nonce: hexQ(tx.nonce),
    from: tx.from,
    to: tx.to,
    value: hexQ(tx.value),
    gas: hexQ(tx.gas),
    gasPrice: hexQ(tx.gasPrice),
    input: tx.input,
    v: hexQ(tx.v),
    r: tx.r,
    s: tx.s,
    blockHash: b ? b.payload.blockHash : null,
    blockNumber: b ? hexQ(b.number) : null,
    transactionIndex: index === undefined ? null : hexQ(index),
  };
}

function blockJson(b: StoredBlock, full: boolean) {
  const p = b.payload;
  return {
    number: hexQ(b.number),
    hash: p.blockHash,
    parentHash: p.parentHash,
    nonce: "0x0000000000000000",
    sha3Uncles: "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
    logsBloom: p.logsBloom,
    transactionsRoot: p.receiptsRoot,
    stateRoot: p.stateRoot,
    receiptsRoot: p.receiptsRoot,
    miner: p.feeRecipient,
    difficulty: "0x0",
    totalDifficulty: "0x0",
    extraData: p.extraData,
    size: hexQ(500 + p.transactions.reduce((n, t) => n + t.length / 2, 0)),
    gasLimit: p.gasLimit,
    gasUsed: p.gasUsed,
    timestamp: p.timestamp,
    mixHash: p.prevRandao,
    baseFeePerGas: p.baseFeePerGas,
    withdrawalsRoot: "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421",
    withdrawals: [],
    blobGasUsed: p.blobGasUsed,
    excessBlobGas: p.excessBlobGas,
    parentBeaconBlockRoot: "0x" + "00".repeat(32),
    uncles: [],
    transactions: full ? b.txs.map((t, i) => txJson(t, b, i)) : b.txs.map((t) => t.hash),
  };
}

/** Runs the op-reth stand-in until SIGTERM. */
export async function runOpReth(cli: Cli): Promise<void> {
  if (cli.subcommands[0] !== "node") fatal("error: only `op-reth node` is supported by the stand-in", 2);
  const chainPath = cli.get("--chain");
  if (!chainPath) fatal("error: --chain must name a genesis.json for an OP Stack devnet", 1);
  let store: ChainStore;
  try {
    const genesis = checkGenesis(JSON.parse(readFileSync(chainPath, "utf8")));
    store = new ChainStore(cli.get("--datadir") ?? "./reth-data", genesis);
  } catch (e) {
    fatal(`Error: failed to load chain spec from ${chainPath}: ${(e as Error).message}`, 1);
  }
  const chainId = store.genesisDoc.config.chainId;
  const sequencerUrl = cli.get("--rollup.sequencer");
  const pool = new Map<string, DecodedTx>();

  // The engine JWT: the given file, or (like reth) a generated one in the datadir.
  let secretPath = cli.get("--authrpc.jwtsecret");
  if (!secretPath) {
    secretPath = join(cli.get("--datadir") ?? ".", "jwt.hex");
    writeFileSync(secretPath, randomBytes(32).toString("hex"));
  }
  let secret: Uint8Array;
  try {
    secret = readJwtSecret(secretPath);
  } catch (e) {
    fatal(`Error: ${(e as Error).message}`, 1);
  }

  // reth starts in SyncState::Syncing and goes idle at its first new canonical head.
  let initiallySyncing = true;
  let gossip: TxGossip | undefined;
  const addToPool = (tx: DecodedTx, source?: string): boolean => {
    if (pool.has(tx.hash) || store.txLocation(tx.hash)) return false;
    pool.set(tx.hash, tx);
    info("transaction added to pool", { hash: tx.hash, from: tx.from, nonce: tx.nonce, source: source ?? "rpc" });
    gossip?.propagate(tx.raw, source);
    return true;
  };
  const acceptFromPeer = (raw: string): boolean => {
    try {
      const tx = decodeRawTx(raw);
      if (tx.chainId !== undefined && tx.chainId !== chainId) return false;
      if (tx.nonce < store.stateAt(store.head).nonce(tx.from)) return false;
      if (pool.has(tx.hash) || store.txLocation(tx.hash)) return false;
      pool.set(tx.hash, tx);
      info("transaction added to pool", { hash: tx.hash, from: tx.from, nonce: tx.nonce, source: "peer" });
      return true;
    } catch {
      return false;
    }
  };

  const prunePool = () => {
    const s = store.stateAt(store.head);
    for (const [h, tx] of pool) if (tx.nonce < s.nonce(tx.from)) pool.delete(h);
  };

  const blockParam = (v: unknown) => {
    const tag = v === undefined ? "latest" : String(v);
    if (typeof v === "object" && v !== null && "blockHash" in v) return store.blocks.get(String((v as { blockHash: string }).blockHash));
    return store.byTag(tag);
  };
  const stateFor = (v: unknown) => {
    const b = blockParam(v);
    if (!b) throw new RpcError(-32001, "header not found");
    return store.stateAt(b.payload.blockHash);
  };

  const eth: RpcHandlers = {
    eth_chainId: () => hexQ(chainId),
    net_version: () => String(chainId),
    net_listening: () => true,
    net_peerCount: () => hexQ(gossip?.sessions.size ?? 0),
    web3_clientVersion: () => "reth/v2.4.1-kupcake-standin/x86_64-unknown-linux-gnu",
    eth_syncing: () => false,
    eth_blockNumber: () => hexQ(store.headBlock().number),
    eth_getBlockByNumber: ([tag, full]) => {
      const b = blockParam(tag ?? "latest");
      return b ? blockJson(b, !!full) : null;
    },
    eth_getBlockByHash: ([hash, full]) => {
      const b = store.blocks.get(String(hash));
      return b && store.canonical[b.number] === b.payload.blockHash ? blockJson(b, !!full) : b ? blockJson(b, !!full) : null;
    },
    eth_getBalance: ([addr, tag]) => hexQ(stateFor(tag).balance(String(addr))),
    eth_getTransactionCount: ([addr, tag]) => {
      if (tag === "pending") {
        let n = store.stateAt(store.head).nonce(String(addr));
        const mine = [...pool.values()].filter((t) => t.from === String(addr).toLowerCase()).map((t) => t.nonce);
        while (mine.includes(n)) n++;
        return hexQ(n);
      }
      return hexQ(stateFor(tag).nonce(String(addr)));
    },
    eth_getCode: () => "0x",
    eth_getStorageAt: () => "0x" + "00".repeat(32),
    eth_call: () => "0x",
    eth_gasPrice: () => hexQ(BigInt(store.headBlock().payload.baseFeePerGas) + 1_000_000n),
    eth_maxPriorityFeePerGas: () => hexQ(1_000_000n),
    eth_estimateGas: ([tx]) => {
      const data = String((tx as { data?: string; input?: string })?.data ?? (tx as { input?: string })?.input ?? "0x");
      return hexQ(txGas({ input: data } as DecodedTx));
    },
    eth_feeHistory: () => ({ oldestBlock: hexQ(store.headBlock().number), baseFeePerGas: [store.headBlock().payload.baseFeePerGas], gasUsedRatio: [0], reward: [] }),
    eth_sendRawTransaction: async ([raw]) => {
      let tx: DecodedTx;
      try {
        tx = decodeRawTx(String(raw));
      } catch (e) {
        throw new RpcError(-32602, `failed to decode signed transaction: ${(e as Error).message}`);
      }
      if (tx.chainId !== undefined && tx.chainId !== chainId) throw new RpcError(-32000, `invalid chain id: have ${tx.chainId}, want ${chainId}`);
      const s = store.stateAt(store.head);
      if (tx.nonce < s.nonce(tx.from)) throw new RpcError(-32003, "nonce too low");
      if (s.balance(tx.from) < tx.value) throw new RpcError(-32003, "insufficient funds for gas * price + value");
      if (sequencerUrl) {
        const hash = await call<string>(sequencerUrl, "eth_sendRawTransaction", [raw], 5000);
        addToPool(tx); // retained locally after a successful forward (errors only logged upstream)
        return hash;
      }
      if (pool.has(tx.hash)) throw new RpcError(-32000, "already known");
      addToPool(tx);
      return tx.hash;
    },
    eth_getTransactionByHash: ([hash]) => {
      const loc = store.txLocation(String(hash));
      if (loc) {
        const b = store.blocks.get(loc.blockHash)!;
        return txJson(b.txs[loc.index], b, loc.index);
      }
      const p = pool.get(String(hash).toLowerCase());
      return p ? txJson(p) : null;
    },
    eth_getTransactionReceipt: ([hash]) => {
      const loc = store.txLocation(String(hash));
      if (!loc) return null;
      const b = store.blocks.get(loc.blockHash)!;
      const tx = b.txs[loc.index];
      const cumulative = b.txs.slice(0, loc.index + 1).reduce((n, t) => n + txGas(t), 0);
      return {
        transactionHash: tx.hash,
        transactionIndex: hexQ(loc.index),
        blockHash: b.payload.blockHash,
        blockNumber: hexQ(b.number),
        from: tx.from,
        to: tx.to,
        cumulativeGasUsed: hexQ(cumulative),
        gasUsed: hexQ(txGas(tx)),
        effectiveGasPrice: hexQ(tx.gasPrice),
        contractAddress: null,
        logs: [],
        logsBloom: "0x" + "00".repeat(256),
        status: "0x1",
        type: hexQ(tx.type),
      };
    },
    txpool_status: () => ({ pending: hexQ(pool.size), queued: "0x0" }),
  };

  // Engine API (stand-in semantics, real names).
  const built = new Map<string, Payload>();
  const fcu = ([state, attrs]: unknown[]) => {
    const fc = state as { headBlockHash?: string; safeBlockHash?: string; finalizedBlockHash?: string } | undefined;
    if (!fc?.headBlockHash) throw invalidParams("forkchoiceState.headBlockHash missing");
    const before = store.head;
    const status = store.forkchoice(fc.headBlockHash, fc.safeBlockHash, fc.finalizedBlockHash);
    if (store.head !== before) {
      prunePool();
      initiallySyncing = false;
    }
    let payloadId: string | null = null;
    if (status.status === "VALID" && attrs) {
      const a = attrs as { timestamp: string; suggestedFeeRecipient?: string; prevRandao?: string; gasLimit?: string; noTxPool?: boolean };
      const build: BuildAttrs = {
        timestamp: Number(BigInt(a.timestamp)),
        suggestedFeeRecipient: a.suggestedFeeRecipient,
        prevRandao: a.prevRandao,
        gasLimit: a.gasLimit ? Number(BigInt(a.gasLimit)) : undefined,
        noTxPool: a.noTxPool,
      };
      if (build.timestamp <= Number(BigInt(store.headBlock().payload.timestamp))) throw new RpcError(-38003, "Invalid payload attributes: timestamp not after head");
      payloadId = "0x" + randomUUID().replace(/-/g, "").slice(0, 16);
      built.set(payloadId, store.build(store.head, build, [...pool.values()]));
      if (built.size > 64) built.delete(built.keys().next().value as string);
    }
    return { payloadStatus: status, payloadId };
  };
  const getPayload = ([id]: unknown[]) => {
    const p = built.get(String(id));
    if (!p) throw new RpcError(-38001, "Unknown payload");
    return { executionPayload: p, blockValue: "0x0", blobsBundle: { commitments: [], proofs: [], blobs: [] }, shouldOverrideBuilder: false, executionRequests: [] };
  };
  const newPayload = ([p]: unknown[]) => {
    const status = store.insert(p as Payload);
    if (status.status === "INVALID") warn("invalid payload", { hash: (p as Payload).blockHash, error: status.validationError });
    return status;
  };
  const engine: RpcHandlers = {
    ...eth,
    engine_exchangeCapabilities: () => Object.keys(engine).filter((m) => m.startsWith("engine_")),
    engine_forkchoiceUpdatedV2: fcu,
    engine_forkchoiceUpdatedV3: fcu,
    engine_getPayloadV2: getPayload,
    engine_getPayloadV3: getPayload,
    engine_getPayloadV4: getPayload,
    engine_newPayloadV2: newPayload,
    engine_newPayloadV3: newPayload,
    engine_newPayloadV4: newPayload,
    engine_getPayloadBodiesByRangeV1: ([start, count]) => {
      const s = Number(BigInt(String(start)));
      const c = Math.min(Number(BigInt(String(count))), 1024);
      const out = [];
      for (let n = s; n < s + c; n++) {
        const b = store.byNumber(n);
        if (!b) break;
        out.push({ transactions: b.payload.transactions, withdrawals: [] });
      }
      return out;
    },
  };

  const httpHost = cli.get("--http.addr") ?? "127.0.0.1";
  const servers: import("node:http").Server[] = [];
  if (cli.bool("--http")) servers.push(await serveJsonRpc(cli.int("--http.port", 8545), eth, { host: httpHost }));
  if (cli.bool("--ws")) servers.push(await serveWebSocketRpc(cli.get("--ws.addr") ?? "127.0.0.1", cli.int("--ws.port", 8546), (text) => dispatchJsonRpc(eth, text)));
  servers.push(
    await serveJsonRpc(cli.int("--authrpc.port", 8551), engine, {
      host: cli.get("--authrpc.addr") ?? "127.0.0.1",
      auth: (req) => checkJwt(secret, req.headers.authorization),
    }),
  );
  const metricsAt = cli.get("--metrics");
  if (metricsAt) {
    const { host, port } = hostPort(metricsAt, "127.0.0.1");
    servers.push(
      await serveMetrics(host, port, [
        { name: "reth_blockchain_tree_canonical_chain_height", help: "Canonical chain height", samples: () => [{ value: store.headBlock().number }] },
        { name: "reth_transaction_pool_pending_pool_transactions", help: "Transactions in the pending pool", samples: () => [{ value: pool.size }] },
        { name: "reth_network_connected_peers", help: "Connected peers (stand-in devp2p sessions)", samples: () => [{ value: gossip?.sessions.size ?? 0 }] },
      ]),
    );
  }
  // devp2p stand-in: --port (default 30303) on --addr; advertised as --nat extaddr:<name>.
  const p2pPort = cli.int("--port", 30303);
  const extaddr = /^extaddr:(.+)$/.exec(cli.get("--nat") ?? "")?.[1] ?? "127.0.0.1";
  gossip = new TxGossip({
    host: cli.get("--addr") ?? "0.0.0.0",
    port: p2pPort,
    self: `${extaddr}:${p2pPort}`,
    trustedPeers: (cli.get("--trusted-peers") ?? "").split(",").filter(Boolean),
    disabled: cli.bool("--rollup.disable-tx-pool-gossip"),
    initiallySyncing: () => initiallySyncing,
    pooled: () => [...pool.values()].map((t) => t.raw),
    accept: acceptFromPeer,
  });
  await gossip.start();
  onShutdown(() => {
    gossip?.stop();
    servers.forEach((s) => s.close());
  });
  info("op-reth stand-in started", { chainId, head: store.headBlock().number, genesis: store.genesis.blockHash, sequencer: sequencerUrl ?? "self" });
}
