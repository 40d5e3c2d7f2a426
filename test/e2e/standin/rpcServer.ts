/**
 * A small JSON-RPC 2.0 server over HTTP (single and batch requests), used by every stand-in and
 * reusable by the op-conductor stand-in. Method errors follow geth/jsonrpsee conventions:
 * -32601 for an unknown method, -32602 for bad params, -32000 for anything a handler throws.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { fatal } from "./log";

/** A method handler: gets the positional params, returns the result (or throws). */
export type RpcHandler = (params: unknown[], req?: IncomingMessage) => unknown | Promise<unknown>;
export type RpcHandlers = Record<string, RpcHandler>;

/** A JSON-RPC error a handler may throw to choose the error code. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export const methodNotFound = (method: string) => new RpcError(-32601, `the method ${method} does not exist/is not available`);
export const invalidParams = (why: string) => new RpcError(-32602, `Invalid params: ${why}`);

export interface ServeOptions {
  /** Listen address (default 0.0.0.0). */
  host?: string;
  /**
   * Checked before every request; return an error message to answer HTTP 401 with it
   * (the engine API's JWT check), or undefined to go on.
   */
  auth?: (req: IncomingMessage) => string | undefined;
  /** Non-JSON-RPC routes (GET /healthz …): return true when handled. */
  routes?: (req: IncomingMessage, res: ServerResponse, body: string) => boolean | Promise<boolean>;
  /** Handler used for methods not in `handlers` (e.g. a proxy); throw methodNotFound to refuse. */
  fallback?: (method: string, params: unknown[]) => unknown | Promise<unknown>;
}

interface Req {
  jsonrpc?: string;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

async function one(handlers: RpcHandlers, r: Req, opts: ServeOptions, req?: IncomingMessage): Promise<object | undefined> {
  const id = r.id ?? null;
  if (typeof r.method !== "string") return { jsonrpc: "2.0", id, error: { code: -32600, message: "invalid request" } };
  const params = Array.isArray(r.params) ? r.params : r.params === undefined ? [] : [r.params];
  try {
    const h = handlers[r.method];
    let result: unknown;
    if (h) result = await h(params, req);
    else if (opts.fallback) result = await opts.fallback(r.method, params);
    else throw methodNotFound(r.method);
    return { jsonrpc: "2.0", id, result: result === undefined ? null : result };
  } catch (e) {
    const err = e as RpcError;
    return { jsonrpc: "2.0", id, error: { code: typeof err.code === "number" ? err.code : -32000, message: err.message, ...(err.data !== undefined ? { data: err.data } : {}) } };
  }
}

/** Answers one JSON-RPC request body (single or batch); returns the JSON text of the answer. */
export async function dispatchJsonRpc(handlers: RpcHandlers, body: string, opts: ServeOptions = {}, req?: IncomingMessage): Promise<string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } });
  }
  if (Array.isArray(parsed)) return JSON.stringify(await Promise.all(parsed.map((r) => one(handlers, r as Req, opts, req))));
  return JSON.stringify(await one(handlers, parsed as Req, opts, req));
}

/** Reads a request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of req) body += chunk;
  return body;
}

/**
 * Serves `handlers` as JSON-RPC on `host:port` (POST any path). Resolves with the listening
 * server; exits the process (code 1) if the port cannot be bound, as the real services do.
 */
export function serveJsonRpc(port: number, handlers: RpcHandlers, opts: ServeOptions = {}): Promise<Server> {
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const body = await readBody(req);
      if (opts.routes && (await opts.routes(req, res, body))) return;
      if (opts.auth) {
        const why = opts.auth(req);
        if (why !== undefined) {
          res.writeHead(401, { "content-type": "text/plain" });
          res.end(why);
          return;
        }
      }
      if (req.method !== "POST") {
        res.writeHead(405, { "content-type": "text/plain" });
        res.end("JSON-RPC needs POST");
        return;
      }
      const out = await dispatchJsonRpc(handlers, body, opts, req);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(out);
    } catch (e) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end((e as Error).message);
    }
  });
  return listen(server, port, opts.host ?? "0.0.0.0");
}

/** Listens on host:port; a bind failure ends the process like a real service's would. */
export function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolve) => {
    server.once("error", (e) => fatal(`failed to listen on ${host}:${port}: ${(e as Error).message}`));
    server.listen(port, host, () => resolve(server));
  });
}
