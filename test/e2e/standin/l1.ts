/**
 * Talking to the real L1 (Anvil): block polling helpers and a sender that signs legacy EIP-155
 * transactions locally with a service's `--private-key` (as the real tx managers do) and waits
 * for receipts.
 */
import { call, hexQ, num } from "./rpc";
import { addressOf, signLegacyTx } from "./tx";
import { sleep } from "./lifecycle";

export interface L1Block {
  hash: string;
  number: number;
  timestamp: number;
  parentHash: string;
  transactions: { hash: string; from: string; to: string | null; input: string }[];
}

/** An L1 block by number or tag (transactions as objects when `full`). */
export async function l1Block(url: string, tag: number | "latest" | "safe" | "finalized", full = false): Promise<L1Block | null> {
  const b = await call<Record<string, unknown> | null>(url, "eth_getBlockByNumber", [typeof tag === "number" ? hexQ(tag) : tag, full]);
  if (!b) return null;
  return {
    hash: String(b.hash),
    number: num(b.number),
    timestamp: num(b.timestamp),
    parentHash: String(b.parentHash),
    transactions: full ? (b.transactions as L1Block["transactions"]) : [],
  };
}

/** The L1 chain id. */
export const l1ChainId = async (url: string) => num(await call(url, "eth_chainId"));

export interface Receipt {
  status: string;
  blockNumber: string;
  blockHash: string;
  contractAddress: string | null;
  transactionHash: string;
}

/** Signs and sends transactions from one key, keeping its own nonce so several can be in flight. */
export class L1Sender {
  readonly address: string;
  private nonce?: number;
  private chainId?: number;
  constructor(
    readonly url: string,
    private readonly privateKey: string,
  ) {
    this.address = addressOf(privateKey);
  }

  /** Balance in wei. */
  async balance(): Promise<bigint> {
    return BigInt(await call<string>(this.url, "eth_getBalance", [this.address, "latest"]));
  }

  /** Sends one transaction; returns its hash. Re-reads the nonce after a nonce error. */
  async send(tx: { to?: string; data: string; value?: bigint; gas?: bigint }): Promise<string> {
    this.chainId ??= await l1ChainId(this.url);
    if (this.nonce === undefined) this.nonce = num(await call(this.url, "eth_getTransactionCount", [this.address, "pending"]));
    const gasPrice = BigInt(await call<string>(this.url, "eth_gasPrice")) * 2n + 1_000_000_000n;
    const gas =
      tx.gas ??
      (BigInt(await call<string>(this.url, "eth_estimateGas", [{ from: this.address, to: tx.to, data: tx.data, value: hexQ(tx.value ?? 0n) }])) * 3n) / 2n;
    const nonce = this.nonce++;
    const { raw } = signLegacyTx({ chainId: this.chainId, nonce, gasPrice, gas, to: tx.to, value: tx.value ?? 0n, data: tx.data }, this.privateKey);
    try {
      return await call<string>(this.url, "eth_sendRawTransaction", [raw]);
    } catch (e) {
      this.nonce = undefined; // resync on the next send
      throw e;
    }
  }

  /** Waits for a receipt (polling); throws after `timeoutMs`. */
  async receipt(hash: string, timeoutMs = 60_000): Promise<Receipt> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await call<Receipt | null>(this.url, "eth_getTransactionReceipt", [hash]);
      if (r) return r;
      if (Date.now() > deadline) throw new Error(`no receipt for ${hash} after ${Math.round(timeoutMs / 1000)}s`);
      await sleep(250);
    }
  }

  /** Forgets the cached nonce (after a failed or dropped transaction). */
  resync(): void {
    this.nonce = undefined;
  }
}
