/**
 * Command-line parsing that rejects what the pinned upstream binary would reject. The accepted
 * flag names come from conformance/flags.json (project data, bundled into the stand-in); the
 * error messages and exit codes mimic urfave/cli v2 (Go services: exit 1) and clap (Rust: exit 2).
 */
import spec from "../../../conformance/flags.json";
import { fatal } from "./log";

interface ServiceSpec {
  style: "urfave" | "clap" | "env";
  flags?: string[];
  aliases?: Record<string, string>;
  required_flags?: string[];
  bool_flags?: string[];
  global_flags?: string[];
  global_anywhere?: string[];
  short_options?: string[];
  subcommands?: Record<string, string[]>;
  subcommand_aliases?: Record<string, string>;
  inspect_targets?: string[];
}

const SERVICES = (spec as unknown as { services: Record<string, ServiceSpec> }).services;

/** A parsed command line: flags by primary long name (`--x`), subcommand path, positionals. */
export class Cli {
  constructor(
    readonly service: string,
    readonly subcommands: string[],
    readonly flags: Map<string, string | true>,
    readonly positionals: string[],
  ) {}
  has(name: string): boolean {
    return this.flags.has(name);
  }
  /** The value of a flag given with a value (undefined if absent). */
  get(name: string): string | undefined {
    const v = this.flags.get(name);
    return v === true ? "true" : v;
  }
  /** A required value: exits 1 with an upstream-like message if missing. */
  need(name: string): string {
    const v = this.get(name);
    if (v === undefined || v === "") fatal(`${this.service}: missing required flag ${name}`);
    return v;
  }
  int(name: string, dflt: number): number {
    const v = this.get(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n)) fatal(`invalid value "${v}" for flag ${name}: parse error`);
    return n;
  }
  bool(name: string): boolean {
    const v = this.flags.get(name);
    return v === true || v === "true" || v === "1";
  }
  /** A Go duration (`2s`, `500ms`, `1m`) or plain seconds, in milliseconds. */
  duration(name: string, dfltMs: number): number {
    const v = this.get(name);
    if (v === undefined) return dfltMs;
    const ms = parseDuration(v);
    if (ms === undefined) fatal(`invalid value "${v}" for flag -${name.replace(/^--/, "")}: parse error`);
    return ms;
  }
}

/** Parses Go-style durations (`1h2m3s`, `250ms`) and bare numbers (seconds). */
export function parseDuration(v: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(v))) {
    total += Number(m[1]) * unit[m[2]];
    consumed = re.lastIndex;
  }
  return consumed === v.length && consumed > 0 ? total : undefined;
}

/** The spec of a service (exported for tests and the conductor stand-in). */
export function serviceSpec(service: string): ServiceSpec {
  const s = SERVICES[service];
  if (!s) throw new Error(`no flag spec for ${service} in conformance/flags.json`);
  return s;
}

function usageError(s: ServiceSpec, service: string, what: "unknown" | "novalue" | "required" | "subcommand" | "args", detail: string): never {
  if (s.style === "clap") {
    const msg =
      what === "unknown" ? `error: unexpected argument '${detail}' found`
      : what === "novalue" ? `error: a value is required for '${detail} <VALUE>' but none was supplied`
      : what === "required" ? `error: the following required arguments were not provided:\n${detail}`
      : what === "subcommand" ? `error: unrecognized subcommand '${detail}'`
      : `error: ${detail}`;
    fatal(`${msg}\n\nUsage: ${service} [OPTIONS] <COMMAND>\n\nFor more information, try '--help'.`, 2);
  }
  const msg =
    what === "unknown" ? `flag provided but not defined: -${detail.replace(/^-+/, "")}`
    : what === "novalue" ? `flag needs an argument: -${detail.replace(/^-+/, "")}`
    : what === "required" ? detail
    : what === "subcommand" ? `No help topic for '${detail}'`
    : detail;
  fatal(`Incorrect Usage: ${msg}\n\nCRIT Application failed message=${JSON.stringify(msg)}`, 1);
}

/**
 * Parses `argv` (the arguments after the binary name) for `service`, exiting like the real
 * binary on unknown flags, missing values, unknown subcommands and missing required flags.
 */
export function parseCli(service: string, argv: string[]): Cli {
  const s = serviceSpec(service);
  const aliases = s.aliases ?? {};
  const bools = new Set(s.bool_flags ?? []);
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  const subs: string[] = [];
  const shorts = new Set(s.short_options ?? []);

  // Which names are accepted at this point of the command line.
  let allowed: Set<string>;
  const hasSubs = !!s.subcommands;
  if (hasSubs) allowed = new Set(s.global_flags ?? []);
  else allowed = new Set(s.flags ?? []);

  let i = 0;
  let stopFlags = false;
  while (i < argv.length) {
    const a = argv[i++];
    if (!stopFlags && a === "--") {
      stopFlags = true;
      continue;
    }
    if (!stopFlags && a.startsWith("-") && a.length > 1) {
      // Short options (clap): -v, -vv, -q, -c N.
      if (s.style === "clap" && !a.startsWith("--")) {
        if (/^-v+$/.test(a) && shorts.has("-v")) continue;
        if (a === "-q" && shorts.has("-q")) continue;
        if (a === "-c" && shorts.has("-c")) {
          if (i >= argv.length) usageError(s, service, "novalue", "--chain");
          flags.set("--chain", argv[i++]);
          continue;
        }
        usageError(s, service, "unknown", a);
      }
      const eq = a.indexOf("=");
      let name = eq >= 0 ? a.slice(0, eq) : a;
      if (s.style === "urfave" && !name.startsWith("--")) name = "-" + name; // Go accepts -flag
      if (!allowed.has(name)) usageError(s, service, "unknown", name);
      const primary = aliases[name] ?? name;
      if (eq >= 0) flags.set(primary, a.slice(eq + 1));
      else if (bools.has(name) || bools.has(primary)) flags.set(primary, true);
      else {
        if (i >= argv.length) usageError(s, service, "novalue", name);
        flags.set(primary, argv[i++]);
      }
      continue;
    }
    // A non-flag argument: a subcommand (where one is expected) or a positional.
    if (hasSubs && subs.length === 0) {
      const sub = s.subcommand_aliases?.[a] ?? a;
      const subFlags = s.subcommands![sub];
      if (!subFlags) usageError(s, service, "subcommand", a);
      subs.push(sub);
      allowed = new Set(subFlags);
      for (const g of s.global_anywhere ?? []) allowed.add(g);
      continue;
    }
    if (service === "op-deployer" && subs[0] === "inspect" && subs.length === 1) {
      if (!s.inspect_targets!.includes(a)) usageError(s, service, "subcommand", a);
      subs.push(a);
      continue;
    }
    positionals.push(a);
    // urfave/cli stops parsing flags at the first positional; clap does not.
    if (s.style === "urfave") stopFlags = true;
  }
  if (hasSubs && subs.length === 0) usageError(s, service, "args", `${service} needs a subcommand (${Object.keys(s.subcommands!).join(", ")})`);
  if (service === "op-deployer" && subs[0] === "inspect" && subs.length === 1) usageError(s, service, "args", "inspect needs a target");
  if (s.style === "clap" && positionals.length > 0) usageError(s, service, "unknown", positionals[0]);

  const missing = (s.required_flags ?? []).filter((f) => !flags.has(f));
  if (missing.length > 0) {
    if (s.style === "clap") usageError(s, service, "required", missing.map((f) => `  ${f} <${f.replace(/^--/, "").replace(/[-.]/g, "_").toUpperCase()}>`).join("\n"));
    const names = missing.map((f) => f.replace(/^--/, ""));
    usageError(s, service, "required", names.length === 1 ? `Required flag "${names[0]}" not set` : `Required flags "${names.join(", ")}" not set`);
  }
  return new Cli(service, subs, flags, positionals);
}
