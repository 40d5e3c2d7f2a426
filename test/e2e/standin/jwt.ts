/**
 * Engine API authentication: HS256 JWTs with an `iat` claim within ±60 s, keyed by the 32-byte
 * hex secret in the `--authrpc.jwtsecret` / `--l2-engine-jwt-secret` file.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { hexToBytes } from "@noble/hashes/utils.js";
import { readFileSync } from "node:fs";

/** Reads a JWT secret file: 64 hex chars, optional 0x. Throws with a clear message otherwise. */
export function readJwtSecret(path: string): Uint8Array {
  const text = readFileSync(path, "utf8").trim().replace(/^0x/, "");
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new Error(`JWT secret ${path} is not 32 bytes of hex`);
  return hexToBytes(text);
}

const b64url = (b: Uint8Array | string) => Buffer.from(b).toString("base64url");

/** A fresh token for one engine API call. */
export function signJwt(secret: Uint8Array, nowSec = Math.floor(Date.now() / 1000)): string {
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify({ iat: nowSec }));
  const sig = b64url(hmac(sha256, secret, new TextEncoder().encode(`${head}.${body}`)));
  return `${head}.${body}.${sig}`;
}

/** Checks an `Authorization` header; returns undefined if valid, else why not. */
export function checkJwt(secret: Uint8Array, authorization: string | undefined, nowSec = Math.floor(Date.now() / 1000)): string | undefined {
  const m = /^Bearer\s+([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization ?? "");
  if (!m) return "missing token";
  const [, head, body, sig] = m;
  let header: { alg?: string };
  let claims: { iat?: number };
  try {
    header = JSON.parse(Buffer.from(head, "base64url").toString());
    claims = JSON.parse(Buffer.from(body, "base64url").toString());
  } catch {
    return "malformed token";
  }
  if (header.alg !== "HS256") return "unsupported algorithm";
  const want = b64url(hmac(sha256, secret, new TextEncoder().encode(`${head}.${body}`)));
  if (want !== sig) return "signature invalid";
  if (typeof claims.iat !== "number" || Math.abs(claims.iat - nowSec) > 60) return "stale token (iat)";
  return undefined;
}
