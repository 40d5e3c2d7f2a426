// The devnet at a glance: L1, per node its chain id, heads, peers, lag and conductor state, the
// batcher's and the proposer's progress.
//   npm run status [-- --stack NAME] [--json] [--window SECONDS]
// Exit code 0 when healthy, 1 when not (the reasons are printed), 2 on bad arguments or an unknown stack.
import { ConfigError } from "../components/config/validate";
import { loadEndpoints } from "../ops/endpoints";
import { collectStatus, statusTable } from "../ops/status";
import { UsageError, parseOrExit } from "./usage";

const USAGE = `usage: npm run status -- [--stack NAME] [--json] [--window SECONDS]
  Reads the stack (default: dev) twice, a window apart: the L1 (chain id, blocks advancing), every
  L2 node (its chain id must be the stack's; heads, peers, lag, sequencing, conductor leadership),
  the batcher (safe head moving, its L1 transactions) and the proposer (its L1 transactions, the
  latest dispute game). Exit code 0 healthy, 1 unhealthy (reasons printed), 2 bad arguments.
  --json            the same as JSON
  --window SECONDS  time between the two readings (default: the L1 block time + 1; 0 = one snapshot)`;

function parse(argv: string[]) {
  const a: { stack: string; json: boolean; window?: number; help: boolean } = { stack: process.env.KUPCAKE_STACK || "dev", json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v === "" || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--help" || flag === "-h") return { ...a, help: true };
    else if (flag === "--stack" || flag === "-s") a.stack = value();
    else if (flag.startsWith("--stack=") && flag.length > 8) a.stack = flag.slice(8);
    else if (flag === "--json") a.json = true;
    else if (flag === "--window") {
      const v = value();
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0 || n > 600) throw new UsageError(`--window needs seconds between 0 and 600, not ${JSON.stringify(v)}`);
      a.window = n;
    } else throw new UsageError(`unknown argument ${flag}`);
  }
  return a;
}

async function main() {
  const args = parseOrExit(parse, USAGE);
  const endpoints = await loadEndpoints(args.stack); // ConfigError for an unknown stack: exit 2
  const windowMs = Math.round((args.window ?? (endpoints.blockTime ?? 4) + 1) * 1000);
  const status = await collectStatus(endpoints, { windowMs });
  const nothing = status.l1.error !== undefined && status.nodes.every((n) => n.error && !n.foreign);
  if (nothing) {
    status.problems.unshift(
      `nothing of stack ${args.stack} answers: is it running? Create it with npm run up -- --stack ${args.stack}, or npm run start -- --stack ${args.stack} after npm run stop`,
    );
  }
  console.log(args.json ? JSON.stringify(status, null, 2) : statusTable(status));
  process.exit(status.problems.length ? 1 : 0);
}

main().catch((e) => {
  console.error(e instanceof ConfigError ? e.message : `kupcake: ${(e as Error).message ?? e}`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
