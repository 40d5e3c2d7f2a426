import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { promisify } from "node:util";
import { before, describe, it } from "node:test";
import { getAddress, parseEther } from "viem";
import { DEV_ACCOUNTS, DEV_ACCOUNT_GENESIS_ETH, FAUCET, FREE_ACCOUNTS } from "../components/accounts";
import { hexToNumber } from "../components/dynamic/rpc";
import { endpointsFromConfig } from "../ops/endpoints";
import { UsageError, fund, fundEndpoint, parseAddress, parseEthAmount, parseFundArgs } from "../ops/fund";
import { planConfig } from "../plan/run";
import { L1, call, l1Command } from "./helpers/l1Process";
import { ROOT } from "./helpers/plan";

const CHECKSUMMED = "0x71bE63f3384f5fb98995898A86B02Fb2426c5788";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
/** Runs `npm run fund -- <args>` the way a user does (node + tsx directly, same script). */
async function fundCli(args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "fund.ts"), ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
const noStack = (r: Run) => assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
const usage = (f: () => unknown, re: RegExp) => assert.throws(f, (e: Error) => e instanceof UsageError && re.test(e.message));
const freshAddress = () => getAddress("0x" + randomBytes(20).toString("hex"));

describe("fund: arguments", () => {
  it("addresses: 20 bytes of hex; mixed case must be a valid EIP-55 checksum", () => {
    assert.equal(parseAddress(CHECKSUMMED), CHECKSUMMED);
    assert.equal(parseAddress(CHECKSUMMED.toLowerCase()), CHECKSUMMED, "lower case skips the check and comes back checksummed");
    assert.equal(parseAddress("0x" + CHECKSUMMED.slice(2).toUpperCase()), CHECKSUMMED, "so does upper case");
    usage(() => parseAddress(CHECKSUMMED.replace("bE", "Be")), /fails its EIP-55 checksum.*Fix: copy the address again/);
    usage(() => parseAddress("0xdead"), /has 4 hex digits \(2 bytes\); an address has 40 \(20 bytes\)/);
    usage(() => parseAddress(CHECKSUMMED + "00"), /has 42 hex digits/);
    usage(() => parseAddress("0x71bE63f3384f5fb98995898A86B02Fb2426c578g"), /is not hex/);
    usage(() => parseAddress(CHECKSUMMED.slice(2)), /does not start with 0x/);
  });

  it("amounts: decimal ETH, at most 18 decimals, more than zero; wei inside", () => {
    assert.equal(parseEthAmount("10"), 10n * 10n ** 18n);
    assert.equal(parseEthAmount("0.5"), 5n * 10n ** 17n);
    assert.equal(parseEthAmount("0.000000000000000001"), 1n);
    assert.equal(parseEthAmount("1.000000000000000001"), 10n ** 18n + 1n);
    usage(() => parseEthAmount("0.0000000000000000001"), /has 19 decimals; ETH has 18/);
    usage(() => parseEthAmount("0"), /is zero/);
    usage(() => parseEthAmount("0.000"), /is zero/);
    for (const bad of ["1e3", "-1", "+1", "1.", ".5", "ten", "1 ETH", "0x10", ""]) usage(() => parseEthAmount(bad), /is not a decimal number of ETH/);
  });

  it("flags: layer (default L2), stack, rpc, from (free accounts only), timeout; clear errors", () => {
    const d = parseFundArgs([CHECKSUMMED]);
    assert.ok(d !== "help");
    assert.deepEqual(d, { to: CHECKSUMMED, amountWei: 10n * 10n ** 18n, layer: "l2", stack: "dev", from: FAUCET, timeoutMs: 60_000 });
    const e = parseFundArgs([CHECKSUMMED.toLowerCase(), "2.5", "--l1", "--stack", "multi-sequencer", "--rpc", "http://127.0.0.1:1234", "--from", "12", "--timeout", "5"]);
    assert.ok(e !== "help");
    assert.deepEqual(e, { to: CHECKSUMMED, amountWei: parseEther("2.5"), layer: "l1", stack: "multi-sequencer", rpc: "http://127.0.0.1:1234", from: DEV_ACCOUNTS[12], timeoutMs: 5000 });
    assert.equal(parseFundArgs(["--help"]), "help");
    assert.equal(parseFundArgs([CHECKSUMMED, "-h"]), "help");
    usage(() => parseFundArgs([]), /missing <address>/);
    usage(() => parseFundArgs([CHECKSUMMED, "1", "2"]), /too many arguments: 2/);
    usage(() => parseFundArgs([CHECKSUMMED, "--l1", "--l2"]), /--l1 and --l2 both given/);
    usage(() => parseFundArgs([CHECKSUMMED, "--stack"]), /--stack needs a value/);
    usage(() => parseFundArgs([CHECKSUMMED, "--rpc", "localhost:8545"]), /--rpc "localhost:8545" is not an http\(s\) URL/);
    usage(() => parseFundArgs([CHECKSUMMED, "--from", "7"]), /--from 7 is the batcher role's key: sending from it would fight the devnet's own nonces\. Fix: use a free dev account \(11\.\.28 or 29\)/);
    usage(() => parseFundArgs([CHECKSUMMED, "--from", "30"]), /--from "30" is not a funded dev account index \(0\.\.29\)/);
    usage(() => parseFundArgs([CHECKSUMMED, "--timeout", "0"]), /--timeout "0" is not a number of seconds in 1\.\.3600/);
    usage(() => parseFundArgs([CHECKSUMMED, "--fast"]), /unknown option --fast/);
  });

  it("endpoints: L1 is the stack's Anvil port; L2 is the op-reth of the sequencer whose kona-node is active", async () => {
    const e = endpointsFromConfig(planConfig("dev"));
    assert.deepEqual(await fundEndpoint("l1", e), { rpc: "http://127.0.0.1:8545", where: "L1 of kup-dev (http://127.0.0.1:8545)" });
    const asked: string[] = [];
    const active2 = async <T>(url: string, method: string): Promise<T> => {
      asked.push(`${method} ${url}`);
      if (url.endsWith(":7645")) return true as T; // sequencer 2's kona-node RPC
      if (url.endsWith(":7545")) return false as T;
      throw new Error("no answer");
    };
    const l2 = await fundEndpoint("l2", e, active2);
    assert.equal(l2.rpc, "http://127.0.0.1:9645", "sequencer 2's op-reth (9545 + 100)");
    assert.match(l2.where, /active sequencer 2/);
    assert.deepEqual(asked.sort(), ["admin_sequencerActive http://127.0.0.1:7545", "admin_sequencerActive http://127.0.0.1:7645"]);
    const none = async <T>(url: string): Promise<T> => {
      if (url.endsWith(":7545")) return false as T;
      throw new Error("admin_sequencerActive on http://127.0.0.1:7645 failed: no answer (ECONNREFUSED)");
    };
    await assert.rejects(fundEndpoint("l2", e, none), /no active sequencer found[\s\S]*sequencer 1 \(http:\/\/127\.0\.0\.1:7545\): false[\s\S]*sequencer 2 .*ECONNREFUSED[\s\S]*npm run status/);
  });

  it("the command line: --help exits 0, usage errors exit 2 with the message and no stack trace", async () => {
    const help = await fundCli(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: npm run fund -- <address> \[amount-in-ETH\] \[--l1\|--l2\]/);
    assert.match(help.stdout, new RegExp(`from dev account ${FAUCET.index} \\(${FAUCET.address}\\)`));
    const cases: [string[], RegExp][] = [
      [[], /kupcake fund: missing <address>/],
      [[CHECKSUMMED.replace("bE", "Be")], /fails its EIP-55 checksum/],
      [[CHECKSUMMED, "1e18"], /amount "1e18" is not a decimal number of ETH/],
      [[CHECKSUMMED, "--stack", "no-such-stack"], /no stack file .*Pulumi\.no-such-stack\.yaml/],
    ];
    for (const [args, re] of cases) {
      const r = await fundCli(args);
      assert.equal(r.code, 2, `${args.join(" ")}: exit 2 (${r.stderr})`);
      assert.match(r.stderr, re);
      noStack(r);
    }
  });
});

describe("fund: against the real Anvil running the L1 container's start command", () => {
  const CHAIN_ID = 4343;
  let l1: L1;
  before(async () => {
    l1 = await L1.create("fund", await l1Command(2, CHAIN_ID));
    await l1.start();
  });

  it(`every dev account starts with ${DEV_ACCOUNT_GENESIS_ETH} ETH on L1`, async () => {
    for (const a of DEV_ACCOUNTS) {
      assert.equal(BigInt(await call<string>(l1.url, "eth_getBalance", [a.address, "latest"])), parseEther(DEV_ACCOUNT_GENESIS_ETH), `account ${a.index}`);
    }
  });

  it("`npm run fund -- <address> 1.25 --l1 --rpc URL` sends a signed EIP-1559 transfer from the faucet, waits for it, prints hash and balance", async () => {
    const to = freshAddress();
    const r = await fundCli([to, "1.25", "--l1", "--rpc", l1.url]);
    assert.equal(r.code, 0, r.stderr);
    const hash = /tx (0x[0-9a-f]{64}) included in block (\d+) \(chain 4343\)/.exec(r.stdout);
    assert.ok(hash, r.stdout);
    assert.match(r.stdout, new RegExp(`^funding ${to} with 1\\.25 ETH on ${l1.url} from dev account ${FAUCET.index} \\(${FAUCET.address}\\)`));
    assert.match(r.stdout, new RegExp(`balance of ${to}: 1\\.25 ETH\\n$`));
    assert.equal(BigInt(await call<string>(l1.url, "eth_getBalance", [to, "latest"])), parseEther("1.25"));
    const tx = await call<{ from: string; to: string; value: string; type: string; chainId: string; blockNumber: string }>(l1.url, "eth_getTransactionByHash", [hash[1]]);
    assert.equal(getAddress(tx.from), FAUCET.address);
    assert.equal(getAddress(tx.to), to);
    assert.equal(BigInt(tx.value), parseEther("1.25"));
    assert.equal(tx.type, "0x2");
    assert.equal(hexToNumber(tx.chainId), CHAIN_ID);
    assert.equal(hexToNumber(tx.blockNumber), Number(hash[2]));
  });

  it("back-to-back fundings from another free account use consecutive nonces and add up", async () => {
    const to = freshAddress();
    const from = FREE_ACCOUNTS[1];
    const nonce0 = hexToNumber(await call<string>(l1.url, "eth_getTransactionCount", [from.address, "latest"]));
    const a = await fund({ rpc: l1.url, from, to, amountWei: 1n });
    const b = await fund({ rpc: l1.url, from, to, amountWei: parseEther("0.5") });
    assert.equal(a.balanceWei, 1n);
    assert.equal(b.balanceWei, parseEther("0.5") + 1n);
    assert.equal(b.chainId, CHAIN_ID);
    assert.notEqual(a.txHash, b.txHash);
    assert.equal(hexToNumber(await call<string>(l1.url, "eth_getTransactionCount", [from.address, "latest"])), nonce0 + 2);
  });

  it("more than the faucet holds: exit 1 before sending, naming the balance; nothing sent", async () => {
    const to = freshAddress();
    const nonce0 = await call<string>(l1.url, "eth_getTransactionCount", [FAUCET.address, "pending"]);
    const r = await fundCli([to, "20000", "--rpc", l1.url]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /kupcake fund: dev account 29 \(0x9DCCe783B6464611f38631e6C851bf441907c710\) holds [\d.]+ ETH on chain 4343, less than 20000 ETH plus fees\. Fix: send less/);
    noStack(r);
    assert.equal(await call<string>(l1.url, "eth_getTransactionCount", [FAUCET.address, "pending"]), nonce0);
    assert.equal(BigInt(await call<string>(l1.url, "eth_getBalance", [to, "latest"])), 0n);
  });

  it("an RPC that does not answer: exit 1 naming the URL and the fix, no stack trace", async () => {
    const r = await fundCli([freshAddress(), "--rpc", "http://127.0.0.1:1"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /eth_chainId on http:\/\/127\.0\.0\.1:1 failed: no answer[\s\S]*Fix: is the devnet up \(`npm run status`\)\?/);
    noStack(r);
  });
});
