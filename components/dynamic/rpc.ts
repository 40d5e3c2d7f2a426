/**
 * A minimal JSON-RPC 2.0 client for the dynamic providers (conductor cluster, readiness) and the
 * operator scripts (drill, status). Self-contained on purpose: Pulumi serializes dynamic provider
 * code by value, so it must not reach for anything but Node's globals.
 */

/** A JSON-RPC call that failed: which endpoint, which method, and what came back. */
export class RpcError extends Error {
  constructor(
    readonly url: string,
    readonly method: string,
    readonly answer: string,
  ) {
    super(`${method} on ${url} failed: ${answer}`);
    this.name = "RpcError";
  }
}

let nextId = 1;

/** Calls `method` on `url`; throws RpcError on transport errors, HTTP errors and JSON-RPC errors. */
export async function rpcCall<T = unknown>(url: string, method: string, params: unknown[] = [], timeoutMs = 5000): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new RpcError(url, method, `no answer (${cause?.code ?? cause?.message ?? (e as Error).message})`);
  }
  const text = await res.text();
  if (!res.ok) throw new RpcError(url, method, `HTTP ${res.status} ${text.slice(0, 200)}`);
  let body: { result?: T; error?: { code: number; message: string } };
  try {
    body = JSON.parse(text);
  } catch {
    throw new RpcError(url, method, `not JSON: ${text.slice(0, 200)}`);
  }
  if (body.error) throw new RpcError(url, method, `error ${body.error.code}: ${body.error.message}`);
  return body.result as T;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Timing knobs shared by the waits: total budget and poll period, both in milliseconds. */
export interface WaitOptions {
  timeoutMs: number;
  pollMs: number;
}

/**
 * Polls `probe` until it returns a value other than `undefined`, or fails after `timeoutMs` with
 * `describe(lastSeen)` so the error says what was observed, not only that time ran out.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  w: WaitOptions,
  describe: (last: string) => string = (last) => last,
): Promise<T> {
  const deadline = Date.now() + w.timeoutMs;
  let last = "nothing observed yet";
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${Math.round(w.timeoutMs / 1000)}s waiting for ${what}: ${describe(last)}`);
    await sleep(w.pollMs);
  }
}

/** Reads a hex quantity (`"0x1a"`) as a number. */
export const hexToNumber = (hex: unknown) => {
  if (typeof hex !== "string" || !/^0x[0-9a-fA-F]+$/.test(hex)) throw new Error(`not a hex quantity: ${JSON.stringify(hex)}`);
  return Number.parseInt(hex, 16);
};
