/**
 * `npm run fund`: sends ETH on L1 or L2 from the devnet's faucet account (a funded dev account no
 * service uses, see components/accounts.ts) to any address, as a signed EIP-1559 transaction
 * (viem signs locally; the node only sees `eth_sendRawTransaction`), then waits for the receipt.
 * Amounts are ETH as decimal strings at the edges and wei (bigint) inside.
 */
import { formatEther, getAddress, isAddress, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { DEV_ACCOUNTS, DRILL_PROBE, DevAccount, FAUCET, FREE_ACCOUNTS, ROLES, RoleName } from "../components/accounts";
import { hexToNumber, rpcCall, sleep } from "../components/dynamic/rpc";
import { DevnetEndpoints, NodeEndpoint } from "./endpoints";

/** A mistake in the command line: the CLI prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Default amount in ETH. */
export const DEFAULT_FUND_ETH = "10";

export const FUND_USAGE =
  "usage: npm run fund -- <address> [amount-in-ETH] [--l1|--l2] [--stack NAME] [--rpc URL] [--from INDEX] [--timeout SECONDS]\n" +
  `  Sends ETH (default ${DEFAULT_FUND_ETH}) from dev account ${FAUCET.index} (${FAUCET.address}) to <address> on L2 (default) or L1,\n` +
  "  waits for the receipt and prints the transaction hash and the new balance.\n" +
  "  --l1 / --l2      the layer (default --l2: the active sequencer's op-reth RPC)\n" +
  "  --stack NAME     the stack whose published RPC ports to use (default dev)\n" +
  "  --rpc URL        send to this JSON-RPC URL instead of the stack's (any chain)\n" +
  `  --from INDEX     send from another free dev account (${FREE_ACCOUNTS[0].index}..${DRILL_PROBE.index} or ${FAUCET.index}); role keys are refused\n` +
  "  --timeout SEC    how long to wait for the receipt (default 60)";

/** The parsed command line of `npm run fund`. */
export interface FundArgs {
  /** Recipient, EIP-55 checksummed. */
  to: string;
  /** Amount in wei. */
  amountWei: bigint;
  layer: "l1" | "l2";
  stack: string;
  /** Explicit JSON-RPC URL; when set the stack is not consulted. */
  rpc?: string;
  /** The sender: the faucet unless `--from` picks another free dev account. */
  from: DevAccount;
  /** Receipt wait budget in milliseconds. */
  timeoutMs: number;
}

/**
 * Validates a recipient: `0x` and 40 hex digits (20 bytes). Mixed case must be a valid EIP-55
 * checksum (all lower or all upper case skips the check, as everywhere in Ethereum).
 * Returns the checksummed address; throws UsageError naming the value and the fix.
 */
export function parseAddress(text: string): string {
  if (!text.startsWith("0x")) {
    throw new UsageError(`address ${JSON.stringify(text)} does not start with 0x: an address is 0x followed by 40 hex digits (20 bytes). Fix: pass e.g. 0x71bE63f3384f5fb98995898A86B02Fb2426c5788.`);
  }
  if (!/^0x[0-9a-fA-F]*$/.test(text)) {
    throw new UsageError(`address ${JSON.stringify(text)} is not hex: an address is 0x followed by 40 hex digits (20 bytes). Fix: pass e.g. 0x71bE63f3384f5fb98995898A86B02Fb2426c5788.`);
  }
  const digits = text.length - 2;
  if (digits !== 40) {
    const bytes = digits % 2 === 0 ? ` (${digits / 2} bytes)` : "";
    throw new UsageError(`address ${text} has ${digits} hex digits${bytes}; an address has 40 (20 bytes). Fix: copy the whole address.`);
  }
  const hexDigits = text.slice(2);
  const oneCase = hexDigits === hexDigits.toLowerCase() || hexDigits === hexDigits.toUpperCase();
  if (!oneCase && !isAddress(text, { strict: true })) {
    throw new UsageError(`address ${text} fails its EIP-55 checksum (its mixed upper/lower case does not match): a typo? Fix: copy the address again, or write it all in lower case to skip the check.`);
  }
  return getAddress(text.toLowerCase());
}

/**
 * Parses an amount of ETH given as a decimal string ("10", "0.5", "1.000000000000000001") into wei.
 * At most 18 decimals, more than 0, no exponent or sign. Throws UsageError naming the value.
 */
export function parseEthAmount(text: string): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new UsageError(`amount ${JSON.stringify(text)} is not a decimal number of ETH. Fix: write e.g. 10 or 0.5 (no sign, no exponent, no unit).`);
  if ((m[2] ?? "").length > 18) throw new UsageError(`amount ${text} has ${m[2].length} decimals; ETH has 18 (1 wei = 0.000000000000000001 ETH). Fix: round it to 18 decimals.`);
  const wei = parseEther(text);
  if (wei === 0n) throw new UsageError(`amount ${text} is zero. Fix: give a positive amount of ETH, e.g. 10.`);
  return wei;
}

/** Resolves `--from INDEX` to a free dev account; role keys are refused (their services' nonces). */
export function fundingAccount(text: string): DevAccount {
  const index = /^\d+$/.test(text) ? Number(text) : NaN;
  const allowed = [...FREE_ACCOUNTS, DRILL_PROBE, FAUCET];
  const found = allowed.find((a) => a.index === index);
  if (found) return found;
  const role = (Object.keys(ROLES) as RoleName[]).find((r) => ROLES[r].index === index);
  const range = `${FREE_ACCOUNTS[0].index}..${DRILL_PROBE.index} or ${FAUCET.index}`;
  if (role) throw new UsageError(`--from ${text} is the ${role} role's key: sending from it would fight the devnet's own nonces. Fix: use a free dev account (${range}).`);
  throw new UsageError(`--from ${JSON.stringify(text)} is not a funded dev account index (0..${DEV_ACCOUNTS.length - 1}). Fix: use a free one (${range}).`);
}

/**
 * Parses `npm run fund` arguments. Returns `"help"` for `--help`/`-h`; throws UsageError (exit 2)
 * on anything else that is wrong, naming the argument, the value and the fix.
 */
export function parseFundArgs(argv: string[]): FundArgs | "help" {
  const positional: string[] = [];
  let layer: "l1" | "l2" | undefined;
  let stack = "dev";
  let rpc: string | undefined;
  let from = FAUCET;
  let timeoutMs = 60_000;
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value. Fix: e.g. ${flag} ${flag === "--stack" ? "dev" : flag === "--rpc" ? "http://127.0.0.1:8545" : flag === "--from" ? String(FREE_ACCOUNTS[0].index) : "120"}.`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") return "help";
    if (a === "--l1" || a === "--l2") {
      const l = a === "--l1" ? "l1" : "l2";
      if (layer && layer !== l) throw new UsageError("--l1 and --l2 both given. Fix: pick one layer.");
      layer = l;
    } else if (a === "--stack") stack = value(i++, a);
    else if (a === "--rpc") {
      rpc = value(i++, a);
      if (!/^https?:\/\/\S+$/.test(rpc)) throw new UsageError(`--rpc ${JSON.stringify(rpc)} is not an http(s) URL. Fix: e.g. --rpc http://127.0.0.1:8545.`);
    } else if (a === "--from") from = fundingAccount(value(i++, a));
    else if (a === "--timeout") {
      const t = value(i++, a);
      if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 3600) throw new UsageError(`--timeout ${JSON.stringify(t)} is not a number of seconds in 1..3600. Fix: e.g. --timeout 120.`);
      timeoutMs = Number(t) * 1000;
    } else if (a.startsWith("-") && !/^-\d/.test(a)) throw new UsageError(`unknown option ${a}.`);
    else positional.push(a);
  }
  if (positional.length === 0) throw new UsageError("missing <address>: whom to fund.");
  if (positional.length > 2) throw new UsageError(`too many arguments: ${positional.slice(2).join(" ")} (expected <address> [amount]).`);
  return {
    to: parseAddress(positional[0]),
    amountWei: parseEthAmount(positional[1] ?? DEFAULT_FUND_ETH),
    layer: layer ?? "l2",
    stack,
    ...(rpc ? { rpc } : {}),
    from,
    timeoutMs,
  };
}

/** A JSON-RPC caller (`rpcCall` in production; tests may pass their own). */
export type RpcCaller = <T>(url: string, method: string, params?: unknown[]) => Promise<T>;
const defaultCall: RpcCaller = (url, method, params = []) => rpcCall(url, method, params);

/**
 * The L2 RPC to send to: the op-reth of the sequencer whose kona-node reports
 * `admin_sequencerActive` (the one that builds blocks now). Throws when none does.
 */
export async function activeSequencerRpc(sequencers: NodeEndpoint[], call: RpcCaller = defaultCall): Promise<NodeEndpoint> {
  const answers = await Promise.all(
    sequencers.map((s) => call<boolean>(s.kona, "admin_sequencerActive").then((active) => ({ s, active: active === true, note: String(active) }), (e: Error) => ({ s, active: false, note: e.message }))),
  );
  const active = answers.filter((a) => a.active);
  if (active.length >= 1) return active[0].s;
  throw new Error(
    `no active sequencer found, so there is no L2 RPC to send to:\n${answers.map((a) => `    sequencer ${a.s.index} (${a.s.kona}): ${a.note}`).join("\n")}\n  Fix: check the devnet with \`npm run status\`, or pass --rpc URL.`,
  );
}

/**
 * Where `npm run fund` sends: on L1 the stack's Anvil RPC, on L2 the op-reth RPC of the active
 * sequencer. `where` describes it for people.
 */
export async function fundEndpoint(layer: "l1" | "l2", e: DevnetEndpoints, call: RpcCaller = defaultCall): Promise<{ rpc: string; where: string }> {
  if (layer === "l1") return { rpc: e.l1Rpc, where: `L1 of ${e.network} (${e.l1Rpc})` };
  const seq = await activeSequencerRpc(e.sequencers, call);
  return { rpc: seq.rpc, where: `L2 of ${e.network} (${seq.rpc}, op-reth of active sequencer ${seq.index})` };
}

/** What a successful funding did. Amounts in wei. */
export interface FundResult {
  rpc: string;
  chainId: number;
  from: string;
  to: string;
  amountWei: bigint;
  txHash: string;
  blockNumber: number;
  /** The recipient's balance at the receipt's block, in wei. */
  balanceWei: bigint;
}

interface Receipt {
  status: string;
  blockNumber: string;
  transactionHash: string;
}

/**
 * Sends `amountWei` from `from` to `to` on the chain behind `rpc`: nonce from the pending state,
 * gas from `eth_estimateGas`, fee = 2 x base fee + priority fee, signed locally as EIP-1559.
 * Waits up to `timeoutMs` (default 60 s) for the receipt; throws when the sender cannot pay, the
 * node rejects the transaction, it reverts, or no receipt arrives in time.
 */
export async function fund(
  a: { rpc: string; from: DevAccount; to: string; amountWei: bigint; timeoutMs?: number; pollMs?: number },
  call: RpcCaller = defaultCall,
): Promise<FundResult> {
  const signer = privateKeyToAccount(a.from.privateKey as `0x${string}`);
  const chainId = hexToNumber(await call<string>(a.rpc, "eth_chainId"));
  const [nonceHex, balanceHex, latest, tipHex, gasHex] = await Promise.all([
    call<string>(a.rpc, "eth_getTransactionCount", [signer.address, "pending"]),
    call<string>(a.rpc, "eth_getBalance", [signer.address, "latest"]),
    call<{ baseFeePerGas?: string }>(a.rpc, "eth_getBlockByNumber", ["latest", false]),
    call<string>(a.rpc, "eth_maxPriorityFeePerGas").catch(() => "0x3b9aca00"), // 1 gwei when the node has no opinion
    call<string>(a.rpc, "eth_estimateGas", [{ from: signer.address, to: a.to, value: toHex(a.amountWei) }]),
  ]);
  const baseFee = BigInt(latest?.baseFeePerGas ?? "0x0");
  const maxPriorityFeePerGas = BigInt(tipHex);
  const maxFeePerGas = 2n * baseFee + maxPriorityFeePerGas;
  const gas = BigInt(gasHex);
  const cost = a.amountWei + gas * maxFeePerGas;
  if (BigInt(balanceHex) < cost) {
    throw new Error(
      `dev account ${a.from.index} (${signer.address}) holds ${formatEther(BigInt(balanceHex))} ETH on chain ${chainId}, less than ${formatEther(a.amountWei)} ETH plus fees. Fix: send less, or pick another free account with --from.`,
    );
  }
  const raw = await signer.signTransaction({
    type: "eip1559",
    chainId,
    nonce: Number(BigInt(nonceHex)),
    to: a.to as `0x${string}`,
    value: a.amountWei,
    gas,
    maxFeePerGas,
    maxPriorityFeePerGas,
  });
  const txHash = await call<string>(a.rpc, "eth_sendRawTransaction", [raw]);
  const deadline = Date.now() + (a.timeoutMs ?? 60_000);
  let receipt: Receipt | null = null;
  while (!receipt) {
    receipt = await call<Receipt | null>(a.rpc, "eth_getTransactionReceipt", [txHash]);
    if (receipt) break;
    if (Date.now() > deadline) {
      throw new Error(`transaction ${txHash} sent to ${a.rpc} has no receipt after ${Math.round((a.timeoutMs ?? 60_000) / 1000)} s (is the chain producing blocks? \`npm run status\`). It may still be included later.`);
    }
    await sleep(a.pollMs ?? 500);
  }
  if (receipt.status !== "0x1") throw new Error(`transaction ${txHash} reverted in block ${hexToNumber(receipt.blockNumber)} (status ${receipt.status}); ${a.to} may be a contract that refuses ETH.`);
  const balanceWei = BigInt(await call<string>(a.rpc, "eth_getBalance", [a.to, receipt.blockNumber]));
  return { rpc: a.rpc, chainId, from: signer.address, to: a.to, amountWei: a.amountWei, txHash, blockNumber: hexToNumber(receipt.blockNumber), balanceWei };
}

const toHex = (n: bigint) => "0x" + n.toString(16);

/** Wei as ETH for people: "1.5 ETH". */
export const ethText = (wei: bigint) => `${formatEther(wei)} ETH`;
