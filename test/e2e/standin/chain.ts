/**
 * The stand-in L2 chain model, shared by op-deployer (genesis hash for rollup.json), op-reth
 * (execution) and kona-node (payloads). Deliberately simplified, deterministic execution:
 * - state = balances and nonces only (genesis alloc + plain value transfers; contract creation
 *   and calls only bump the nonce; gas fees are not charged);
 * - stateRoot = keccak256 of the sorted account list, block hash = keccak256 of the header fields
 *   and transaction hashes (not Ethereum's RLP header hash) — every stand-in computes the same.
 */
import { DecodedTx, decodeRawTx, hex, keccak } from "./tx";

export const ZERO_HASH = "0x" + "00".repeat(32);
export const ZERO_ADDR = "0x" + "00".repeat(20);
export const EMPTY_BLOOM = "0x" + "00".repeat(256);

/** The geth-style genesis.json fields the stand-ins use. */
export interface Genesis {
  config: { chainId: number; [k: string]: unknown };
  timestamp: string;
  gasLimit: string;
  extraData?: string;
  baseFeePerGas?: string;
  alloc: Record<string, { balance: string; nonce?: string; code?: string }>;
  [k: string]: unknown;
}

/** An engine-API-shaped execution payload (V3 field names; quantities as hex). */
export interface Payload {
  parentHash: string;
  feeRecipient: string;
  stateRoot: string;
  receiptsRoot: string;
  logsBloom: string;
  prevRandao: string;
  blockNumber: string;
  gasLimit: string;
  gasUsed: string;
  timestamp: string;
  extraData: string;
  baseFeePerGas: string;
  blockHash: string;
  transactions: string[];
  withdrawals: unknown[];
  blobGasUsed: string;
  excessBlobGas: string;
}

/** Balances and nonces: the whole stand-in execution state. */
export class State {
  constructor(
    readonly balances = new Map<string, bigint>(),
    readonly nonces = new Map<string, number>(),
  ) {}
  clone(): State {
    return new State(new Map(this.balances), new Map(this.nonces));
  }
  balance = (a: string) => this.balances.get(a.toLowerCase()) ?? 0n;
  nonce = (a: string) => this.nonces.get(a.toLowerCase()) ?? 0;
  /** Why `tx` cannot be applied now, or undefined if it can. */
  check(tx: DecodedTx): string | undefined {
    const n = this.nonce(tx.from);
    if (tx.nonce < n) return "nonce too low";
    if (tx.nonce > n) return "nonce too high";
    if (this.balance(tx.from) < tx.value) return "insufficient funds for gas * price + value";
    return undefined;
  }
  /** Applies a transaction that passed `check`. */
  apply(tx: DecodedTx): void {
    const from = tx.from.toLowerCase();
    this.nonces.set(from, this.nonce(from) + 1);
    if (tx.to && tx.value > 0n) {
      this.balances.set(from, this.balance(from) - tx.value);
      this.balances.set(tx.to.toLowerCase(), this.balance(tx.to) + tx.value);
    }
  }
  root(): string {
    const entries = [...new Set([...this.balances.keys(), ...this.nonces.keys()])].sort().map((a) => [a, this.balance(a).toString(), this.nonce(a)]);
    return hex(keccak(JSON.stringify(entries)));
  }
}

/** Gas a stand-in transaction uses: 21000 plus calldata (16 per non-zero byte, 4 per zero byte). */
export function txGas(tx: DecodedTx): number {
  const data = tx.input.replace(/^0x/, "");
  let g = 21_000;
  for (let i = 0; i < data.length; i += 2) g += data.slice(i, i + 2) === "00" ? 4 : 16;
  return g;
}

/** The stand-in block hash of a payload (its blockHash field is ignored). */
export function payloadHash(p: Payload): string {
  const txHashes = p.transactions.map((raw) => hex(keccak(Buffer.from(raw.replace(/^0x/, ""), "hex"))));
  return hex(
    keccak(
      JSON.stringify([p.parentHash, p.blockNumber, p.timestamp, p.feeRecipient.toLowerCase(), p.stateRoot, p.gasLimit, p.gasUsed, p.baseFeePerGas, p.extraData, p.prevRandao, txHashes]),
    ),
  );
}

/** The state a genesis.json allocates. */
export function genesisState(g: Genesis): State {
  const s = new State();
  for (const [addr, acct] of Object.entries(g.alloc ?? {})) {
    const a = (addr.startsWith("0x") ? addr : "0x" + addr).toLowerCase();
    s.balances.set(a, BigInt(acct.balance));
    if (acct.nonce) s.nonces.set(a, Number(BigInt(acct.nonce)));
  }
  return s;
}

/** Block 0 as a payload; its hash is what rollup.json's genesis.l2.hash must name. */
export function genesisPayload(g: Genesis): Payload {
  const p: Payload = {
    parentHash: ZERO_HASH,
    feeRecipient: ZERO_ADDR,
    stateRoot: genesisState(g).root(),
    receiptsRoot: ZERO_HASH,
    logsBloom: EMPTY_BLOOM,
    prevRandao: ZERO_HASH,
    blockNumber: "0x0",
    gasLimit: "0x" + BigInt(g.gasLimit).toString(16),
    gasUsed: "0x0",
    timestamp: "0x" + BigInt(g.timestamp).toString(16),
    extraData: g.extraData ?? "0x",
    baseFeePerGas: "0x" + BigInt(g.baseFeePerGas ?? "0x3b9aca00").toString(16),
    blockHash: ZERO_HASH,
    transactions: [],
    withdrawals: [],
    blobGasUsed: "0x0",
    excessBlobGas: "0x0",
  };
  p.blockHash = payloadHash(p);
  return p;
}

/** Validates a genesis document enough to run a chain on it (op-reth refuses to start otherwise). */
export function checkGenesis(doc: unknown): Genesis {
  const g = doc as Genesis;
  if (!g || typeof g !== "object") throw new Error("genesis is not a JSON object");
  if (!g.config || !Number.isSafeInteger(g.config.chainId) || g.config.chainId <= 0) throw new Error("genesis config.chainId missing or invalid");
  if (g.timestamp === undefined || g.gasLimit === undefined) throw new Error("genesis timestamp/gasLimit missing");
  if (!g.alloc || typeof g.alloc !== "object") throw new Error("genesis alloc missing");
  BigInt(g.timestamp);
  BigInt(g.gasLimit);
  return g;
}

/** Decoded transactions of a payload. */
export const payloadTxs = (p: Payload): DecodedTx[] => p.transactions.map(decodeRawTx);
