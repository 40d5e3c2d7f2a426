// The devnet at a glance: per node its heads, peers, lag and conductor state.
//   npm run status [-- --stack NAME] [--json]
// Exit code 0 when healthy, 1 when not (the reasons are printed), 2 on bad arguments.
import { ConfigError } from "../components/config/validate";
import { loadEndpoints } from "../ops/endpoints";
import { collectStatus, statusTable } from "../ops/status";

async function main() {
  const argv = process.argv.slice(2);
  let stack = "dev";
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--stack" && argv[i + 1]) stack = argv[++i];
    else if (argv[i] === "--json") json = true;
    else {
      console.error(`unknown argument ${argv[i]}\nusage: npm run status -- [--stack NAME] [--json]`);
      process.exit(2);
    }
  }
  const status = await collectStatus(await loadEndpoints(stack));
  console.log(json ? JSON.stringify(status, null, 2) : statusTable(status));
  process.exit(status.problems.length ? 1 : 0);
}

main().catch((e) => {
  console.error(e instanceof ConfigError ? e.message : `kupcake: ${(e as Error).message}`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
