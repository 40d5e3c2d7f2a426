// The failover drill against a running stack:
//   npm run drill:failover [-- --stack NAME] [--rounds N] [--json] [--timeout SECONDS] [--wedge SECONDS]
// Needs a stack with at least two sequencers, up and live, and the docker CLI.
// Exit code 0 when every round passed, 1 otherwise, 2 on bad arguments.
import { drillTable, failoverRound, RoundReport, summarize } from "../ops/drill";
import { dockerControl } from "../ops/dockerControl";
import { loadEndpoints } from "../ops/endpoints";

const USAGE = "usage: npm run drill:failover -- [--stack NAME] [--rounds N] [--json] [--timeout SECONDS] [--wedge SECONDS]";

function parse(argv: string[]) {
  const a = { stack: "dev", rounds: 1, json: false, timeout: 120, wedge: 30 };
  for (let i = 0; i < argv.length; i++) {
    const num = (v: string | undefined) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${argv[i - 1]} needs a positive whole number`);
      return n;
    };
    switch (argv[i]) {
      case "--stack": a.stack = argv[++i] ?? ""; break;
      case "--rounds": a.rounds = num(argv[++i]); break;
      case "--json": a.json = true; break;
      case "--timeout": a.timeout = num(argv[++i]); break;
      case "--wedge": a.wedge = num(argv[++i]); break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  return a;
}

async function main() {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const endpoints = await loadEndpoints(args.stack);
  const log = (line: string) => (args.json ? process.stderr : process.stdout).write(line + "\n");
  log(`failover drill on ${endpoints.network} (${endpoints.sequencers.length} sequencers; endpoints from the ${endpoints.source})`);
  const reports: RoundReport[] = [];
  for (let round = 1; round <= args.rounds; round++) {
    log(`round ${round}/${args.rounds}`);
    const r = await failoverRound(round, endpoints.sequencers, dockerControl, { stepTimeoutMs: args.timeout * 1000, pollMs: 500, wedgeMs: args.wedge * 1000, log: (l) => log(`  ${l}`) });
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
    log(passed ? `PASS: ${reports.length} failover(s), no block lost` : "FAIL");
  }
  process.exit(passed ? 0 : 1);
}

if (require.main === module) void main();
