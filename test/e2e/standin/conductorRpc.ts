import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";

/**
 * The op-conductor stand-in's own small JSON-RPC 2.0 plumbing over HTTP (Node built-ins only):
 * a server that dispatches to a method table, a client with timeouts, and stderr logging in the
 * `t=… lvl=… msg=… k=v` style of the Go services.
 */

/** An error a method returns to the caller as a JSON-RPC error object. */
export class RpcMethodError extends Error {
  constructor(
    message: string,
    readonly code = -32000,
  ) {
    super(message);
  }
}

export const methodNotFound = (method: string) => new RpcMethodError(`the method ${method} does not exist/is not available`, -32601);
export const missingArg = (i: number) => new RpcMethodError(`missing value for required argument ${i}`, -32602);

export type RpcHandler = (params: unknown[]) => unknown;
/** Looks a method up; undefined means "method not found". */
export type RpcDispatch = (method: string) => RpcHandler | undefined;

export interface ServeOptions {
  host: string;
  port: number;
  dispatch: RpcDispatch;
  /** Plain GET paths (e.g. `/healthz`) answered with a fixed JSON body. */
  get?: (path: string) => { status: number; type: string; body: string } | undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 32 * 1024 * 1024) throw new Error("request too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function answer(dispatch: RpcDispatch, msg: unknown): Promise<object | undefined> {
  const m = msg as { id?: unknown; method?: unknown; params?: unknown };
  const id = m?.id ?? null;
  if (!m || typeof m !== "object" || typeof m.method !== "string") {
    return { jsonrpc: "2.0", id, error: { code: -32600, message: "invalid request" } };
  }
  const params = Array.isArray(m.params) ? m.params : m.params === undefined || m.params === null ? [] : [m.params];
  try {
    const handler = dispatch(m.method);
    if (!handler) throw methodNotFound(m.method);
    const result = await handler(params);
    if (m.id === undefined) return undefined; // notification
    return { jsonrpc: "2.0", id, result: result === undefined ? null : result };
  } catch (e) {
    const err = e as { code?: unknown; message?: string; data?: unknown };
    const code = typeof err.code === "number" ? err.code : -32000;
    return { jsonrpc: "2.0", id, error: { code, message: err.message ?? String(e), ...(err.data !== undefined ? { data: err.data } : {}) } };
  }
}

/** Starts a JSON-RPC HTTP server; resolves once it listens. */
export function serveJsonRpc(o: ServeOptions): Promise<Server> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      try {
        if (req.method === "GET" || req.method === "HEAD") {
          const g = o.get?.((req.url ?? "/").split("?")[0]);
          if (g) {
            res.writeHead(g.status, { "content-type": g.type });
            res.end(req.method === "HEAD" ? undefined : g.body);
            return;
          }
          res.writeHead(405, { "content-type": "text/plain" });
          res.end("method not allowed\n");
          return;
        }
        if (req.method !== "POST") {
          res.writeHead(405, { "content-type": "text/plain" });
          res.end("method not allowed\n");
          return;
        }
        const text = await readBody(req);
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } }));
          return;
        }
        let out: unknown;
        if (Array.isArray(parsed)) {
          const all = await Promise.all(parsed.map((m) => answer(o.dispatch, m)));
          out = all.filter((x) => x !== undefined);
        } else {
          out = (await answer(o.dispatch, parsed)) ?? "";
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(out === "" ? "" : JSON.stringify(out));
      } catch (e) {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(String((e as Error).message ?? e));
      }
    })();
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => {
      server.off("error", reject);
      resolveListen(server);
    });
  });
}

export const boundPort = (s: Server) => (s.address() as AddressInfo).port;

/** Closes a server and drops its open connections, so shutdown is prompt. */
export function closeServer(s: Server | undefined): Promise<void> {
  if (!s) return Promise.resolve();
  return new Promise((r) => {
    s.close(() => r());
    s.closeAllConnections?.();
    setTimeout(r, 500).unref();
  });
}

/** A failed call: `transport` when nothing (or no HTTP answer) came back, `rpc` for a JSON-RPC error. */
export class RpcCallError extends Error {
  constructor(
    readonly kind: "transport" | "http" | "rpc",
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

let nextId = 1;

/** Calls `method` at `url` and returns its result; throws RpcCallError. */
export async function callRpc<T = unknown>(url: string, method: string, params: unknown[] = [], timeoutMs = 3000): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new RpcCallError("transport", describeFetchError(url, e));
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new RpcCallError("transport", describeFetchError(url, e));
  }
  if (!res.ok) throw new RpcCallError("http", `${res.status} ${res.statusText}: ${text.slice(0, 200)}`);
  let body: { result?: T; error?: { code: number; message: string } };
  try {
    body = JSON.parse(text);
  } catch {
    throw new RpcCallError("http", `invalid JSON-RPC answer from ${url}: ${text.slice(0, 200)}`);
  }
  if (body.error) throw new RpcCallError("rpc", body.error.message, body.error.code);
  return body.result as T;
}

/** Turns fetch's nested errors into Go-like transport messages (`dial tcp …: connect: connection refused`). */
export function describeFetchError(url: string, e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    /* keep the raw url */
  }
  if (err.name === "TimeoutError" || err.name === "AbortError") return `Post "${url}": context deadline exceeded`;
  const code = err.cause?.code;
  if (code === "ECONNREFUSED") return `Post "${url}": dial tcp ${host}: connect: connection refused`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `Post "${url}": dial tcp: lookup ${host.replace(/:\d+$/, "")}: no such host`;
  if (code) return `Post "${url}": ${code}${err.cause?.message ? ` (${err.cause.message})` : ""}`;
  return `Post "${url}": ${err.cause?.message ?? err.message ?? String(e)}`;
}

const LEVELS: Record<string, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, crit: 5 };

function fmtValue(v: unknown): string {
  const s = typeof v === "string" ? v : v instanceof Error ? v.message : JSON.stringify(v);
  return s === undefined ? "undefined" : /[\s"=]/.test(s) || s === "" ? JSON.stringify(s) : s;
}

export interface Logger {
  debug(msg: string, f?: Record<string, unknown>): void;
  info(msg: string, f?: Record<string, unknown>): void;
  warn(msg: string, f?: Record<string, unknown>): void;
  error(msg: string, f?: Record<string, unknown>): void;
}

/** One line per event on stderr. */
export function makeLogger(level: string, base: Record<string, unknown> = {}): Logger {
  const min = LEVELS[level] ?? LEVELS.info;
  const line = (lvl: string, msg: string, f: Record<string, unknown> = {}) => {
    if ((LEVELS[lvl] ?? 2) < min) return;
    const kv = Object.entries({ ...base, ...f })
      .map(([k, v]) => `${k}=${fmtValue(v)}`)
      .join(" ");
    process.stderr.write(`t=${new Date().toISOString()} lvl=${lvl === "warn" ? "warn" : lvl} msg=${fmtValue(msg)}${kv ? " " + kv : ""}\n`);
  };
  return {
    debug: (m, f) => line("debug", m, f),
    info: (m, f) => line("info", m, f),
    warn: (m, f) => line("warn", m, f),
    error: (m, f) => line("error", m, f),
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
