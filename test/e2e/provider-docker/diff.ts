/**
 * Check and Diff driven by a ResourceSchema, comparing values the way the Terraform plugin SDK
 * (under the Pulumi bridge) does: a missing value equals its zero value ("" / 0 / false / empty),
 * sets ignore order, an Optional+Computed property left out of the program keeps its stored value,
 * and any unknown counts as a change.
 */
import { randomBytes } from "node:crypto";
import type { CheckFailure, DiffResult } from "@pulumi/pulumi/provider";
import { Prop, ResourceSchema, Shape } from "./schema";
import { containsUnknown, isSecret, Props, reveal, throughSecret, UNKNOWN } from "./values";

// ---- defaults -------------------------------------------------------------------------------

function withNestedDefaults(v: unknown, shape: Shape): unknown {
  if (v === undefined || v === null || v === UNKNOWN || !shape.fields) return v;
  return throughSecret(v, (x) => {
    if (Array.isArray(x)) return x.map((el) => withFieldDefaults(el, shape.fields!));
    if (typeof x === "object" && x !== null) return withFieldDefaults(x, shape.fields!);
    return x;
  });
}

function withFieldDefaults(el: unknown, fields: Record<string, Shape>): unknown {
  if (el === UNKNOWN || el === null || typeof el !== "object") return el;
  return throughSecret(el, (obj: Props) => {
    const out: Props = { ...obj };
    for (const [k, f] of Object.entries(fields)) {
      if ((out[k] === undefined || out[k] === null) && f.default !== undefined) out[k] = f.default;
      else if (out[k] !== undefined) out[k] = withNestedDefaults(out[k], f);
    }
    return out;
  });
}

/** urn:pulumi:stack::project::type::name -> name */
export function urnName(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

/**
 * Check: required inputs, auto-name, schema defaults (top level and nested), validation.
 * Properties the stand-in does not implement are refused rather than silently ignored.
 */
export function check(schema: ResourceSchema, urn: string, olds: Props, news: Props): { inputs: Props; failures: CheckFailure[] } {
  const failures: CheckFailure[] = [];
  const inputs: Props = {};
  for (const [k, v] of Object.entries(news)) {
    if (k === "__defaults") continue;
    const p = schema.props[k];
    if (k.startsWith("__")) {
      inputs[k] = v;
      continue;
    }
    if (!p || p.kind === "output") {
      failures.push({ property: k, reason: `${schema.token} has no input property "${k}"` });
      continue;
    }
    if (!p.supported && v !== undefined && v !== null) {
      failures.push({ property: k, reason: `"${k}" is not implemented by the kupcake docker stand-in provider` });
      continue;
    }
    inputs[k] = v;
  }
  if (schema.autoName && (inputs.name === undefined || inputs.name === null)) {
    inputs.name = typeof olds.name === "string" ? olds.name : `${urnName(urn)}-${randomBytes(4).toString("hex").slice(0, 7)}`;
  }
  for (const [k, p] of Object.entries(schema.props)) {
    if (p.kind === "output") continue;
    if ((inputs[k] === undefined || inputs[k] === null) && p.default !== undefined) inputs[k] = p.default;
    if (inputs[k] !== undefined) inputs[k] = withNestedDefaults(inputs[k], p);
    if (p.required && (inputs[k] === undefined || inputs[k] === null || inputs[k] === "")) {
      failures.push({ property: k, reason: `Missing required property '${k}'` });
    }
    const plain = reveal(inputs[k]);
    if (p.pattern && typeof plain === "string" && plain !== UNKNOWN && !p.pattern.test(plain)) {
      failures.push({ property: k, reason: `"${k}": "${plain}" must match ${p.pattern}` });
    }
  }
  return { inputs, failures };
}

// ---- comparison -----------------------------------------------------------------------------

/** Canonical form for comparison: secrets revealed, zero values dropped, sets sorted. */
export function canonical(v: unknown, shape: Shape = {}): unknown {
  if (isSecret(v)) return canonical(v.value, shape);
  if (v === undefined || v === null || v === "" || v === 0 || v === false) return undefined;
  if (Array.isArray(v)) {
    const items = v.map((x) => canonical(x, shape.fields ? { fields: shape.fields } : {}));
    if (items.length === 0) return undefined;
    return shape.set ? [...items].sort((a, b) => (JSON.stringify(a) ?? "").localeCompare(JSON.stringify(b) ?? "")) : items;
  }
  if (typeof v === "object") {
    const out: Props = {};
    for (const k of Object.keys(v as Props).sort()) {
      const c = canonical((v as Props)[k], shape.fields?.[k] ?? {});
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v;
}

export function same(a: unknown, b: unknown, shape: Shape = {}): boolean {
  return JSON.stringify(canonical(a, shape)) === JSON.stringify(canonical(b, shape));
}

/**
 * The ports DiffSuppressFunc: same length, and every old port (by internal port) is found in the
 * new list with the same protocol (or another entry with the old protocol), external and ip.
 */
function portsUnchanged(oldV: unknown, newV: unknown): boolean {
  const olds = (reveal(oldV) ?? []) as Props[];
  const news = (reveal(newV) ?? []) as Props[];
  if (!Array.isArray(olds) || !Array.isArray(news) || olds.length !== news.length) return false;
  const norm = (x: unknown) => (x === undefined || x === null || x === "" || x === 0 ? undefined : x);
  for (const o of olds) {
    let found = false;
    for (const n of news) {
      if (n.internal !== o.internal) continue;
      if (norm(n.protocol) !== norm(o.protocol)) {
        if (news.some((m) => m.internal === o.internal && norm(m.protocol) === norm(o.protocol))) continue;
        return false;
      }
      if (n.external !== undefined && norm(n.external) !== norm(o.external)) return false;
      if (norm(n.ip) !== norm(o.ip)) return false;
      found = true;
      break;
    }
    if (!found) return false;
  }
  return true;
}

/** Whether one input property differs between stored state and new checked inputs. */
export function propertyChanged(p: Prop, oldV: unknown, newV: unknown): boolean {
  if (containsUnknown(newV)) return true;
  if (newV === undefined || newV === null) {
    // Optional+Computed keeps the stored value; a DiffSuppress on "" (user, workingDir) treats a
    // missing new value as "" too, so a value read back from the image is no change.
    if (p.computed || p.emptyNewIsNoChange) return false;
    return canonical(oldV, p) !== undefined;
  }
  if (p.emptyNewIsNoChange && reveal(newV) === "") return false;
  if (p.portsSuppress && portsUnchanged(oldV, newV)) return false;
  return !same(oldV, newV, p);
}

export type PropertyDiffKind = "add" | "add-replace" | "delete" | "delete-replace" | "update" | "update-replace";

export interface FullDiff extends DiffResult {
  /** Top-level input keys that differ (DiffResponse.diffs: what replaceOnChanges matches). */
  changed: string[];
  /** Per changed key, the kind of change (DiffResponse.detailedDiff). */
  detailed: Record<string, PropertyDiffKind>;
}

export function diff(schema: ResourceSchema, olds: Props, news: Props): FullDiff {
  const replaces: string[] = [];
  const changed: string[] = [];
  const detailed: Record<string, PropertyDiffKind> = {};
  for (const [k, p] of Object.entries(schema.props)) {
    if (p.kind === "output") continue;
    if (!propertyChanged(p, olds[k], news[k])) continue;
    changed.push(k);
    const replace = p.kind === "replace";
    if (replace) replaces.push(k);
    const base = olds[k] === undefined || olds[k] === null ? "add" : news[k] === undefined || news[k] === null ? "delete" : "update";
    detailed[k] = (replace ? `${base}-replace` : base) as PropertyDiffKind;
  }
  return {
    changes: changed.length > 0,
    replaces,
    deleteBeforeReplace: schema.deleteBeforeReplace && replaces.length > 0 ? true : undefined,
    changed,
    detailed,
  };
}
