// The logs of one devnet role: prints the container name(s), then `docker logs`.
//   npm run logs -- <role> [index|step] [--follow|-f] [--tail N] [--timestamps|-t] [--stack NAME]
// Exit code 0 when docker logs succeeded, 1 when a container is missing or docker failed, 2 on bad arguments.
import { ConfigError } from "../components/config/validate";
import { LOGS_USAGE, LogsUsageError, logTargets, parseLogsArgs, rolesHelp, runLogs } from "../ops/logs";
import { planConfig } from "../plan/run";

async function main() {
  const args = parseLogsArgs(process.argv.slice(2));
  if (args === "help") {
    let roles: string;
    try {
      const at = process.argv.indexOf("--stack");
      roles = rolesHelp(planConfig((at > 0 && process.argv[at + 1]) || process.env.KUPCAKE_STACK || "dev"));
    } catch (e) {
      roles = `(no roles listed: ${(e as Error).message})`;
    }
    console.log(`${LOGS_USAGE}\n${roles}`);
    return;
  }
  const cfg = planConfig(args.stack);
  const containers = logTargets(cfg, args.role, args.arg);
  process.exitCode = await runLogs(cfg.network, containers, args);
}

main().catch((e) => {
  if (e instanceof LogsUsageError) {
    console.error(`kupcake logs: ${e.message}\n${LOGS_USAGE.split("\n")[0]}\n(npm run logs -- --help lists the roles)`);
    process.exit(2);
  }
  console.error(e instanceof ConfigError ? e.message : `kupcake logs: ${(e as Error).message}`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
