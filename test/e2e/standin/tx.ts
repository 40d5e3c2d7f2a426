/**
 * Ethereum transactions: sign legacy EIP-155 transactions (for the L1 senders) and decode signed
 * legacy / EIP-1559 transactions far enough to know hash, sender, nonce, to, value (for op-reth).
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { bytesInt, intBytes, rlpDecode, rlpEncode, RlpItem } from "./rlp";

export const keccak = (b: Uint8Array | string) => keccak_256(typeof b === "string" ? new TextEncoder().encode(b) : b);
export const hex = (b: Uint8Array) => "0x" + bytesToHex(b);
export const unhex = (h: string) => hexToBytes(h.replace(/^0x/, "").length % 2 ? "0" + h.replace(/^0x/, "") : h.replace(/^0x/, ""));

/** The address of a private key (lower case). */
export function addressOf(privateKey: string): string {
  const pub = secp256k1.getPublicKey(unhex(privateKey), false).slice(1);
  return hex(keccak(pub).slice(12));
}

export interface TxRequest {
  chainId: number;
  nonce: number;
  gasPrice: bigint;
  gas: bigint;
  /** Absent for contract creation. */
  to?: string;
  value: bigint;
  data: string;
}

/** Signs a legacy EIP-155 transaction; returns the raw transaction hex and its hash. */
export function signLegacyTx(tx: TxRequest, privateKey: string): { raw: string; hash: string } {
  const fields: RlpItem[] = [
    intBytes(tx.nonce),
    intBytes(tx.gasPrice),
    intBytes(tx.gas),
    tx.to ? unhex(tx.to) : new Uint8Array(),
    intBytes(tx.value),
    unhex(tx.data),
  ];
  const sigHash = keccak(rlpEncode([...fields, intBytes(tx.chainId), new Uint8Array(), new Uint8Array()]));
  const sig = secp256k1.sign(sigHash, unhex(privateKey), { prehash: false, format: "recovered" });
  const recid = sig[0];
  const v = BigInt(tx.chainId) * 2n + 35n + BigInt(recid);
  const raw = rlpEncode([...fields, intBytes(v), stripZeros(sig.slice(1, 33)), stripZeros(sig.slice(33, 65))]);
  return { raw: hex(raw), hash: hex(keccak(raw)) };
}

const stripZeros = (b: Uint8Array) => {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return b.slice(i);
};
const pad32 = (b: Uint8Array) => {
  const out = new Uint8Array(32);
  out.set(b, 32 - b.length);
  return out;
};

export interface DecodedTx {
  hash: string;
  type: number;
  chainId?: number;
  nonce: number;
  from: string;
  to: string | null;
  value: bigint;
  gas: bigint;
  gasPrice: bigint;
  input: string;
  v: bigint;
  r: string;
  s: string;
  raw: string;
}

/** Decodes a signed raw transaction (legacy or type 2) and recovers its sender. */
export function decodeRawTx(rawHex: string): DecodedTx {
  const raw = unhex(rawHex);
  if (raw.length === 0) throw new Error("empty transaction");
  const typed = raw[0] < 0x7f;
  if (typed && raw[0] !== 2) throw new Error(`transaction type ${raw[0]} not supported`);
  const items = rlpDecode(typed ? raw.subarray(1) : raw) as Uint8Array[];
  if (!Array.isArray(items)) throw new Error("transaction is not an RLP list");
  let sigHash: Uint8Array;
  let recid: number;
  let out: Omit<DecodedTx, "from" | "hash" | "raw">;
  if (!typed) {
    if (items.length !== 9) throw new Error("legacy transaction must have 9 fields");
    const [nonce, gasPrice, gas, to, value, data, v, r, s] = items;
    const vn = bytesInt(v);
    let chainId: bigint | undefined;
    if (vn >= 35n) {
      chainId = (vn - 35n) / 2n;
      recid = Number((vn - 35n) % 2n);
      sigHash = keccak(rlpEncode([nonce, gasPrice, gas, to, value, data, intBytes(chainId), new Uint8Array(), new Uint8Array()]));
    } else {
      recid = Number(vn - 27n);
      sigHash = keccak(rlpEncode([nonce, gasPrice, gas, to, value, data]));
    }
    out = {
      type: 0, chainId: chainId === undefined ? undefined : Number(chainId), nonce: Number(bytesInt(nonce)), to: to.length ? hex(to) : null,
      value: bytesInt(value), gas: bytesInt(gas), gasPrice: bytesInt(gasPrice), input: hex(data), v: vn, r: hex(pad32(r)), s: hex(pad32(s)),
    };
  } else {
    if (items.length !== 12) throw new Error("EIP-1559 transaction must have 12 fields");
    const [chainId, nonce, , maxFee, gas, to, value, data, , yParity, r, s] = items;
    sigHash = keccak(Buffer.concat([Uint8Array.of(2), rlpEncode(items.slice(0, 9))]));
    recid = Number(bytesInt(yParity));
    out = {
      type: 2, chainId: Number(bytesInt(chainId)), nonce: Number(bytesInt(nonce)), to: to.length ? hex(to) : null,
      value: bytesInt(value), gas: bytesInt(gas), gasPrice: bytesInt(maxFee), input: hex(data), v: BigInt(recid), r: hex(pad32(r)), s: hex(pad32(s)),
    };
  }
  if (recid !== 0 && recid !== 1) throw new Error("invalid signature recovery id");
  const sig = Buffer.concat([Uint8Array.of(recid), pad32(items[items.length - 2]), pad32(items[items.length - 1])]);
  const pub = secp256k1.recoverPublicKey(sig, sigHash, { prehash: false });
  const full = secp256k1.Point.fromBytes(pub).toBytes(false).slice(1);
  return { ...out, from: hex(keccak(full).slice(12)), hash: hex(keccak(raw)), raw: rawHex };
}
