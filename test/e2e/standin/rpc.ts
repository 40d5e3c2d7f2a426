/** A JSON-RPC 2.0 client over HTTP (Node's fetch), with an optional bearer token (engine API JWT). */

/** A JSON-RPC error answer, or a transport failure (code -1). */
export class RpcCallError extends Error {
  constructor(
    readonly url: string,
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(`${method} on ${url}: ${message}`);
    this.name = "RpcCallError";
  }
}

let nextId = 1;

/**
 * Calls `method` on `url` and returns its `result`. Throws RpcCallError on a JSON-RPC error
 * (with its code), on HTTP errors and when nothing answers within `timeoutMs`.
 */
export async function call<T = unknown>(url: string, method: string, params: unknown[] = [], timeoutMs = 5000, bearer?: () => string): Promise<T> {
  let res: Response;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (bearer) headers.authorization = `Bearer ${bearer()}`;
  try {
    res = await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new RpcCallError(url, method, -1, `no answer (${cause?.code ?? cause?.message ?? (e as Error).message})`);
  }
  const text = await res.text();
  if (!res.ok) throw new RpcCallError(url, method, -res.status, `HTTP ${res.status} ${text.slice(0, 200)}`);
  let body: { result?: T; error?: { code: number; message: string } };
  try {
    body = JSON.parse(text);
  } catch {
    throw new RpcCallError(url, method, -2, `not JSON: ${text.slice(0, 200)}`);
  }
  if (body.error) throw new RpcCallError(url, method, body.error.code, body.error.message);
  return body.result as T;
}

/** `0x`-prefixed hex quantity of a number or bigint. */
export const hexQ = (n: number | bigint) => "0x" + n.toString(16);
/** Parses a hex quantity (or a plain number) as a number. */
export const num = (v: unknown): number => (typeof v === "number" ? v : Number.parseInt(String(v), 16));
