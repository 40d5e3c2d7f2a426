// The failover drill against a running stack:
//   npm run drill:failover [-- --stack NAME] [--rounds N] [--json] [--timeout SECONDS] [--wedge SECONDS]
// Needs a stack with at least two sequencers, up and live, and the docker CLI.
// Exit code 0 when every round passed, 1 otherwise (or when the devnet does not answer, answers for
// another chain, or its containers are not this checkout's), 2 on bad arguments or an unknown stack.
import { ConfigError } from "../components/config/validate";
import { ownerLabel } from "../components/owner";
import { docker, dockerControl } from "../ops/dockerControl";
import { DRILL_TX_ACCOUNT, drillTable, drillTargetsRefusal, failoverRound, probeSequencers, reachabilityRefusal, RoundReport, summarize } from "../ops/drill";
import { loadEndpoints } from "../ops/endpoints";
import { engineListArgs, parseEngineList } from "../ops/lifecycle";
import { UsageError, flagValue, parseOrExit, positiveInt } from "./usage";

const USAGE = `usage: npm run drill:failover -- [--stack NAME] [--rounds N] [--json] [--timeout SECONDS] [--wedge SECONDS]
  Stops the leading sequencer's op-reth and kona-node, measures the election, the new leader's first
  block, the unsafe-head gap and the old node's rejoin, then starts it again. With validators, it
  sends a transaction to validator 1 (the l2Rpc output) right after the stop and another after the
  new leader's first block, and checks both are in the new leader's chain within --timeout. Needs a running stack
  (default: dev) with at least two sequencers, created from this checkout, and the docker CLI.
  --rounds N         failovers in a row (default 1); adds min/median/max
  --json             the report as JSON on stdout (progress on stderr)
  --timeout SECONDS  budget of each waiting step (default 120)
  --wedge SECONDS    how long an elected leader may produce no block before it counts as wedged (default 30)`;

function parse(argv: string[]) {
  const a = { stack: process.env.KUPCAKE_STACK || "dev", rounds: 1, json: false, timeout: 120, wedge: 30, help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => flagValue(argv, ++i, flag);
    const num = () => positiveInt(flag, value());
    switch (flag) {
      case "--help": case "-h": a.help = true; return a;
      case "--stack": case "-s": a.stack = value(); break;
      case "--rounds": a.rounds = num(); break;
      case "--json": a.json = true; break;
      case "--timeout": a.timeout = num(); break;
      case "--wedge": a.wedge = num(); break;
      default:
        if (flag.startsWith("--stack=") && flag.length > 8) a.stack = flag.slice(8);
        else throw new UsageError(`unknown argument ${flag}`);
    }
  }
  return a;
}

async function main() {
  const args = parseOrExit(parse, USAGE);
  const endpoints = await loadEndpoints(args.stack); // ConfigError for an unknown stack: exit 2
  const log = (line: string) => (args.json ? process.stderr : process.stdout).write(line + "\n");
  log(`failover drill on ${endpoints.network} (${endpoints.sequencers.length} sequencers; endpoints from the ${endpoints.source})`);

  // Fail fast, touching nothing, when the devnet is not there or is another devnet.
  const reach = await probeSequencers(endpoints.sequencers, endpoints.l2ChainId);
  const unreachable = reachabilityRefusal(reach, args.stack, endpoints.network, endpoints.l2ChainId);
  if (unreachable) {
    console.error(unreachable);
    process.exit(1);
  }
  if (endpoints.sequencers.length >= 2) {
    const notOurs = drillTargetsRefusal(endpoints.sequencers, parseEngineList(await docker(engineListArgs())), { stack: args.stack, owner: ownerLabel(args.stack) });
    if (notOurs) {
      console.error(notOurs);
      process.exit(1);
    }
  }

  // The probe transactions go to validator 1's op-reth (the stack's l2Rpc output); a stack without
  // validators has no endpoint the drill does not stop, so it sends none and says so.
  const v1 = endpoints.validators[0];
  const tx = v1 ? { rpc: v1.rpc, label: `validator-${v1.index} (l2Rpc)` } : undefined;
  log(
    tx
      ? `probe transactions: dev account ${DRILL_TX_ACCOUNT.index} (${DRILL_TX_ACCOUNT.address}) -> ${tx.label} ${tx.rpc}, during and after each failover`
      : "probe transactions: none (the stack has no validator; l2Rpc is sequencer 1, which the drill may stop)",
  );

  const reports: RoundReport[] = [];
  for (let round = 1; round <= args.rounds; round++) {
    log(`round ${round}/${args.rounds}`);
    const r = await failoverRound(round, endpoints.sequencers, dockerControl, { stepTimeoutMs: args.timeout * 1000, pollMs: 500, wedgeMs: args.wedge * 1000, log: (l) => log(`  ${l}`), tx });
    reports.push(r);
    if (!r.passed) {
      log(`  FAIL: ${r.failure}`);
      break; // later rounds would start from a broken cluster
    }
  }
  const passed = reports.length === args.rounds && reports.every((r) => r.passed);
  if (args.json) {
    const stats = Object.fromEntries((["electionMs", "firstBlockMs", "gapBlocks", "rejoinMs"] as const).map((k) => [k, summarize(reports, k) ?? null]));
    process.stdout.write(JSON.stringify({ network: endpoints.network, passed, rounds: reports, stats }, null, 2) + "\n");
  } else {
    log("");
    log(drillTable(reports));
    log("");
    log(passed ? `PASS: ${reports.length} failover(s), no block lost${tx ? ", every probe transaction included" : ""}` : "FAIL");
  }
  process.exit(passed ? 0 : 1);
}

if (require.main === module) {
  main().catch((e) => {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    console.error(`kupcake: ${(e as Error).message ?? e}`);
    process.exit(1);
  });
}
