// Recovers sequencing when no conductor-managed sequencer produces blocks because the Raft head is
// behind every live node (see ops/recover.ts):
//   npm run recover [-- --stack NAME] [--timeout SECONDS] [--stall SECONDS]
// Exit code 0 when a sequencer seals blocks afterwards (or already did), 1 when it refused or
// failed (with the reason), 2 on bad arguments or an unknown stack.
import { ConfigError } from "../components/config/validate";
import { probeSequencers, reachabilityRefusal } from "../ops/drill";
import { loadEndpoints } from "../ops/endpoints";
import { RecoverFailure, recoverSequencing, resumePaused } from "../ops/recover";
import { UsageError, flagValue, parseOrExit, positiveInt } from "./usage";

const USAGE = `usage: npm run recover -- [--stack NAME] [--timeout SECONDS] [--stall SECONDS]
  For a stack with op-conductor whose sequencers all stopped producing blocks because the Raft head
  is behind every node (kona-node gossips a block whose conductor commit failed; if its leader then
  stops, every leader refuses to start). Watches for --stall seconds; if no sequencer seals a block,
  pauses every conductor, makes the sequencer with the highest head the Raft leader, starts it, waits
  for its first block and resumes the conductors. Needs every sequencer running (npm run start).
  --timeout SECONDS  budget of each waiting step (default 60)
  --stall SECONDS    how long no sequencer may seal a block before the cluster counts as stalled
                     (default: 3 L2 block times, at least 10)
  Validators that answer must not hold a block past the sequencers (it refuses otherwise). Ctrl-C
  resumes every conductor it paused. Exit code 0 when a sequencer seals afterwards (or already did),
  1 when it refused or failed, 2 on bad arguments or an unknown stack.`;

function parse(argv: string[]) {
  const a = { stack: process.env.KUPCAKE_STACK || "dev", timeout: 60, stall: undefined as number | undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => flagValue(argv, ++i, flag);
    const num = () => positiveInt(flag, value());
    switch (flag) {
      case "--help": case "-h": a.help = true; return a;
      case "--stack": case "-s": a.stack = value(); break;
      case "--timeout": a.timeout = num(); break;
      case "--stall": a.stall = num(); break;
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
  console.log(`recovery check on ${endpoints.network} (${endpoints.sequencers.length} sequencers; endpoints from the ${endpoints.source})`);
  const refusal = reachabilityRefusal(await probeSequencers(endpoints.sequencers, endpoints.l2ChainId), args.stack, endpoints.network, endpoints.l2ChainId);
  if (refusal) {
    console.error(refusal.replace("the drill stops nothing", "the recovery touches nothing"));
    process.exit(1);
  }
  // An interrupted run must not leave failover off: resume whatever is paused, then exit.
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      resumePaused(endpoints.sequencers).then(
        (r) => {
          console.error(`interrupted; resumed conductors: ${r.resumed.join(", ") || "none paused"}${r.failed.length ? `; could not resume: ${r.failed.join("; ")}` : ""}`);
          process.exit(130);
        },
        () => process.exit(130),
      );
    });
  }
  const stall = args.stall ?? Math.max(10, 3 * (endpoints.l2BlockTime ?? 2));
  try {
    const r = await recoverSequencing(
      endpoints.sequencers,
      { stepTimeoutMs: args.timeout * 1000, pollMs: 500, stallMs: stall * 1000, log: (l) => console.log(`  ${l}`) },
      endpoints.validators,
    );
    console.log(r.outcome === "recovered" ? `RECOVERED: sequencer-${r.sequencer} sequences again (block ${r.headBefore} -> ${r.headAfter})` : `OK: sequencer-${r.sequencer} is sequencing; nothing was touched`);
    process.exit(0);
  } catch (e) {
    console.error(`FAIL: ${(e as Error).message}`);
    process.exit(1);
  }
}

if (require.main === module) {
  main().catch((e) => {
    if (e instanceof ConfigError || e instanceof RecoverFailure) {
      console.error(e.message);
      process.exit(e instanceof ConfigError ? 2 : 1);
    }
    console.error(`kupcake: ${(e as Error).message ?? e}`);
    process.exit(1);
  });
}
