// Stops or starts every container of a stack, found by its labels, in a safe order, without
// touching Pulumi state (a later `pulumi up` shows no changes):
//   npm run stop [-- --stack NAME]
//   npm run start [-- --stack NAME]
import { docker } from "../ops/dockerControl";
import { parsePs, psArgs, runLifecycle } from "../ops/lifecycle";
import { planConfig } from "../plan/run";
import { ConfigError } from "../components/config/validate";

async function main() {
  const [direction, ...rest] = process.argv.slice(2);
  if (direction !== "start" && direction !== "stop") throw new Error("usage: lifecycle.ts start|stop [--stack NAME]");
  let stack = "dev";
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--stack" && rest[i + 1]) stack = rest[++i];
    else throw new Error(`unknown argument ${rest[i]}; usage: npm run ${direction} -- [--stack NAME]`);
  }
  const network = planConfig(stack).network;
  const containers = parsePs(await docker(psArgs(network)));
  if (containers.length === 0) {
    console.error(`no containers labelled kupcake.network=${network}; is stack "${stack}" up? (npm run up)`);
    process.exit(1);
  }
  await runLifecycle(containers, direction, {
    docker,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => Date.now(),
    log: (line) => console.log(line),
  });
  console.log(`${direction === "start" ? "started" : "stopped"} ${containers.filter((c) => c.role !== "job").length} containers of ${network}`);
}

main().catch((e) => {
  console.error(e instanceof ConfigError ? e.message : `kupcake: ${(e as Error).message}`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
