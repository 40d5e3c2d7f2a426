/**
 * The stand-in entry point, bundled into one file and run as `node standin.js <service> [args...]`
 * with exactly the command line the plan gives the container. Each service parses its flags
 * against conformance/flags.json (exiting like the upstream binary on anything it would reject)
 * and then behaves like the service on the wire. Long-running services run until SIGTERM.
 */
import { parseCli } from "./flags";
import { runGrafana } from "./grafana";
import { runKonaNode } from "./konaNode";
import { fatal, setService } from "./log";
import { runOpBatcher } from "./opBatcher";
import { runOpChallenger } from "./opChallenger";
import { runOpConductor } from "./opConductor";
import { runOpDeployer } from "./opDeployer";
import { runOpProposer } from "./opProposer";
import { runOpReth } from "./opReth";

const SERVICES = ["op-deployer", "op-reth", "kona-node", "op-conductor", "op-batcher", "op-proposer", "op-challenger", "grafana"];

async function main(argv: string[]): Promise<void> {
  const [service, ...args] = argv;
  if (!service || !SERVICES.includes(service)) fatal(`usage: standin.js <${SERVICES.join("|")}> [args...]`, 64);
  setService(service);
  process.on("unhandledRejection", (e) => fatal(`${service}: unhandled error: ${(e as Error)?.stack ?? e}`, 1));
  switch (service) {
    case "op-deployer":
      await runOpDeployer(parseCli(service, args));
      process.exit(0); // a one-shot job: done
      break;
    case "op-conductor":
      await runOpConductor(args);
      process.exit(0);
      break;
    case "op-reth":
      return runOpReth(parseCli(service, args));
    case "kona-node":
      return runKonaNode(parseCli(service, args));
    case "op-batcher":
      return runOpBatcher(parseCli(service, args));
    case "op-proposer":
      return runOpProposer(parseCli(service, args));
    case "op-challenger":
      return runOpChallenger(parseCli(service, args));
    case "grafana":
      return runGrafana(args);
  }
}

main(process.argv.slice(2)).catch((e: Error) => fatal(`${process.argv[2]}: ${e.stack ?? e.message}`, 1));
