/**
 * Property values as the Pulumi engine hands them to a provider that accepts secrets: a secret is
 * an object tagged with the secret signature, a preview-time unknown is a sentinel string. Helpers
 * to unwrap secrets for use, keep secrets secret in outputs, and spot unknowns.
 */

export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Props = Record<string, unknown>;

export function isSecret(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as Props)[SIG_KEY] === SECRET_SIG;
}

export function secret(v: unknown): unknown {
  return isSecret(v) ? v : { [SIG_KEY]: SECRET_SIG, value: v };
}

/** The value with every secret wrapper removed (deeply). */
export function reveal(v: unknown): any {
  if (isSecret(v)) return reveal(v.value);
  if (Array.isArray(v)) return v.map(reveal);
  if (typeof v === "object" && v !== null) {
    const out: Props = {};
    for (const [k, x] of Object.entries(v)) out[k] = reveal(x);
    return out;
  }
  return v;
}

export function containsSecret(v: unknown): boolean {
  if (isSecret(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecret);
  if (typeof v === "object" && v !== null) return Object.values(v).some(containsSecret);
  return false;
}

export function containsUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (isSecret(v)) return containsUnknown(v.value);
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (typeof v === "object" && v !== null) return Object.values(v).some(containsUnknown);
  return false;
}

/**
 * An observed value replacing a stored input: stays secret when the input held a secret anywhere,
 * so refreshed state never writes a secret in plain text.
 */
export function asSecretAs(input: unknown, observed: unknown): unknown {
  return containsSecret(input) ? secret(reveal(observed)) : observed;
}

/** Applies fn to a value, looking through (and keeping) a secret wrapper. */
export function throughSecret<T>(v: unknown, fn: (x: any) => T): unknown {
  return isSecret(v) ? secret(fn(v.value)) : fn(v);
}

/**
 * A value the gRPC Struct encoder accepts: `undefined` (which it rejects) is dropped from objects
 * and becomes null in arrays; non-finite numbers become null.
 */
export function wire(v: unknown): any {
  if (v === undefined) return undefined;
  if (typeof v === "number" && !Number.isFinite(v)) return null;
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : wire(x)));
  if (typeof v === "object" && v !== null) {
    const out: Props = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = wire(x);
    return out;
  }
  return v;
}
