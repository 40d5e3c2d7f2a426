// Stops or starts the containers of a stack in a safe order, without touching Pulumi state (a later
// `pulumi up` shows no changes). Acts only on the stack's OWN containers: the ones the offline plan
// of the stack declares, labelled with this checkout's owner (kupcake.project); refuses when any is
// missing or a foreign container carries the stack's names or labels.
//   npm run stop [-- --stack NAME]
//   npm run start [-- --stack NAME]
// Exit code 0 done, 1 refused or failed (the message says why), 2 bad arguments or stack config.
import { ConfigError } from "../components/config/validate";
import { ownerLabel } from "../components/owner";
import { docker } from "../ops/dockerControl";
import { LifecycleRefusal, expectedContainers, operateStack } from "../ops/lifecycle";
import { runPlan } from "../plan/run";

const usage = (direction: string) =>
  `usage: npm run ${direction} -- [--stack NAME]\n` +
  `  ${direction === "stop" ? "Stops" : "Starts"} every container of the stack (default: dev) that this checkout created, in a safe order;\n` +
  "  refuses, changing nothing, when a container of the stack is missing or a foreign one carries its names or labels.";

class UsageError extends Error {}

function parse(direction: string, argv: string[]): { stack: string; help: boolean } {
  let stack = process.env.KUPCAKE_STACK || "dev";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") return { stack, help: true };
    if (a === "--stack" || a === "-s") {
      const v = argv[++i];
      if (!v || v.startsWith("-")) throw new UsageError(`${a} needs a stack name`);
      stack = v;
    } else if (a.startsWith("--stack=")) stack = a.slice(8);
    else throw new UsageError(`unknown argument ${a}`);
  }
  if (!stack) throw new UsageError("--stack needs a stack name");
  return { stack, help: false };
}

async function main() {
  const [direction, ...rest] = process.argv.slice(2);
  if (direction !== "start" && direction !== "stop") {
    console.error("usage: node --import tsx scripts/lifecycle.ts start|stop [--stack NAME]");
    process.exit(2);
  }
  let args: ReturnType<typeof parse>;
  try {
    args = parse(direction, rest);
  } catch (e) {
    console.error(`${(e as Error).message}\n${usage(direction)}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(usage(direction));
    process.exit(0);
  }
  const plan = await runPlan(args.stack); // ConfigError (unknown stack, bad config): exit 2
  const id = { stack: args.stack, network: plan.config.network, owner: ownerLabel(args.stack) };
  await operateStack(direction, expectedContainers(plan), id, {
    docker,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => Date.now(),
    log: (line) => console.log(line),
  });
  process.exit(0);
}

main().catch((e) => {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(2);
  }
  console.error(e instanceof LifecycleRefusal ? e.message : `kupcake: ${(e as Error).message ?? e}`);
  process.exit(1);
});
