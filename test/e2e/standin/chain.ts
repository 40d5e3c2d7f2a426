/**
 * The stand-in L2 chain model, shared by op-deployer (genesis hash for rollup.json), op-reth
 * (execution) and kona-node (payloads). Deliberately simplified, deterministic execution:
 * - state = balances and nonces only (genesis alloc + plain value transfers; contract creation
 *   and calls only bump the nonce; gas fees are not charged);
 * - stateRoot = keccak256 of the sorted account list; transactionsRoot = receiptsRoot = keccak256 of
 *   the transaction hashes (`txCommitment`, not a trie root); block hash = Ethereum's header hash
 *   (keccak256 of the RLP header) of the header op-reth's stand-in serves — the real op-conductor
 *   recomputes it from eth_getBlockByNumber and compares it with the payloads in its Raft log.
 */
import { intBytes, rlpEncode } from "./rlp";
import { DecodedTx, decodeRawTx, hex, keccak, unhex } from "./tx";

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

export const EMPTY_UNCLES_HASH = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";
export const EMPTY_TRIE_ROOT = "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421";

/** The stand-in's commitment to a block's transactions: keccak256 of their hashes, ZERO_HASH for none. */
export function txCommitment(transactions: string[]): string {
  if (transactions.length === 0) return ZERO_HASH;
  return hex(keccak(Buffer.concat(transactions.map((raw) => keccak(unhex(raw))))));
}

/**
 * The block hash of a payload (its blockHash field is ignored): keccak256 of the RLP of the
 * header op-reth's stand-in serves for it (opReth.ts blockJson: transactionsRoot = receiptsRoot,
 * empty uncles, zero difficulty and nonce, empty withdrawals root, zero parent beacon root, no
 * requests hash), in geth's field order. The transactions enter through receiptsRoot, which
 * ChainStore requires to be their `txCommitment`.
 */
export function payloadHash(p: Payload): string {
  const b = (h: string) => unhex(h);
  const q = (h: string) => intBytes(BigInt(h));
  const header = [
    b(p.parentHash), b(EMPTY_UNCLES_HASH), b(p.feeRecipient), b(p.stateRoot), b(p.receiptsRoot), b(p.receiptsRoot), b(p.logsBloom),
    intBytes(0), q(p.blockNumber), q(p.gasLimit), q(p.gasUsed), q(p.timestamp), b(p.extraData), b(p.prevRandao), new Uint8Array(8),
    q(p.baseFeePerGas), b(EMPTY_TRIE_ROOT), q(p.blobGasUsed ?? "0x0"), q(p.excessBlobGas ?? "0x0"), b(ZERO_HASH),
  ];
  return hex(keccak(rlpEncode(header)));
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
