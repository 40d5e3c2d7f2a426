import { z } from "zod";
import { PublishedPort, publishedPorts } from "../ports";
import { chainParamProblems } from "./chain";
import { isLoopback } from "./guards";
import { CONFIG_KEYS, ConfigInputSchema, ConfigKey, DevnetConfig, MAX_SEQUENCERS, NESTED_KEYS, PortBases, chainSettings, resolveConfig } from "./schema";

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

/** Levenshtein distance (case-insensitive), for "did you mean" hints on typos. */
export function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
  return d[a.length][b.length];
}

/** The known key `key` is probably a typo of, if any. */
function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const prefixed = known.find((k) => k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase()));
  const best = prefixed ?? [...known].sort((x, y) => distance(key, x) - distance(key, y))[0];
  const close = prefixed !== undefined || (best !== undefined && distance(key, best) <= Math.max(2, Math.floor(key.length / 3)));
  return close ? best : undefined;
}

function suggest(key: string, known: readonly string[]): string {
  const best = closest(key, known);
  return best !== undefined ? `did you mean \`${best}\`? ` : "";
}

/** The object-valued keys (`images`, `ports`): their nested keys are checked too. */
const OBJECT_KEYS = Object.keys(NESTED_KEYS) as (keyof typeof NESTED_KEYS)[];

function unknownKey(full: string, k: string, known: readonly string[], atTop: boolean): string {
  const dot = k.indexOf(".");
  const parent = k.slice(0, dot);
  if (atTop && dot > 0 && (OBJECT_KEYS as string[]).includes(parent)) {
    // `pulumi config set kupcake:images.opReth ...` without --path writes a flat key with a dot.
    const child = k.slice(dot + 1);
    const children = Object.keys((ConfigInputSchema.shape[parent as keyof typeof NESTED_KEYS] as unknown as z.ZodOptional<z.ZodObject>).unwrap().shape);
    const fixed = children.includes(child) ? child : closest(child, children);
    const path = `kupcake:${parent}.${fixed ?? child}`;
    return (
      `${full} is not a known key: \`${parent}\` is an object, its keys are nested. ` +
      `Fix: ${fixed && fixed !== child ? `did you mean \`${parent}.${fixed}\`? ` : ""}set it with \`pulumi config set --path '${path}' <value>\` or nest it under \`kupcake:${parent}:\` in the stack file.`
    );
  }
  return `${full} is not a known key. Fix: ${suggest(k, known)}remove it or use one of: ${known.join(", ")}.`;
}

function describeIssue(issue: z.core.$ZodIssue, raw: Record<string, unknown>): string[] {
  const top = String(issue.path[0] ?? "") as ConfigKey;
  const key = `kupcake:${issue.path.map(String).join(".")}`;
  const nestedHelp = issue.path.length >= 2 ? NESTED_KEYS[top as keyof typeof NESTED_KEYS] : undefined;
  const help = nestedHelp ?? CONFIG_KEYS[top];
  if (issue.code === "unrecognized_keys") {
    const nested = issue.path.length > 0 ? (ConfigInputSchema.shape[top] as unknown as z.ZodOptional<z.ZodObject>).unwrap() : undefined;
    const known = nested ? Object.keys(nested.shape) : Object.keys(CONFIG_KEYS);
    return issue.keys.map((k) => unknownKey(issue.path.length === 0 ? `kupcake:${k}` : `${key}.${k}`, k, known, issue.path.length === 0));
  }
  const value = lookup(raw, issue.path);
  let what = issue.message;
  // Every number in the contract is an integer; say so as the Pulumi CLI does ("must be of type 'integer'").
  if (issue.code === "invalid_type") what = `must be ${issue.expected === "int" || issue.expected === "number" ? "an integer" : issue.expected === "object" ? "an object (a YAML mapping)" : `a ${issue.expected}`}`;
  else if (issue.code === "too_small") what = `must be at least ${issue.minimum}`;
  else if (issue.code === "too_big") what = `must be at most ${issue.maximum}`;
  else if (issue.code === "not_multiple_of") what = `must be a multiple of ${issue.divisor}`;
  else if (issue.code === "invalid_value") what = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  return [`${key} = ${show(value)}: ${what} (${help?.rule ?? "see docs/configuration.md"}). Fix: ${help?.fix ?? "correct the value"}.`];
}

/** Port range and collision problems, one per base (or pair of bases), not one per node. */
function portProblems(cfg: DevnetConfig, raw: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const userPorts = (raw.ports ?? {}) as Partial<PortBases>;
  const baseValue = (b: keyof PortBases) => `kupcake:ports.${b} = ${cfg.ports[b] - cfg.portOffset}${userPorts[b] === undefined ? " (default)" : ""}`;
  const withOffset = cfg.portOffset ? ` with kupcake:portOffset = ${cfg.portOffset}` : "";
  const owner = (p: PublishedPort) => `${p.purpose} of ${p.container}`;
  const ports = publishedPorts(cfg);
  const highest = new Map<keyof PortBases, PublishedPort>();
  for (const p of ports) if (p.external > 65535 && (highest.get(p.base)?.external ?? 0) < p.external) highest.set(p.base, p);
  for (const [b, p] of highest) {
    const most = cfg.ports[b] - cfg.portOffset - (p.external - 65535);
    problems.push(
      `${baseValue(b)}${withOffset}: ${owner(p)} would be published on ${p.external}, past 65535 (host ports are base + 100 per node + portOffset). ` +
        `Fix: lower kupcake:ports.${b} to at most ${most}${cfg.portOffset ? " or lower kupcake:portOffset" : ""}, or run fewer nodes.`,
    );
  }
  const seen = new Map<number, PublishedPort>();
  const reported = new Set<string>();
  for (const p of ports) {
    const first = seen.get(p.external);
    if (!first) {
      seen.set(p.external, p);
      continue;
    }
    const pair = [first.base, p.base].sort().join("/");
    if (reported.has(pair)) continue;
    reported.add(pair);
    // Name the base the user set (the likelier culprit) first.
    const [a, b] = userPorts[p.base] !== undefined || userPorts[first.base] === undefined ? [p.base, first.base] : [first.base, p.base];
    problems.push(
      `${baseValue(a)}${withOffset}: host port ${p.external} is used twice (${owner(first)} and ${owner(p)}). ` +
        (a === b
          ? `Fix: move kupcake:ports.${a} so it does not overlap itself.`
          : `Fix: move kupcake:ports.${a} or kupcake:ports.${b} so their ranges (base + 100 per node) do not overlap.`),
    );
  }
  return problems;
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
  if (cfg.l2BlockTime > cfg.blockTime) {
    problems.push(
      `kupcake:l2BlockTime = ${cfg.l2BlockTime}: must be at most kupcake:blockTime (${cfg.blockTime}${raw.blockTime === undefined ? ", the default" : ""}): ` +
        `each L2 block can advance its L1 origin by one L1 block only, so slower L2 blocks fall ever further behind L1 until the sequencer drift limit stops the chain. ` +
        `Fix: lower kupcake:l2BlockTime to at most ${cfg.blockTime} or raise kupcake:blockTime to at least ${cfg.l2BlockTime}.`,
    );
  }
  if (!isLoopback(cfg.bindAddress) && !cfg.exposePorts) {
    problems.push(
      `kupcake:bindAddress = ${show(cfg.bindAddress)}: is not a loopback address, so every RPC of the devnet (whose dev keys are public) would be reachable from other machines, which needs an explicit opt-in. ` +
        `Fix: set kupcake:exposePorts to true (and allow the address in the policy pack, see README "Policies"), or keep kupcake:bindAddress at 127.0.0.1.`,
    );
  }
  if (raw.exposePorts === true && isLoopback(cfg.bindAddress)) {
    problems.push(
      `kupcake:exposePorts = true: has no effect while kupcake:bindAddress is ${cfg.bindAddress} (loopback). ` +
        `Fix: set kupcake:bindAddress to the address to publish on (e.g. 0.0.0.0), or remove kupcake:exposePorts.`,
    );
  }
  const opNodeImage = (raw.images as Record<string, unknown> | undefined)?.opNode;
  if (opNodeImage !== undefined && cfg.sequencerClient !== "op-node") {
    problems.push(
      `kupcake:images.opNode = ${show(opNodeImage)}: has no effect while kupcake:sequencerClient is ${cfg.sequencerClient} (op-node runs only as the sequencers' consensus client). ` +
        `Fix: set kupcake:sequencerClient to op-node, or remove kupcake:images.opNode.`,
    );
  }
  problems.push(...chainParamProblems(chainSettings(cfg), cfg.l2BlockTime, (raw.hardforks ?? {}) as Record<string, unknown>));
  if (problems.length > 0) return problems; // port layout depends on the counts being sane
  return portProblems(cfg, raw);
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
const STRING_KEYS = new Set<string>(["network", "bindAddress", "challengerPrestatesUrl", "dataAvailability", "sequencerClient"]);

/**
 * Whether config namespace `ns` looks like a misspelling of `project` (`kupcak`, `Kupcake`,
 * `cupcake`, `kupcake-dev`): such keys reach no one and would be silently ignored. Namespaces of
 * Pulumi itself and of providers (`pulumi`, `docker`, `random`, ...) are far from it and pass.
 */
export function misspeltNamespace(ns: string, project = "kupcake"): boolean {
  if (ns === project) return false;
  const a = ns.toLowerCase();
  return a.includes(project) || distance(a, project) <= 2;
}

/**
 * Validates the flat `<namespace>:<key>` map Pulumi exposes (`pulumi.runtime.allConfig()`): the
 * `<project>:*` keys through `validateConfig`, plus a check that no key sits in a namespace that
 * merely looks like the project's. Other namespaces (`pulumi:`, `docker:`, ...) are left alone.
 */
export function validateAllConfig(stack: string, all: Record<string, string>, project = "kupcake"): DevnetConfig {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [fullKey, value] of Object.entries(all)) {
    const [ns, ...rest] = fullKey.split(":");
    const key = rest.join(":");
    if (ns !== project) {
      if (key && misspeltNamespace(ns, project)) {
        problems.push(
          `${fullKey} = ${show(value)}: is in namespace \`${ns}\`, not \`${project}\`, so nothing reads it and it would be silently ignored. ` +
            `Fix: rename it to ${project}:${key}.`,
        );
      }
      continue;
    }
    raw[key] = STRING_KEYS.has(key) ? value : parseConfigValue(value);
  }
  let cfg: DevnetConfig;
  try {
    cfg = validateConfig(stack, raw);
  } catch (e) {
    if (e instanceof ConfigError && problems.length > 0) throw new ConfigError(stack, [...problems, ...e.problems]);
    throw e;
  }
  if (problems.length > 0) throw new ConfigError(stack, problems);
  return cfg;
}
