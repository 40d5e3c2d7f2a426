// Funds any address on L1 or L2 from the devnet's faucet dev account and waits for the receipt.
//   npm run fund -- <address> [amount-in-ETH] [--l1|--l2] [--stack NAME] [--rpc URL] [--from INDEX]
// Exit code 0 when funded, 1 when the chain refused or did not answer, 2 on bad arguments.
import { ConfigError } from "../components/config/validate";
import { RpcError } from "../components/dynamic/rpc";
import { loadEndpoints } from "../ops/endpoints";
import { FUND_USAGE, UsageError, ethText, fund, fundEndpoint, parseFundArgs } from "../ops/fund";

async function main() {
  const args = parseFundArgs(process.argv.slice(2));
  if (args === "help") {
    console.log(FUND_USAGE);
    return;
  }
  const { rpc, where } = args.rpc ? { rpc: args.rpc, where: args.rpc } : await fundEndpoint(args.layer, await loadEndpoints(args.stack));
  console.log(`funding ${args.to} with ${ethText(args.amountWei)} on ${where} from dev account ${args.from.index} (${args.from.address})`);
  const r = await fund({ rpc, from: args.from, to: args.to, amountWei: args.amountWei, timeoutMs: args.timeoutMs });
  console.log(`tx ${r.txHash} included in block ${r.blockNumber} (chain ${r.chainId})`);
  console.log(`balance of ${r.to}: ${ethText(r.balanceWei)}`);
}

main().catch((e) => {
  if (e instanceof UsageError) {
    console.error(`kupcake fund: ${e.message}\n${FUND_USAGE.split("\n")[0]}\n(npm run fund -- --help for the options)`);
    process.exit(2);
  }
  const hint = e instanceof RpcError && e.answer.startsWith("no answer") ? "\n  Fix: is the devnet up (`npm run status`)? Or check the URL given with --rpc." : "";
  console.error(e instanceof ConfigError ? e.message : `kupcake fund: ${(e as Error).message}${hint}`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
