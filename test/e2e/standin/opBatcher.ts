/**
 * op-batcher stand-in. Every --poll-interval it finds the active sequencer (activeRollup.ts),
 * reads optimism_syncStatus and posts the unsafe blocks it has not posted yet — named by
 * number+hash (batch.ts), not their contents — as calldata in a REAL L1 transaction signed with
 * --private-key to the rollup's batch inbox (the rollup config comes from optimism_rollupConfig:
 * the real batcher has no rollup-config flag either). It starts after the current safe head and
 * restarts from the safe head if a posted block is no longer canonical. Blob DA is not
 * simulated: every batch is calldata whatever --data-availability-type says.
 */
import { ActiveRollup, urlList } from "./activeRollup";
import { encodeBatch, BatchEntry } from "./batch";
import { Cli } from "./flags";
import { L1Sender, l1Block } from "./l1";
import { every, onShutdown } from "./lifecycle";
import { fatal, info, warn } from "./log";
import { serveMetrics } from "./metrics";
import { call, hexQ, num } from "./rpc";
import { RpcError, serveJsonRpc } from "./rpcServer";

interface Ref {
  number: number;
  hash: string;
}

/** Runs the op-batcher stand-in until SIGTERM. */
export async function runOpBatcher(cli: Cli): Promise<void> {
  const l1Url = cli.need("--l1-eth-rpc");
  const l2Urls = urlList(cli.get("--l2-eth-rpc"));
  const rollupUrls = urlList(cli.get("--rollup-rpc"));
  if (l2Urls.length !== rollupUrls.length)
    fatal(`CRIT Application failed message="failed to setup: the number of L2 EL endpoints (${l2Urls.length}) must match the number of rollup endpoints (${rollupUrls.length})"`);
  const key = cli.get("--private-key");
  if (!key) fatal('CRIT Application failed message="failed to setup: could not init signer: private key or mnemonic or remote signer must be specified"');
  const sender = new L1Sender(l1Url, key);
  const active = new ActiveRollup(rollupUrls, cli.duration("--active-sequencer-check-duration", 5000));
  const pollMs = cli.duration("--poll-interval", 6000);
  const resubmitMs = cli.duration("--resubmission-timeout", 48_000);
  const maxBlocks = 200;
  let running = !cli.bool("--stopped");
  let inbox: string | undefined;
  let last: Ref | undefined;
  let l1Latest = 0;
  let pending = 0;
  let balance = 0n;
  let posted = 0;

  const loop = every(pollMs, async () => {
    balance = await sender.balance();
    l1Latest = (await l1Block(l1Url, "latest"))?.number ?? l1Latest;
    if (!running) return;
    const i = await active.index();
    if (i === undefined) return void warn("no active sequencer found");
    const rollupUrl = rollupUrls[i];
    const l2Url = l2Urls[i];
    inbox ??= (await call<{ batch_inbox_address: string }>(rollupUrl, "optimism_rollupConfig")).batch_inbox_address;
    const st = await call<{ unsafe_l2: Ref; safe_l2: Ref }>(rollupUrl, "optimism_syncStatus");
    if (last) {
      // Reorg check: the last posted block must still be canonical.
      const b = await call<{ hash: string } | null>(l2Url, "eth_getBlockByNumber", [hexQ(last.number), false]);
      if (!b || b.hash !== last.hash) {
        warn("last posted block is no longer canonical, restarting from the safe head", { number: last.number });
        last = undefined;
      }
    }
    last ??= st.safe_l2;
    pending = Math.max(0, st.unsafe_l2.number - last.number);
    if (pending === 0) return;
    const blocks: BatchEntry[] = [];
    for (let n = last.number + 1; n <= st.unsafe_l2.number && blocks.length < maxBlocks; n++) {
      const b = await call<{ hash: string; number: string } | null>(l2Url, "eth_getBlockByNumber", [hexQ(n), false]);
      if (!b) break;
      blocks.push([num(b.number), b.hash]);
    }
    if (blocks.length === 0) return;
    const hash = await sender.send({ to: inbox, data: encodeBatch(blocks) });
    try {
      const r = await sender.receipt(hash, resubmitMs);
      if (r.status !== "0x1") throw new Error(`batch tx ${hash} reverted`);
    } catch (e) {
      sender.resync();
      throw e;
    }
    const end = blocks[blocks.length - 1];
    last = { number: end[0], hash: end[1] };
    posted++;
    pending = Math.max(0, st.unsafe_l2.number - last.number);
    info("published batch", { from: blocks[0][0], to: end[0], tx: hash, sequencer: rollupUrl });
  }, (e) => warn("batch submission failed", { error: e.message }));

  const servers = [
    await serveJsonRpc(cli.int("--rpc.port", 8545), {
      admin_startBatcher: () => {
        if (!cli.bool("--rpc.enable-admin")) throw new RpcError(-32601, "the method admin_startBatcher does not exist/is not available");
        if (running) throw new RpcError(-32000, "batcher is already running");
        running = true;
        return null;
      },
      admin_stopBatcher: () => {
        if (!cli.bool("--rpc.enable-admin")) throw new RpcError(-32601, "the method admin_stopBatcher does not exist/is not available");
        if (!running) throw new RpcError(-32000, "batcher is not running");
        running = false;
        return null;
      },
      admin_flushBatcher: () => null,
      health_status: () => "OK",
    }, {
      host: cli.get("--rpc.addr") ?? "127.0.0.1",
      routes: (req, res) => {
        if (req.method === "GET" && req.url === "/healthz") {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ version: "v1.16.10-kupcake-standin" }));
          return true;
        }
        return false;
      },
    }),
  ];
  if (cli.bool("--metrics.enabled")) {
    servers.push(
      await serveMetrics(cli.get("--metrics.addr") ?? "0.0.0.0", cli.int("--metrics.port", 7300), [
        { name: "op_batcher_default_up", help: "1 if the op-batcher has finished starting up", samples: () => [{ value: 1 }] },
        { name: "op_batcher_default_refs_number", help: "Block numbers of references", samples: () => [{ labels: { layer: "l1", type: "latest" }, value: l1Latest }, { labels: { layer: "l2", type: "posted" }, value: last?.number ?? 0 }] },
        { name: "op_batcher_default_pending_blocks_count", help: "L2 blocks not yet posted", samples: () => [{ labels: { stage: "added" }, value: pending }] },
        { name: "op_batcher_default_balance", help: "Batcher balance in ETH", samples: () => [{ value: Number(balance) / 1e18 }] },
        { name: "op_batcher_default_batcher_tx_total", help: "Batch transactions sent", type: "counter", samples: () => [{ value: posted }] },
      ]),
    );
  }
  onShutdown(() => {
    loop.stop();
    servers.forEach((s) => s.close());
  });
  info("op-batcher stand-in started", { from: sender.address, endpoints: rollupUrls.length, pollMs });
}
