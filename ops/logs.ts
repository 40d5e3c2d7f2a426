/**
 * `npm run logs`: from a role and an index (`sequencer 1`, `conductor 2`, `batcher`) to the
 * container names of a stack (components/naming.ts) and `docker logs` on them.
 * The mapping is pure and checked against the plan; only `runLogs` touches Docker.
 */
import { spawn, spawnSync } from "node:child_process";
import { DevnetConfig } from "../components/config/schema";
import { DeployerJob } from "../components/builders/opDeployer";
import { namesFor } from "../components/naming";

/** A mistake in the command line: the CLI prints the message and exits 2. */
export class LogsUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LogsUsageError";
  }
}

/** What the mapping needs from the stack config. */
export type LogsConfig = Pick<DevnetConfig, "network" | "sequencerCount" | "validatorCount" | "proposer" | "challenger" | "monitoring"> &
  Partial<Pick<DevnetConfig, "sequencerClient">>;

/** The op-deployer one-shot jobs, in the order they run. */
export const DEPLOYER_STEPS: readonly DeployerJob["step"][] = ["init", "apply", "inspect-genesis", "inspect-rollup", "inspect-l1"];

interface RoleSpec {
  /** How the role takes its argument: a node index, a deployer step, or nothing. */
  arg: "index" | "step" | "none";
  help: string;
}

/** Every role `npm run logs` knows, with what it shows. */
export const LOG_ROLES: Record<string, RoleSpec> = {
  l1: { arg: "none", help: "Anvil (L1)" },
  sequencer: { arg: "index", help: "sequencer N: its consensus client (kona-node or op-node) and op-reth, lines prefixed" },
  "sequencer-cl": { arg: "index", help: "sequencer N's consensus client (kona-node or op-node) only" },
  "sequencer-el": { arg: "index", help: "sequencer N's op-reth only" },
  validator: { arg: "index", help: "validator N: its kona-node and op-reth, lines prefixed" },
  "validator-cl": { arg: "index", help: "validator N's kona-node only" },
  "validator-el": { arg: "index", help: "validator N's op-reth only" },
  conductor: { arg: "index", help: "op-conductor N (stacks with 2+ sequencers)" },
  batcher: { arg: "none", help: "op-batcher" },
  proposer: { arg: "none", help: "op-proposer" },
  challenger: { arg: "none", help: "op-challenger" },
  prometheus: { arg: "none", help: "Prometheus" },
  grafana: { arg: "none", help: "Grafana" },
  deployer: { arg: "step", help: `op-deployer jobs: all, or one step (${DEPLOYER_STEPS.join(", ")})` },
};

const span = (n: number) => (n === 0 ? "none in this stack" : n === 1 ? "1" : `1..${n}`);

/** The roles and the indexes this stack has, for usage messages. */
export function rolesHelp(cfg: LogsConfig): string {
  const count = (role: string): string | undefined => {
    if (role.startsWith("sequencer")) return span(cfg.sequencerCount);
    if (role.startsWith("validator")) return span(cfg.validatorCount);
    if (role === "conductor") return cfg.sequencerCount > 1 ? span(cfg.sequencerCount) : "none, 1 sequencer";
    return undefined;
  };
  const absent = (role: string) =>
    (role === "proposer" && !cfg.proposer) || (role === "challenger" && !cfg.challenger) || ((role === "prometheus" || role === "grafana") && !cfg.monitoring);
  const lines = Object.entries(LOG_ROLES).map(([role, s]) => {
    const arg = s.arg === "index" ? ` N (N: ${count(role)})` : s.arg === "step" ? " [STEP]" : "";
    return `  ${(role + arg).padEnd(30)} ${s.help}${absent(role) ? " (not deployed in this stack)" : ""}`;
  });
  return `roles of stack network ${cfg.network}:\n${lines.join("\n")}`;
}

/**
 * The container names for `role [arg]` in a stack, in display order. Throws LogsUsageError (exit 2)
 * for an unknown role, a missing or out-of-range index, or a service this stack does not deploy,
 * naming what was asked and what exists.
 */
export function logTargets(cfg: LogsConfig, role: string, arg?: string): string[] {
  const n = namesFor(cfg.network);
  const spec = LOG_ROLES[role];
  if (!spec) throw new LogsUsageError(`unknown role ${JSON.stringify(role)}.\n${rolesHelp(cfg)}`);
  if (spec.arg === "none" && arg !== undefined) throw new LogsUsageError(`role ${role} takes no index (got ${JSON.stringify(arg)}).`);
  if (spec.arg === "step") {
    if (arg === undefined) return DEPLOYER_STEPS.map((s) => n.deployerJob(s));
    if (!DEPLOYER_STEPS.includes(arg as DeployerJob["step"])) throw new LogsUsageError(`deployer step ${JSON.stringify(arg)} does not exist. Fix: use one of ${DEPLOYER_STEPS.join(", ")}, or none for all.`);
    return [n.deployerJob(arg)];
  }
  if (spec.arg === "index") {
    const nodeRole = role.startsWith("sequencer") || role === "conductor" ? "sequencer" : "validator";
    const total = nodeRole === "sequencer" ? cfg.sequencerCount : cfg.validatorCount;
    if (role === "conductor" && cfg.sequencerCount < 2) throw new LogsUsageError(`this stack has no conductors (kupcake:sequencerCount = 1: a lone sequencer runs without op-conductor).`);
    let index: number;
    if (arg === undefined) {
      if (total !== 1) throw new LogsUsageError(`${role} needs an index: this stack has ${nodeRole}s ${span(total)}. Fix: e.g. npm run logs -- ${role} 1.`);
      index = 1;
    } else {
      index = /^\d+$/.test(arg) ? Number(arg) : NaN;
      if (!(index >= 1 && index <= total)) {
        throw new LogsUsageError(`${role} ${JSON.stringify(arg)} does not exist: this stack has ${nodeRole}s ${span(total)}${role === "conductor" ? " (one conductor each)" : ""}. Fix: pick an index in that range.`);
      }
    }
    if (role === "conductor") return [n.conductor(index)];
    const cl = n.consensusNode(nodeRole, index, cfg.sequencerClient);
    if (role.endsWith("-cl")) return [cl];
    if (role.endsWith("-el")) return [n.opReth(nodeRole, index)];
    return [cl, n.opReth(nodeRole, index)];
  }
  const deployed: Record<string, [boolean, string, string]> = {
    l1: [true, n.anvil, ""],
    batcher: [true, n.batcher, ""],
    proposer: [cfg.proposer, n.proposer, "kupcake:proposer is false"],
    challenger: [cfg.challenger, n.challenger, "kupcake:challenger is false"],
    prometheus: [cfg.monitoring, n.prometheus, "kupcake:monitoring is false"],
    grafana: [cfg.monitoring, n.grafana, "kupcake:monitoring is false"],
  };
  const [on, name, why] = deployed[role];
  if (!on) throw new LogsUsageError(`${role} is not deployed in this stack (${why}).`);
  return [name];
}

/** `docker logs` options. */
export interface LogsOptions {
  follow: boolean;
  /** Lines from the end of each log; undefined = all. */
  tail?: number;
  timestamps: boolean;
}

/** The parsed command line of `npm run logs`. */
export interface LogsArgs extends LogsOptions {
  role: string;
  arg?: string;
  stack: string;
}

export const LOGS_USAGE =
  "usage: npm run logs -- <role> [index|step] [--follow|-f] [--tail N] [--timestamps|-t] [--stack NAME]\n" +
  "  Prints the container name(s) of the role, then their `docker logs`. Several containers (sequencer N,\n" +
  "  validator N, deployer): one after the other, or with --follow interleaved, each line prefixed.";

/** Parses `npm run logs` arguments; `"help"` for --help/-h; throws LogsUsageError on anything wrong. */
export function parseLogsArgs(argv: string[]): LogsArgs | "help" {
  const positional: string[] = [];
  const out: Omit<LogsArgs, "role"> = { follow: false, timestamps: false, stack: process.env.KUPCAKE_STACK || "dev" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") return "help";
    if (a === "--follow" || a === "-f") out.follow = true;
    else if (a === "--timestamps" || a === "-t") out.timestamps = true;
    else if (a === "--tail" || a === "-n") {
      const v = argv[++i];
      if (v === undefined || !/^\d+$/.test(v)) throw new LogsUsageError(`--tail ${v === undefined ? "needs a value" : JSON.stringify(v) + " is not a number of lines"}. Fix: e.g. --tail 100 (0 for none; leave it out for all).`);
      out.tail = Number(v);
    } else if (a === "--stack") {
      const v = argv[++i];
      if (v === undefined || v.startsWith("-")) throw new LogsUsageError("--stack needs a value. Fix: e.g. --stack dev.");
      out.stack = v;
    } else if (a.startsWith("-")) throw new LogsUsageError(`unknown option ${a}.`);
    else positional.push(a);
  }
  if (positional.length === 0) throw new LogsUsageError("missing <role>: whose logs to show.");
  if (positional.length > 2) throw new LogsUsageError(`too many arguments: ${positional.slice(2).join(" ")} (expected <role> [index]).`);
  return { ...out, role: positional[0], ...(positional[1] !== undefined ? { arg: positional[1] } : {}) };
}

/** The `docker` argument list for one container's logs. */
export function dockerLogsArgs(container: string, o: LogsOptions): string[] {
  return ["logs", ...(o.follow ? ["--follow"] : []), ...(o.tail !== undefined ? ["--tail", String(o.tail)] : []), ...(o.timestamps ? ["--timestamps"] : []), container];
}

/** The short prefix of a container's lines when several are shown: its name without the network. */
export const linePrefix = (network: string, container: string) => container.startsWith(network + "-") ? container.slice(network.length + 1) : container;

/** A container's state (`running`, `exited`, ...) or undefined when it does not exist. Throws when the docker CLI is missing. */
export function containerState(name: string): string | undefined {
  const r = spawnSync("docker", ["inspect", "--format", "{{.State.Status}}", name], { encoding: "utf8" });
  if (r.error) throw new Error(`the docker CLI could not run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}). Fix: install Docker or put docker on PATH.`);
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Prints `==> <container> (<state>) <==` to stderr for each container, then its `docker logs` (the
 * container's stdout to stdout, its stderr to stderr). One container, or several without
 * --follow: one after the other. Several with --follow: interleaved, each line prefixed with the
 * container name less the network. Resolves with the exit code: 0, 1 when a container does not
 * exist (named, with the fix), or docker's own code.
 */
export async function runLogs(network: string, containers: string[], o: LogsOptions): Promise<number> {
  const states = containers.map((c) => ({ c, state: containerState(c) }));
  const missing = states.filter((s) => !s.state);
  if (missing.length > 0) {
    console.error(`kupcake logs: no container ${missing.map((m) => m.c).join(", ")} on this Docker engine. Fix: is the stack up (\`npm run up\`, \`npm run status\`)? Deployer jobs exist only after a first \`up\`.`);
    return 1;
  }
  const header = (c: string, state?: string) => console.error(`==> ${c} (${state}) <==`);
  if (!o.follow || containers.length === 1) {
    let code = 0;
    for (const { c, state } of states) {
      header(c, state);
      code = (await new Promise<number>((resolve) => spawn("docker", dockerLogsArgs(c, o), { stdio: "inherit" }).on("close", (x) => resolve(x ?? 1)))) || code;
    }
    return code;
  }
  for (const { c, state } of states) header(c, state);
  const width = Math.max(...containers.map((c) => linePrefix(network, c).length));
  const codes = await Promise.all(
    containers.map(
      (c) =>
        new Promise<number>((resolve) => {
          const child = spawn("docker", dockerLogsArgs(c, o), { stdio: ["ignore", "pipe", "pipe"] });
          const prefix = `${linePrefix(network, c).padEnd(width)} | `;
          const pipe = (from: NodeJS.ReadableStream, to: NodeJS.WritableStream) => {
            let rest = "";
            from.on("data", (d: Buffer) => {
              const lines = (rest + d.toString("utf8")).split("\n");
              rest = lines.pop() ?? "";
              for (const l of lines) to.write(prefix + l + "\n");
            });
            from.on("end", () => rest && to.write(prefix + rest + "\n"));
          };
          pipe(child.stdout!, process.stdout);
          pipe(child.stderr!, process.stderr);
          child.on("close", (x) => resolve(x ?? 1));
        }),
    ),
  );
  return codes.find((x) => x !== 0) ?? 0;
}
