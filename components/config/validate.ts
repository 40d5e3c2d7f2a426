import { z } from "zod";
import { publishedPorts } from "../ports";
import { CONFIG_KEYS, ConfigInputSchema, ConfigKey, DevnetConfig, MAX_SEQUENCERS, resolveConfig } from "./schema";

/** A configuration that breaks the contract. `message` is what the user sees, without a stack trace. */
export class ConfigError extends Error {
  constructor(
    readonly stack: string,
    readonly problems: string[],
  ) {
    super(
      `Invalid kupcake stack config (stack "${stack}"): ${problems.length} problem${problems.length === 1 ? "" : "s"}\n` +
        problems.map((p) => `  ✖ ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

const show = (v: unknown) => (v === undefined ? "(unset)" : JSON.stringify(v));

function lookup(raw: Record<string, unknown>, path: PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const seg of path) v = v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
  return v;
}

/** Levenshtein distance, for "did you mean" hints on typos. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
  return d[a.length][b.length];
}

function suggest(key: string, known: readonly string[]): string {
  const lower = key.toLowerCase();
  const prefixed = known.find((k) => k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase()));
  const best = prefixed ?? [...known].sort((x, y) => distance(key, x) - distance(key, y))[0];
  const close = prefixed !== undefined || (best !== undefined && distance(key, best) <= Math.max(2, Math.floor(key.length / 3)));
  return close ? `did you mean \`${best}\`? ` : "";
}

function describeIssue(issue: z.core.$ZodIssue, raw: Record<string, unknown>): string[] {
  const top = String(issue.path[0] ?? "") as ConfigKey;
  const key = `kupcake:${issue.path.map(String).join(".")}`;
  const help = CONFIG_KEYS[top];
  if (issue.code === "unrecognized_keys") {
    const nested = issue.path.length > 0 ? (ConfigInputSchema.shape[top] as unknown as z.ZodOptional<z.ZodObject>).unwrap() : undefined;
    const known = nested ? Object.keys(nested.shape) : Object.keys(CONFIG_KEYS);
    return issue.keys.map((k) => {
      const full = issue.path.length === 0 ? `kupcake:${k}` : `${key}.${k}`;
      return `${full} is not a known key. Fix: ${suggest(k, known)}remove it or use one of: ${known.join(", ")}.`;
    });
  }
  const value = lookup(raw, issue.path);
  let what = issue.message;
  if (issue.code === "invalid_type") what = `must be ${issue.expected === "int" ? "an integer" : `a ${issue.expected}`}`;
  else if (issue.code === "too_small") what = `must be at least ${issue.minimum}`;
  else if (issue.code === "too_big") what = `must be at most ${issue.maximum}`;
  else if (issue.code === "invalid_value") what = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  return [`${key} = ${show(value)}: ${what} (${help?.rule ?? "see docs/configuration.md"}). Fix: ${help?.fix ?? "correct the value"}.`];
}

/** Cross-field rules, checked on the resolved config. */
function crossFieldProblems(cfg: DevnetConfig, raw: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (cfg.sequencerCount > cfg.l2Nodes) {
    problems.push(
      `kupcake:sequencerCount = ${cfg.sequencerCount}: must be at most kupcake:l2Nodes (${cfg.l2Nodes}), since validators = l2Nodes - sequencerCount. ` +
        `Fix: raise kupcake:l2Nodes to at least ${cfg.sequencerCount} or lower kupcake:sequencerCount to at most ${Math.min(cfg.l2Nodes, MAX_SEQUENCERS)}.`,
    );
  }
  if (cfg.l1ChainId === cfg.l2ChainId) {
    problems.push(
      `kupcake:l2ChainId = ${cfg.l2ChainId}: must differ from kupcake:l1ChainId (${cfg.l1ChainId}). Fix: ${CONFIG_KEYS.l2ChainId.fix}.`,
    );
  }
  if (cfg.challenger && !cfg.challengerPrestatesUrl) {
    problems.push(
      `kupcake:challenger = true: op-challenger's permissioned trace type needs an absolute prestate and none is configured. ` +
        `Fix: set kupcake:challengerPrestatesUrl to a URL serving \`<prestate-hash>.json\` files (op-challenger --prestates-url), or set kupcake:challenger to false.`,
    );
  }
  if (raw.challengerPrestatesUrl !== undefined && !cfg.challenger) {
    problems.push(
      `kupcake:challengerPrestatesUrl = ${show(raw.challengerPrestatesUrl)}: has no effect while kupcake:challenger is false. Fix: set kupcake:challenger to true or remove the key.`,
    );
  }
  if (problems.length > 0) return problems; // port layout depends on the counts being sane
  const seen = new Map<number, string>();
  for (const p of publishedPorts(cfg)) {
    const owner = `${p.purpose} of ${p.container}`;
    if (p.external < 1024 || p.external > 65535) {
      problems.push(`kupcake:ports: ${owner} would be published on ${p.external}, outside 1024..65535. Fix: lower the matching base in kupcake:ports.`);
    } else if (seen.has(p.external)) {
      problems.push(
        `kupcake:ports: host port ${p.external} is used twice (${seen.get(p.external)} and ${owner}). ` +
          `Fix: move one of the two bases in kupcake:ports so the ranges (base + 100 per node) do not overlap.`,
      );
    } else seen.set(p.external, owner);
  }
  return problems;
}

/** Validates raw `kupcake:*` values (keys without the `kupcake:` prefix) and resolves defaults. */
export function validateConfig(stack: string, raw: Record<string, unknown>): DevnetConfig {
  const parsed = ConfigInputSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(stack, parsed.error.issues.flatMap((i) => describeIssue(i, raw)));
  const cfg = resolveConfig(stack, parsed.data);
  const problems = crossFieldProblems(cfg, raw);
  if (problems.length > 0) throw new ConfigError(stack, problems);
  return cfg;
}

/**
 * Turns a stack-file value as Pulumi hands it over (always a string) into a typed value:
 * JSON when it parses (numbers, booleans, objects), else the string itself.
 */
export function parseConfigValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Keys whose values are strings even when they look like JSON (a network named "123"). */
const STRING_KEYS = new Set<string>(["network", "bindAddress", "challengerPrestatesUrl", "dataAvailability"]);

/** Validates the flat `<project>:<key>` map Pulumi exposes (`pulumi.runtime.allConfig()`). */
export function validateAllConfig(stack: string, all: Record<string, string>, project = "kupcake"): DevnetConfig {
  const raw: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(all)) {
    const [ns, ...rest] = fullKey.split(":");
    if (ns !== project) continue;
    const key = rest.join(":");
    raw[key] = STRING_KEYS.has(key) ? value : parseConfigValue(value);
  }
  return validateConfig(stack, raw);
}
