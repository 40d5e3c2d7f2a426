/**
 * op-proposer stand-in. Every --proposal-interval it reads the safe head (finalized without
 * --allow-non-finalized) from the active rollup RPC, gets its output root with
 * optimism_outputAtBlock, checks --game-factory-address has code on L1 and sends a REAL L1
 * transaction to it signed with --private-key: calldata `create(uint32 gameType, bytes32
 * rootClaim, bytes extraData=abi.encode(l2BlockNumber))` as DisputeGameFactory takes it. The
 * stand-in factory (op-deployer stand-in) just logs the call.
 */
import { ActiveRollup, urlList } from "./activeRollup";
import { Cli } from "./flags";
import { L1Sender } from "./l1";
import { every, onShutdown } from "./lifecycle";
import { fatal, info, warn } from "./log";
import { serveMetrics } from "./metrics";
import { call, hexQ } from "./rpc";
import { serveJsonRpc } from "./rpcServer";
import { hex, keccak } from "./tx";

const word = (n: bigint | number) => BigInt(n).toString(16).padStart(64, "0");

/** ABI calldata of DisputeGameFactory.create(uint32,bytes32,bytes) for an output proposal. */
export function createGameCalldata(gameType: number, rootClaim: string, l2Block: number): string {
  const selector = hex(keccak("create(uint32,bytes32,bytes)")).slice(2, 10);
  return "0x" + selector + word(gameType) + rootClaim.replace(/^0x/, "").padStart(64, "0") + word(0x60) + word(32) + word(l2Block);
}

/** Runs the op-proposer stand-in until SIGTERM. */
export async function runOpProposer(cli: Cli): Promise<void> {
  const l1Url = cli.need("--l1-eth-rpc");
  const rollups = urlList(cli.get("--rollup-rpc"));
  if (rollups.length === 0) fatal('CRIT Application failed message="failed to setup: either rollup-rpc or supervisor-rpcs must be set"');
  const factory = cli.get("--game-factory-address");
  if (!factory || !/^0x[0-9a-fA-F]{40}$/.test(factory)) fatal('CRIT Application failed message="failed to setup: the DisputeGameFactory address must be set"');
  const key = cli.get("--private-key");
  if (!key) fatal('CRIT Application failed message="failed to setup: could not init signer: private key or mnemonic or remote signer must be specified"');
  const sender = new L1Sender(l1Url, key);
  const gameType = cli.int("--game-type", 0);
  const active = new ActiveRollup(rollups, cli.duration("--active-sequencer-check-duration", 120_000));
  const useSafe = cli.bool("--allow-non-finalized");
  let lastProposed = -1;
  let balance = 0n;
  let proposals = 0;

  const loop = every(cli.duration("--proposal-interval", 0) || cli.duration("--poll-interval", 6000), async () => {
    balance = await sender.balance();
    const i = await active.index();
    if (i === undefined) return void warn("no active sequencer found");
    const st = await call<{ safe_l2: { number: number }; finalized_l2: { number: number } }>(rollups[i], "optimism_syncStatus");
    const target = useSafe ? st.safe_l2.number : st.finalized_l2.number;
    if (target <= lastProposed || target === 0) return;
    const out = await call<{ outputRoot: string }>(rollups[i], "optimism_outputAtBlock", [hexQ(target)]);
    const code = await call<string>(l1Url, "eth_getCode", [factory, "latest"]);
    if (!code || code === "0x") throw new Error(`no code at the DisputeGameFactory address ${factory}`);
    const hash = await sender.send({ to: factory, data: createGameCalldata(gameType, out.outputRoot, target) });
    const r = await sender.receipt(hash, 60_000);
    if (r.status !== "0x1") throw new Error(`proposal tx ${hash} reverted`);
    lastProposed = target;
    proposals++;
    info("proposed output", { l2Block: target, outputRoot: out.outputRoot, tx: hash, gameType });
  }, (e) => {
    sender.resync();
    warn("proposal failed", { error: e.message });
  });

  const servers = [await serveJsonRpc(cli.int("--rpc.port", 8545), { health_status: () => "OK" }, { host: cli.get("--rpc.addr") ?? "127.0.0.1" })];
  if (cli.bool("--metrics.enabled")) {
    servers.push(
      await serveMetrics(cli.get("--metrics.addr") ?? "0.0.0.0", cli.int("--metrics.port", 7300), [
        { name: "op_proposer_default_up", help: "1 if the op-proposer has finished starting up", samples: () => [{ value: 1 }] },
        { name: "op_proposer_default_balance", help: "Proposer balance in ETH", samples: () => [{ value: Number(balance) / 1e18 }] },
        { name: "op_proposer_default_proposals_total", help: "Proposals sent", type: "counter", samples: () => [{ value: proposals }] },
      ]),
    );
  }
  onShutdown(() => {
    loop.stop();
    servers.forEach((s) => s.close());
  });
  info("op-proposer stand-in started", { from: sender.address, factory, gameType });
}
