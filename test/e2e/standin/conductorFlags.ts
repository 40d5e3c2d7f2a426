import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

/**
 * op-conductor's command line, parsed the way its CLI library does it (Go's flag package under
 * urfave/cli): `--name value`, `--name=value`, one or two leading dashes, booleans take no separate
 * value (`--name` or `--name=false`), parsing stops at the first non-flag argument or `--`, and every
 * flag can also come from the environment as `OP_CONDUCTOR_<NAME>` (dots and dashes as underscores).
 *
 * The set of accepted names (and which of them are booleans) is the one recorded for op-conductor in
 * conformance/flags.json (shared with the conformance checks) when that file is readable next to the
 * sources, otherwise the copy embedded below (the same list, from upstream-flags.json).
 */

/** Every long option op-conductor accepts (v0.9.x window), recorded in /work/shared/reference/upstream-flags.json. */
export const EMBEDDED_FLAGS = [
  "--consensus.addr", "--consensus.port", "--raft.server.id", "--raft.storage.dir", "--node.rpc",
  "--execution.rpc", "--healthcheck.interval", "--healthcheck.unsafe-interval", "--healthcheck.min-peer-count",
  "--consensus.advertised", "--paused", "--rpc.enable-proxy", "--raft.bootstrap", "--healthcheck.safe-enabled",
  "--healthcheck.safe-interval", "--raft.snapshot-interval", "--raft.snapshot-threshold", "--raft.trailing-logs",
  "--raft.heartbeat-timeout", "--raft.lease-timeout", "--supervisor.rpc", "--rollup-boost.enabled",
  "--rollup-boost.healthcheck-timeout", "--healthcheck.execution-p2p-enabled",
  "--healthcheck.execution-p2p-min-peer-count", "--healthcheck.execution-p2p-rpc-url",
  "--healthcheck.execution-p2p-check-api", "--healthcheck.rollup-boost-partial-healthiness-tolerance-limit",
  "--healthcheck.rollup-boost-partial-healthiness-tolerance-interval-seconds", "--rpc.addr", "--rpc.port",
  "--rpc.enable-admin", "--log.level", "--log.format", "--log.color", "--log.pid", "--metrics.enabled",
  "--metrics.addr", "--metrics.port", "--pprof.enabled", "--pprof.addr", "--pprof.port", "--pprof.path",
  "--pprof.type", "--override.canyon", "--override.delta", "--override.ecotone", "--override.fjord",
  "--override.granite", "--override.holocene", "--override.pectrablobschedule", "--override.isthmus",
  "--override.jovian", "--override.interop", "--network", "--rollup.config", "--rollupboost.ws-url",
  "--websocket.server-port",
];

/** Flags that must be set explicitly (op-conductor's CheckRequired); one of --rollup.config / --network too. */
export const REQUIRED_FLAGS = [
  "consensus.addr", "consensus.port", "raft.server.id", "raft.storage.dir", "node.rpc", "execution.rpc",
  "healthcheck.interval", "healthcheck.unsafe-interval", "healthcheck.min-peer-count",
];

/** Boolean flags: present means true, and they never consume the next argument. */
const BOOL_FLAGS = [
  "paused", "rpc.enable-proxy", "raft.bootstrap", "healthcheck.safe-enabled", "rollup-boost.enabled",
  "healthcheck.execution-p2p-enabled", "rpc.enable-admin", "log.color", "log.pid", "metrics.enabled",
  "pprof.enabled", "rollup-boost.next-enabled", "raft.round-robin-leader-transfer",
];

const strip = (f: string) => f.replace(/^-+/, "");

interface ConformanceEntry {
  flags?: unknown;
  bool_flags?: unknown;
}

const isFlagList = (l: unknown): l is string[] => Array.isArray(l) && l.length > 0 && l.every((f) => typeof f === "string" && f.startsWith("-"));

/** op-conductor's entry in conformance/flags.json (`services["op-conductor"]`), when readable. */
function conformanceEntry(): ConformanceEntry | undefined {
  try {
    const file = resolve(__dirname, "../../../conformance/flags.json");
    if (!existsSync(file)) return undefined;
    const json = JSON.parse(readFileSync(file, "utf8")) as { services?: Record<string, ConformanceEntry> } & Record<string, unknown>;
    const entry = (json.services?.["op-conductor"] ?? json["op-conductor"]) as ConformanceEntry | undefined;
    return entry && isFlagList(entry.flags) ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** The accepted flag names without dashes. */
export function acceptedFlags(): Set<string> {
  const list = conformanceEntry()?.flags;
  return new Set((isFlagList(list) ? list : EMBEDDED_FLAGS).map(strip));
}

/** Names (without dashes) of the flags that take no separate value. */
function boolFlags(): Set<string> {
  const list = conformanceEntry()?.bool_flags;
  return new Set([...BOOL_FLAGS, ...(isFlagList(list) ? list.map(strip) : [])]);
}

/** A usage error: the message the real binary prints, exit code 1. */
export class FlagError extends Error {}

export type FlagValues = Map<string, string>;

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Parses argv (everything after the binary name) plus OP_CONDUCTOR_* environment variables. */
export function parseConductorFlags(argv: string[], env: NodeJS.ProcessEnv = process.env): FlagValues {
  const known = acceptedFlags();
  const bools = boolFlags();
  const values: FlagValues = new Map();
  for (const name of known) {
    const envName = "OP_CONDUCTOR_" + name.toUpperCase().replace(/[.-]/g, "_");
    const v = env[envName];
    if (v !== undefined && v !== "") values.set(name, v);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") break;
    if (!arg.startsWith("-") || arg === "-") break; // positional arguments end flag parsing
    const body = strip(arg);
    const eq = body.indexOf("=");
    const name = eq >= 0 ? body.slice(0, eq) : body;
    if (name === "h" || name === "help") throw new FlagError("help requested");
    if (!known.has(name)) throw new FlagError(`flag provided but not defined: -${name}`);
    if (bools.has(name)) {
      const v = eq >= 0 ? body.slice(eq + 1) : "true";
      if (!TRUE.has(v) && !FALSE.has(v)) throw new FlagError(`invalid boolean value "${v}" for -${name}: parse error`);
      values.set(name, TRUE.has(v) ? "true" : "false");
      continue;
    }
    if (eq >= 0) {
      values.set(name, body.slice(eq + 1));
      continue;
    }
    if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: -${name}`);
    values.set(name, argv[++i]);
  }
  return values;
}

/** The typed settings the stand-in uses. */
export interface ConductorConfig {
  consensusAddr: string;
  consensusPort: number;
  advertised: string;
  serverId: string;
  storageDir: string;
  bootstrap: boolean;
  paused: boolean;
  nodeRpc: string;
  executionRpc: string;
  rollupConfigPath?: string;
  network?: string;
  healthInterval: number;
  unsafeInterval: number;
  minPeerCount: number;
  safeEnabled: boolean;
  safeInterval: number;
  rpcAddr: string;
  rpcPort: number;
  enableProxy: boolean;
  metricsEnabled: boolean;
  metricsAddr: string;
  metricsPort: number;
  logLevel: string;
}

function uint(values: FlagValues, name: string, def?: number): number {
  const raw = values.get(name);
  if (raw === undefined) {
    if (def === undefined) throw new FlagError(`flag ${name} is required`);
    return def;
  }
  if (!/^\d+$/.test(raw.trim())) throw new FlagError(`invalid value "${raw}" for flag -${name}: parse error`);
  return Number(raw.trim());
}

const bool = (values: FlagValues, name: string, def: boolean) => (values.has(name) ? values.get(name) === "true" || TRUE.has(values.get(name)!) : def);

/** Checks required flags and value ranges like op-conductor's config check; throws FlagError. */
export function conductorConfig(values: FlagValues): ConductorConfig {
  const missing = REQUIRED_FLAGS.filter((f) => !values.has(f));
  if (missing.length > 0) throw new FlagError(`flag ${missing[0]} is required` + (missing.length > 1 ? ` (also missing: ${missing.slice(1).join(", ")})` : ""));
  if (!values.has("rollup.config") && !values.has("network")) throw new FlagError("one of the flags network or rollup.config must be set");
  if (values.has("rollup.config") && values.has("network")) throw new FlagError("flags network and rollup.config are mutually exclusive");
  const cfg: ConductorConfig = {
    consensusAddr: values.get("consensus.addr")!,
    consensusPort: uint(values, "consensus.port"),
    advertised: values.get("consensus.advertised") ?? "",
    serverId: values.get("raft.server.id")!,
    storageDir: values.get("raft.storage.dir")!,
    bootstrap: bool(values, "raft.bootstrap", false),
    paused: bool(values, "paused", false),
    nodeRpc: values.get("node.rpc")!,
    executionRpc: values.get("execution.rpc")!,
    rollupConfigPath: values.get("rollup.config"),
    network: values.get("network"),
    healthInterval: uint(values, "healthcheck.interval"),
    unsafeInterval: uint(values, "healthcheck.unsafe-interval"),
    minPeerCount: uint(values, "healthcheck.min-peer-count"),
    safeEnabled: bool(values, "healthcheck.safe-enabled", false),
    safeInterval: uint(values, "healthcheck.safe-interval", 1200),
    rpcAddr: values.get("rpc.addr") ?? "0.0.0.0",
    rpcPort: uint(values, "rpc.port", 8545),
    enableProxy: bool(values, "rpc.enable-proxy", true),
    metricsEnabled: bool(values, "metrics.enabled", false),
    metricsAddr: values.get("metrics.addr") ?? "0.0.0.0",
    metricsPort: uint(values, "metrics.port", 7300),
    logLevel: (values.get("log.level") ?? "info").toLowerCase(),
  };
  if (cfg.serverId === "") throw new FlagError("flag raft.server.id is required");
  if (cfg.storageDir === "") throw new FlagError("flag raft.storage.dir is required");
  if (cfg.healthInterval === 0) throw new FlagError("invalid config: missing health check interval");
  if (cfg.safeInterval === 0) throw new FlagError("invalid config: missing safe interval");
  if (cfg.minPeerCount === 0) throw new FlagError("invalid config: missing minimum peer count");
  for (const [flag, url] of [["node.rpc", cfg.nodeRpc], ["execution.rpc", cfg.executionRpc]] as const) {
    if (!/^https?:\/\//.test(url)) throw new FlagError(`invalid config: --${flag} must be an http(s) URL, got "${url}"`);
  }
  if (!["trace", "debug", "info", "warn", "error", "crit"].includes(cfg.logLevel)) throw new FlagError(`unrecognized level: "${cfg.logLevel}"`);
  return cfg;
}
