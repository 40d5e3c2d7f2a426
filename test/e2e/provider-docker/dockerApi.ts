/**
 * A minimal Docker Engine API client over the unix socket (DOCKER_HOST=unix://… or
 * /var/run/docker.sock), pinned to API v1.41. Errors carry the engine's own message and status.
 */
import { request as httpRequest } from "node:http";

export const API_VERSION = "v1.41";

export class DockerError extends Error {
  constructor(
    readonly status: number,
    readonly engineMessage: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(engineMessage);
    this.name = "DockerError";
  }
}

export function socketPath(): string {
  const host = process.env.DOCKER_HOST;
  if (host && host.startsWith("unix://")) return host.slice("unix://".length);
  if (host && host !== "") throw new Error(`DOCKER_HOST=${host}: only unix:// sockets are supported by the kupcake docker stand-in`);
  return "/var/run/docker.sock";
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type Query = Record<string, string | number | boolean | undefined>;

function qs(query?: Query): string {
  if (!query) return "";
  const parts = Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join("&")}` : "";
}

export interface RequestOptions {
  query?: Query;
  json?: unknown;
  body?: Buffer;
  contentType?: string;
}

/** One HTTP exchange with the engine; the whole body is buffered. */
export function raw(method: string, path: string, opts: RequestOptions = {}): Promise<RawResponse> {
  const body = opts.json !== undefined ? Buffer.from(JSON.stringify(opts.json)) : opts.body;
  const headers: Record<string, string | number> = { Host: "docker" };
  if (body) {
    headers["Content-Type"] = opts.json !== undefined ? "application/json" : (opts.contentType ?? "application/octet-stream");
    headers["Content-Length"] = body.length;
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest({ socketPath: socketPath(), method, path: `/${API_VERSION}${path}${qs(opts.query)}`, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

function engineMessage(res: RawResponse): string {
  const text = res.body.toString("utf8").trim();
  try {
    const parsed = JSON.parse(text) as { message?: string };
    if (parsed && typeof parsed.message === "string") return parsed.message;
  } catch {
    /* not JSON */
  }
  return text || `HTTP ${res.status}`;
}

/** A call that must answer 2xx (or one of `ok`); returns the parsed JSON body, if any. */
export async function call<T = any>(method: string, path: string, opts: RequestOptions & { ok?: number[] } = {}): Promise<T> {
  const res = await raw(method, path, opts);
  const fine = (res.status >= 200 && res.status < 300) || (opts.ok ?? []).includes(res.status);
  if (!fine) throw new DockerError(res.status, engineMessage(res), method, path);
  const text = res.body.toString("utf8");
  if (text.trim() === "") return undefined as T;
  const type = String(res.headers["content-type"] ?? "");
  return (type.includes("json") ? JSON.parse(text) : text) as T;
}

export const isNotFound = (e: unknown): boolean => e instanceof DockerError && e.status === 404;

/** Inspect-style GET that returns undefined on 404. */
export async function inspect<T = any>(path: string): Promise<T | undefined> {
  try {
    return await call<T>("GET", path);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/**
 * Splits a multiplexed (non-TTY) log/attach stream: frames of an 8-byte header (stream type,
 * 3 zero bytes, big-endian length) followed by the payload. Returns stdout+stderr in order.
 */
export function demux(buf: Buffer): string {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const type = buf[i];
    const len = buf.readUInt32BE(i + 4);
    if (type > 2 || buf[i + 1] !== 0 || buf[i + 2] !== 0 || buf[i + 3] !== 0) {
      // Not a multiplexed stream (TTY): take the rest raw.
      out.push(buf.subarray(i));
      i = buf.length;
      break;
    }
    out.push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  if (i < buf.length) out.push(buf.subarray(i));
  return Buffer.concat(out).toString("utf8");
}

/** stdout+stderr of a container (all, or the last `tail` lines). */
export async function containerLogs(id: string, tail?: number, tty = false): Promise<string> {
  const res = await raw("GET", `/containers/${encodeURIComponent(id)}/logs`, { query: { stdout: 1, stderr: 1, tail: tail ?? "all" } });
  if (res.status < 200 || res.status >= 300) throw new DockerError(res.status, engineMessage(res), "GET", `/containers/${id}/logs`);
  return tty ? res.body.toString("utf8") : demux(res.body);
}

/**
 * Reads a JSON-lines progress stream (image pull) and returns the first error it reports, if any.
 */
export function streamError(body: Buffer): string | undefined {
  for (const line of body.toString("utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const msg = JSON.parse(line) as { error?: string; errorDetail?: { message?: string } };
      if (msg.error || msg.errorDetail?.message) return msg.errorDetail?.message ?? msg.error;
    } catch {
      /* ignore partial lines */
    }
  }
  return undefined;
}
