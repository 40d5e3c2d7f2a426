/** Minimal RLP encoding/decoding (for signing and decoding transactions). */
export type RlpItem = Uint8Array | RlpItem[];

function lenPrefix(len: number, offset: number): Uint8Array {
  if (len < 56) return Uint8Array.of(offset + len);
  const hex = len.toString(16);
  const bytes = Buffer.from(hex.length % 2 ? "0" + hex : hex, "hex");
  return Uint8Array.of(offset + 55 + bytes.length, ...bytes);
}

/** RLP-encodes bytes and nested lists. */
export function rlpEncode(item: RlpItem): Uint8Array {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0] < 0x80) return item;
    return Buffer.concat([lenPrefix(item.length, 0x80), item]);
  }
  const body = Buffer.concat(item.map(rlpEncode));
  return Buffer.concat([lenPrefix(body.length, 0xc0), body]);
}

/** Decodes one RLP item that must span all of `data`. */
export function rlpDecode(data: Uint8Array): RlpItem {
  const [item, end] = decodeAt(data, 0);
  if (end !== data.length) throw new Error("rlp: trailing bytes");
  return item;
}

function decodeAt(d: Uint8Array, pos: number): [RlpItem, number] {
  const b = d[pos];
  if (b === undefined) throw new Error("rlp: unexpected end");
  if (b < 0x80) return [d.subarray(pos, pos + 1), pos + 1];
  const readLen = (n: number, at: number) => {
    let len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + d[at + i];
    return len;
  };
  if (b < 0xb8) return [d.subarray(pos + 1, pos + 1 + (b - 0x80)), pos + 1 + (b - 0x80)];
  if (b < 0xc0) {
    const n = b - 0xb7;
    const len = readLen(n, pos + 1);
    return [d.subarray(pos + 1 + n, pos + 1 + n + len), pos + 1 + n + len];
  }
  let start: number;
  let end: number;
  if (b < 0xf8) {
    start = pos + 1;
    end = start + (b - 0xc0);
  } else {
    const n = b - 0xf7;
    start = pos + 1 + n;
    end = start + readLen(n, pos + 1);
  }
  if (end > d.length) throw new Error("rlp: list overruns data");
  const out: RlpItem[] = [];
  let p = start;
  while (p < end) {
    const [it, next] = decodeAt(d, p);
    out.push(it);
    p = next;
  }
  return [out, end];
}

/** Big-endian minimal bytes of a non-negative integer (0 → empty). */
export function intBytes(n: bigint | number): Uint8Array {
  let v = BigInt(n);
  if (v === 0n) return new Uint8Array();
  const hex = v.toString(16);
  return Buffer.from(hex.length % 2 ? "0" + hex : hex, "hex");
}

/** Bytes → bigint (empty → 0). */
export const bytesInt = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt("0x" + Buffer.from(b).toString("hex")));
