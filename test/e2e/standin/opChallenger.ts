/**
 * op-challenger stand-in: validates its flags (required ones via flags.json), checks that
 * --game-allowlist entries are addresses (upstream parses them with ParseAddress), then only
 * polls the L1 head and exports metrics. It plays no dispute games.
 */
import { Cli } from "./flags";
import { every, onShutdown } from "./lifecycle";
import { fatal, info, warn } from "./log";
import { serveMetrics } from "./metrics";
import { call, num } from "./rpc";

/** Runs the op-challenger stand-in until SIGTERM. */
export async function runOpChallenger(cli: Cli): Promise<void> {
  const l1Url = cli.need("--l1-eth-rpc");
  for (const a of (cli.get("--game-allowlist") ?? "").split(",").filter(Boolean))
    if (!/^0x[0-9a-fA-F]{40}$/.test(a.trim())) fatal(`CRIT Application failed message="invalid address: ${a}"`);
  let l1Head = 0;
  const loop = every(cli.duration("--http-poll-interval", 12_000), async () => {
    l1Head = num(await call(l1Url, "eth_blockNumber"));
  }, (e) => warn("failed to poll L1", { error: e.message }));
  const servers: import("node:http").Server[] = [];
  if (cli.bool("--metrics.enabled"))
    servers.push(
      await serveMetrics(cli.get("--metrics.addr") ?? "0.0.0.0", cli.int("--metrics.port", 7300), [
        { name: "op_challenger_default_up", help: "1 if the op-challenger has finished starting up", samples: () => [{ value: 1 }] },
        { name: "op_challenger_default_highest_acted_l1_block", help: "Highest L1 block seen", samples: () => [{ value: l1Head }] },
      ]),
    );
  onShutdown(() => {
    loop.stop();
    servers.forEach((s) => s.close());
  });
  info("op-challenger stand-in started", { datadir: cli.get("--datadir") });
}
