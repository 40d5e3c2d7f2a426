/**
 * op-reth's chain database: every block it has accepted (by hash), the canonical chain from the
 * forkchoice head, the safe/finalized labels, and account state. Persisted under `--datadir` as
 * an append-only `blocks.jsonl` plus `forkchoice.json`, so a restarted container keeps its chain.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Genesis, genesisPayload, genesisState, Payload, payloadHash, payloadTxs, State, txCommitment, txGas, ZERO_HASH, EMPTY_BLOOM } from "./chain";
import { DecodedTx } from "./tx";

export interface StoredBlock {
  payload: Payload;
  number: number;
  txs: DecodedTx[];
}

export type PayloadStatus = { status: "VALID" | "INVALID" | "SYNCING"; latestValidHash: string | null; validationError: string | null };

/** Attributes for building a block on top of the head (the stand-in engine_forkchoiceUpdatedV3 payloadAttributes). */
export interface BuildAttrs {
  timestamp: number;
  suggestedFeeRecipient?: string;
  prevRandao?: string;
  gasLimit?: number;
  noTxPool?: boolean;
}

const STATE_CACHE = 512;

export class ChainStore {
  readonly blocks = new Map<string, StoredBlock>();
  /** Canonical hashes by number. */
  canonical: string[] = [];
  head: string;
  safe: string;
  finalized: string;
  readonly genesis: Payload;
  private readonly states = new Map<string, State>();
  private readonly txIndex = new Map<string, { blockHash: string; index: number }>();
  private readonly dir: string;

  constructor(datadir: string, readonly genesisDoc: Genesis) {
    this.dir = join(datadir, "standin-op-reth");
    mkdirSync(this.dir, { recursive: true });
    this.genesis = genesisPayload(genesisDoc);
    const g = this.genesis.blockHash;
    this.blocks.set(g, { payload: this.genesis, number: 0, txs: [] });
    this.states.set(g, genesisState(genesisDoc));
    this.head = this.safe = this.finalized = g;
    this.canonical = [g];
    this.load();
  }

  private get blocksFile() {
    return join(this.dir, "blocks.jsonl");
  }
  private get fcFile() {
    return join(this.dir, "forkchoice.json");
  }

  private load(): void {
    const marker = join(this.dir, "genesis-hash");
    if (existsSync(marker) && readFileSync(marker, "utf8").trim() !== this.genesis.blockHash)
      throw new Error(`datadir ${this.dir} holds a chain for another genesis (${readFileSync(marker, "utf8").trim()})`);
    writeFileSync(marker, this.genesis.blockHash);
    if (existsSync(this.blocksFile)) {
      for (const line of readFileSync(this.blocksFile, "utf8").split("\n")) {
        if (!line.trim()) continue;
        try {
          const p = JSON.parse(line) as Payload;
          this.blocks.set(p.blockHash, { payload: p, number: Number(BigInt(p.blockNumber)), txs: payloadTxs(p) });
        } catch {
          // a torn last line after a kill: ignore it
        }
      }
    }
    if (existsSync(this.fcFile)) {
      const fc = JSON.parse(readFileSync(this.fcFile, "utf8")) as { head: string; safe: string; finalized: string };
      if (this.blocks.has(fc.head)) this.setCanonical(fc.head);
      if (this.blocks.has(fc.safe)) this.safe = fc.safe;
      if (this.blocks.has(fc.finalized)) this.finalized = fc.finalized;
    }
  }

  private saveForkchoice(): void {
    writeFileSync(this.fcFile + ".tmp", JSON.stringify({ head: this.head, safe: this.safe, finalized: this.finalized }));
    renameSync(this.fcFile + ".tmp", this.fcFile);
  }

  headBlock(): StoredBlock {
    return this.blocks.get(this.head)!;
  }
  byNumber(n: number): StoredBlock | undefined {
    const h = this.canonical[n];
    return h ? this.blocks.get(h) : undefined;
  }
  /** A block by number or tag on the canonical chain. */
  byTag(tag: string): StoredBlock | undefined {
    if (tag === "latest" || tag === "pending") return this.headBlock();
    if (tag === "earliest") return this.byNumber(0);
    if (tag === "safe") return this.blocks.get(this.safe);
    if (tag === "finalized") return this.blocks.get(this.finalized);
    return this.byNumber(Number(BigInt(tag)));
  }
  txLocation(hash: string) {
    return this.txIndex.get(hash.toLowerCase());
  }

  /** The state after block `hash` (replaying from the nearest cached ancestor). */
  stateAt(hash: string): State {
    const cached = this.states.get(hash);
    if (cached) return cached;
    const path: StoredBlock[] = [];
    let h = hash;
    let base: State | undefined;
    while (!(base = this.states.get(h))) {
      const b = this.blocks.get(h);
      if (!b) throw new Error(`unknown block ${h}`);
      path.push(b);
      h = b.payload.parentHash;
    }
    const s = base.clone();
    for (const b of path.reverse()) for (const tx of b.txs) if (!s.check(tx)) s.apply(tx);
    this.cacheState(hash, s);
    return s;
  }
  private cacheState(hash: string, s: State) {
    this.states.set(hash, s);
    if (this.states.size > STATE_CACHE) {
      const oldest = this.states.keys().next().value as string;
      if (oldest !== this.genesis.blockHash) this.states.delete(oldest);
    }
  }

  /** The stand-in engine_newPayload: validates and stores a block (does not move the head). */
  insert(p: Payload): PayloadStatus {
    const invalid = (why: string): PayloadStatus => ({ status: "INVALID", latestValidHash: null, validationError: why });
    if (p.receiptsRoot !== txCommitment(p.transactions)) return invalid(`receipts root ${p.receiptsRoot} does not commit to the payload's transactions`);
    if (payloadHash(p) !== p.blockHash) return invalid(`block hash mismatch: computed ${payloadHash(p)}, payload says ${p.blockHash}`);
    if (this.blocks.has(p.blockHash)) return { status: "VALID", latestValidHash: p.blockHash, validationError: null };
    const parent = this.blocks.get(p.parentHash);
    if (!parent) return { status: "SYNCING", latestValidHash: null, validationError: null };
    const number = Number(BigInt(p.blockNumber));
    if (number !== parent.number + 1) return invalid(`block number ${number} does not follow parent ${parent.number}`);
    if (BigInt(p.timestamp) <= BigInt(parent.payload.timestamp)) return invalid("timestamp not after parent");
    let txs: DecodedTx[];
    try {
      txs = payloadTxs(p);
    } catch (e) {
      return invalid(`undecodable transaction: ${(e as Error).message}`);
    }
    const s = this.stateAt(p.parentHash).clone();
    for (const tx of txs) {
      const why = s.check(tx);
      if (why) return invalid(`transaction ${tx.hash}: ${why}`);
      s.apply(tx);
    }
    if (s.root() !== p.stateRoot) return invalid(`state root mismatch: computed ${s.root()}, payload says ${p.stateRoot}`);
    this.blocks.set(p.blockHash, { payload: p, number, txs });
    this.cacheState(p.blockHash, s);
    appendFileSync(this.blocksFile, JSON.stringify(p) + "\n");
    return { status: "VALID", latestValidHash: p.blockHash, validationError: null };
  }

  /** The stand-in engine_forkchoiceUpdated: moves head/safe/finalized to known blocks. */
  forkchoice(head: string, safe?: string, finalized?: string): PayloadStatus {
    if (!this.blocks.has(head)) return { status: "SYNCING", latestValidHash: null, validationError: null };
    this.setCanonical(head);
    if (safe && safe !== ZERO_HASH && this.blocks.has(safe)) this.safe = safe;
    if (finalized && finalized !== ZERO_HASH && this.blocks.has(finalized)) this.finalized = finalized;
    this.saveForkchoice();
    return { status: "VALID", latestValidHash: head, validationError: null };
  }

  private setCanonical(head: string): void {
    const add: string[] = [];
    let h = head;
    let b = this.blocks.get(h)!;
    // Walk back until the canonical chain agrees (the common ancestor).
    while (this.canonical[b.number] !== h) {
      add.push(h);
      h = b.payload.parentHash;
      b = this.blocks.get(h)!;
    }
    const keep = b.number + 1;
    for (const dropped of this.canonical.slice(keep)) for (const tx of this.blocks.get(dropped)!.txs) this.txIndex.delete(tx.hash);
    this.canonical.length = keep;
    for (const hash of add.reverse()) {
      this.canonical.push(hash);
      this.blocks.get(hash)!.txs.forEach((tx, index) => this.txIndex.set(tx.hash, { blockHash: hash, index }));
    }
    this.head = head;
  }

  /** Builds (does not insert) a block on `parentHash` with the pool's applicable transactions. */
  build(parentHash: string, attrs: BuildAttrs, pool: DecodedTx[]): Payload {
    const parent = this.blocks.get(parentHash);
    if (!parent) throw new Error(`unknown parent ${parentHash}`);
    const s = this.stateAt(parentHash).clone();
    const included: DecodedTx[] = [];
    let gasUsed = 0;
    const gasLimit = attrs.gasLimit ?? Number(BigInt(this.genesis.gasLimit));
    if (!attrs.noTxPool) {
      // Nonce order per sender, arrival order otherwise.
      for (const tx of [...pool].sort((a, b) => (a.from === b.from ? a.nonce - b.nonce : 0))) {
        if (s.check(tx) || gasUsed + txGas(tx) > gasLimit) continue;
        s.apply(tx);
        gasUsed += txGas(tx);
        included.push(tx);
      }
    }
    const p: Payload = {
      parentHash,
      feeRecipient: (attrs.suggestedFeeRecipient ?? "0x4200000000000000000000000000000000000011").toLowerCase(),
      stateRoot: s.root(),
      receiptsRoot: txCommitment(included.map((t) => t.raw)),
      logsBloom: EMPTY_BLOOM,
      prevRandao: attrs.prevRandao ?? ZERO_HASH,
      blockNumber: "0x" + (parent.number + 1).toString(16),
      gasLimit: "0x" + gasLimit.toString(16),
      gasUsed: "0x" + gasUsed.toString(16),
      timestamp: "0x" + attrs.timestamp.toString(16),
      extraData: "0x",
      baseFeePerGas: parent.payload.baseFeePerGas,
      blockHash: ZERO_HASH,
      transactions: included.map((t) => t.raw),
      withdrawals: [],
      blobGasUsed: "0x0",
      excessBlobGas: "0x0",
    };
    p.blockHash = payloadHash(p);
    return p;
  }
}
