/**
 * The stand-in batch format the op-batcher posts to the batch inbox as calldata and kona-node
 * derives the safe head from: a version byte 0x00 (like the real derivation version 0 frames)
 * followed by UTF-8 JSON `{"blocks":[[number,"hash"],...]}` naming the L2 blocks the batch covers.
 * Real batches carry compressed channel frames with the block contents; this names them only.
 */
export type BatchEntry = [number, string];

/** Calldata for a batch naming `blocks`. */
export function encodeBatch(blocks: BatchEntry[]): string {
  return "0x00" + Buffer.from(JSON.stringify({ blocks }), "utf8").toString("hex");
}

/** The blocks a batch transaction's calldata names, or undefined if it is not a stand-in batch. */
export function decodeBatch(input: string): BatchEntry[] | undefined {
  const h = input.replace(/^0x/, "");
  if (!h.startsWith("00")) return undefined;
  try {
    const doc = JSON.parse(Buffer.from(h.slice(2), "hex").toString("utf8")) as { blocks?: unknown };
    if (!Array.isArray(doc.blocks)) return undefined;
    return doc.blocks.filter((e): e is BatchEntry => Array.isArray(e) && typeof e[0] === "number" && typeof e[1] === "string");
  } catch {
    return undefined;
  }
}
