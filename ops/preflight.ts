// The port preflight `npm run up` runs before anything is pulled or created:
//   node --import tsx ops/preflight.ts --stack NAME [--dir PROJECT_DIR]   (--dir: where Pulumi.<stack>.yaml is)
// Takes every host port the stack publishes from its offline plan (the containers' `ports` inputs,
// so `kupcake:ports` and `kupcake:portOffset` count as they will on the engine) and refuses when one
// is taken by anything but this stack's own running containers: another container (named, with its
// kupcake.project) or a process outside Docker (found by trying to bind the port).
// Exit code 0 all free or ours, 1 a port is taken (the message says which, by what, and the fix),
// 2 bad arguments or stack config.
import { createServer } from "node:net";
import { ConfigError } from "../components/config/validate";
import { LABEL } from "../components/labels";
import { ownerLabel } from "../components/owner";
import { PROJECT_DIR, runPlan } from "../plan/run";
import { docker } from "./dockerControl";

/** One host port the plan publishes. */
export interface PlannedPort {
  ip: string;
  port: number;
  container: string;
  service: string;
  role: string;
  index?: number;
  /** The port inside the container. */
  internal: number;
}

/** The published host ports of every container in a plan. */
export function plannedPorts(plan: { resources: { type: string; inputs: Record<string, unknown> }[] }): PlannedPort[] {
  return plan.resources
    .filter((r) => r.type === "docker:index/container:Container")
    .flatMap((r) => {
      const labels = (r.inputs.labels as { label: string; value: string }[] | undefined) ?? [];
      const label = (k: string) => labels.find((l) => l.label === k)?.value;
      const index = label(LABEL.index);
      const ports = (r.inputs.ports as { external?: number; internal: number; ip?: string; protocol?: string }[] | undefined) ?? [];
      return ports
        .filter((p) => typeof p.external === "number" && (p.protocol ?? "tcp") === "tcp")
        .map((p) => ({
          ip: p.ip ?? "0.0.0.0",
          port: p.external!,
          internal: p.internal,
          container: String(r.inputs.name),
          service: label(LABEL.service) ?? "?",
          role: label(LABEL.role) ?? "?",
          ...(index ? { index: Number(index) } : {}),
        }));
    })
    .sort((a, b) => a.port - b.port);
}

/** A running container with its published TCP ports. */
export interface PortHolder {
  name: string;
  /** `kupcake.project`, "" when absent. */
  owner: string;
  bindings: { ip: string; port: number }[];
}

/** `docker ps` (running containers only: stopped ones hold no port) with names, owner label and ports. */
export function portHoldersArgs(): string[] {
  return ["ps", "--no-trunc", "--format", `{{.Names}}\t{{.Label "${LABEL.project}"}}\t{{.Ports}}`];
}

/**
 * Parses docker's Ports column: `127.0.0.1:8545->8545/tcp, 0.0.0.0:9090->9090/tcp, :::9090->9090/tcp,
 * [::]:3000->3000/tcp, 0.0.0.0:8000-8002->8000-8002/tcp, 7300/tcp` (the last one is not published).
 */
export function parsePortBindings(column: string): { ip: string; port: number }[] {
  const out: { ip: string; port: number }[] = [];
  for (const entry of column.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^(.*):(\d+)(?:-(\d+))?->[^/]+\/(\w+)$/.exec(entry);
    if (!m || m[4] !== "tcp") continue;
    const ip = m[1].replace(/^\[(.*)\]$/, "$1");
    const from = Number(m[2]);
    const to = m[3] ? Number(m[3]) : from;
    for (let p = from; p <= to && p - from < 1000; p++) out.push({ ip: ip || "::", port: p });
  }
  return out;
}

export function parsePortHolders(stdout: string): PortHolder[] {
  return stdout
    .split("\n")
    .filter((l) => l.includes("\t"))
    .map((l) => {
      const [name, owner, ports] = l.split("\t");
      return { name, owner: owner ?? "", bindings: parsePortBindings(ports ?? "") };
    });
}

const WILDCARDS = new Set(["0.0.0.0", "::", ""]);
/** Whether binds on `a` and `b` (same port) collide: same address, or either is a wildcard. */
export const addressesCollide = (a: string, b: string) => a === b || WILDCARDS.has(a) || WILDCARDS.has(b);

/** A planned port that is not free for this stack. */
export interface PortConflict {
  planned: PlannedPort;
  /** The containers holding it (none: a process outside Docker, found by the bind probe). */
  holders: PortHolder[];
}

/**
 * Judges every planned port: fine when free, or when one of this stack's own containers
 * (`kupcake.project` = `owner`) holds it (a re-`up`); a conflict when a foreign container holds it,
 * or when nothing in `docker ps` does but the port cannot be bound (`bindable` false).
 */
export function portConflicts(planned: PlannedPort[], holders: PortHolder[], owner: string, bindable: (p: PlannedPort) => boolean | undefined): PortConflict[] {
  const out: PortConflict[] = [];
  for (const p of planned) {
    const on = holders.filter((h) => h.bindings.some((b) => b.port === p.port && addressesCollide(b.ip, p.ip)));
    if (on.some((h) => h.owner === owner)) continue;
    if (on.length) out.push({ planned: p, holders: on });
    else if (bindable(p) === false) out.push({ planned: p, holders: [] });
  }
  return out;
}

const what = (p: PlannedPort) => `${p.service} of ${p.role}${p.index !== undefined && p.role !== "job" ? ` ${p.index}` : ""} (${p.container}, port ${p.internal} inside)`;

/** The refusal: every taken port, what holds it, and the fix. */
export function conflictMessage(conflicts: PortConflict[], stack: string, network: string): string {
  const lines = [`kupcake: refusing npm run up of stack ${stack} (${network}): ${conflicts.length} host port(s) it publishes are taken; nothing was pulled or created.`];
  for (const c of conflicts) {
    const holder = c.holders.length
      ? c.holders.map((h) => `container ${h.name} (${h.owner ? `kupcake.project=${h.owner}` : "not a Kupcake container"})`).join(", ")
      : `a process outside Docker (find it: ss -ltnp 'sport = :${c.planned.port}' or lsof -nP -iTCP:${c.planned.port} -sTCP:LISTEN)`;
    lines.push(`  ${c.planned.ip}:${c.planned.port} for ${what(c.planned)} is held by ${holder}`);
  }
  lines.push(
    "  Fix: stop the other devnet (npm run stop -- --stack OTHER in its checkout, or docker stop <container>), " +
      `or move this stack's ports: set kupcake:portOffset (e.g. pulumi config set kupcake:portOffset 10 --stack ${stack}, or in Pulumi.${stack}.yaml) or kupcake:ports. ` +
      "KUPCAKE_PREFLIGHT=off skips this check.",
  );
  return lines.join("\n");
}

/** Whether `ip:port` can be bound here now (undefined: cannot tell, e.g. an address this host does not have). */
export function tryBind(ip: string, port: number): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "EADDRINUSE" || e.code === "EACCES" ? false : undefined));
    srv.listen({ host: ip, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** The bind probe speaks for the engine only when the engine publishes on this host. */
export const engineIsLocal = (dockerHost = process.env.DOCKER_HOST) => !dockerHost || dockerHost.startsWith("unix://") || dockerHost.startsWith("npipe://");

export interface PreflightResult {
  planned: PlannedPort[];
  conflicts: PortConflict[];
  notes: string[];
}

export async function preflight(
  planned: PlannedPort[],
  owner: string,
  deps: { docker(args: string[]): Promise<string>; bind(ip: string, port: number): Promise<boolean | undefined>; local: boolean },
): Promise<PreflightResult> {
  const notes: string[] = [];
  let holders: PortHolder[] = [];
  try {
    holders = parsePortHolders(await deps.docker(portHoldersArgs()));
  } catch (e) {
    notes.push(`docker ps failed (${(e as Error).message}); checked by binding only`);
  }
  const bindable = new Map<string, boolean | undefined>();
  if (deps.local) for (const p of planned) bindable.set(`${p.ip}:${p.port}`, await deps.bind(p.ip, p.port));
  else notes.push("DOCKER_HOST is not local: ports are checked against docker ps only");
  return { planned, conflicts: portConflicts(planned, holders, owner, (p) => bindable.get(`${p.ip}:${p.port}`)), notes };
}

const USAGE = "usage: node --import tsx ops/preflight.ts --stack NAME [--dir PROJECT_DIR]   (npm run up runs it)";

async function main() {
  const argv = process.argv.slice(2);
  let stack = process.env.KUPCAKE_STACK || "dev";
  let dir = PROJECT_DIR;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if ((a === "--stack" || a === "--dir") && argv[i + 1] && !argv[i + 1].startsWith("--")) {
      if (a === "--stack") stack = argv[++i];
      else dir = argv[++i];
    } else {
      console.error(`unknown or incomplete argument ${a}\n${USAGE}`);
      process.exit(2);
    }
  }
  let plan;
  try {
    plan = await runPlan(stack, [], dir);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    console.error(`kupcake: port preflight skipped: the offline plan failed (${(e as Error).message}); pulumi up will report the same`);
    process.exit(0);
  }
  // The owner label comes from where this code lives, as in the program (components/containers.ts).
  const owner = ownerLabel(stack);
  const r = await preflight(plannedPorts(plan), owner, { docker, bind: tryBind, local: engineIsLocal() });
  for (const n of r.notes) console.error(`kupcake: port preflight: ${n}`);
  if (r.conflicts.length) {
    console.error(conflictMessage(r.conflicts, stack, plan.config.network));
    process.exit(1);
  }
  console.error(`kupcake: port preflight: the ${r.planned.length} host ports of stack ${stack} are free or held by its own containers`);
  process.exit(0);
}

if (require.main === module) {
  main().catch((e) => {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    console.error(`kupcake: port preflight failed: ${(e as Error).message ?? e}`);
    process.exit(1);
  });
}
