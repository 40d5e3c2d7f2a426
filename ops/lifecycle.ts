import { LABEL } from "../components/labels";

/** A container of the stack, as `docker ps` lists it with its labels. */
export interface StackContainer {
  name: string;
  role: string;
  service: string;
  index?: number;
}

/**
 * Start order, in waves: L1 first (everything reads it), then the conductors, the sequencers,
 * validators, the chain services, monitoring last. `stop` runs the waves backwards, so L1 stops
 * last and dumps its state after nothing writes to it any more, and every sequencer stops before
 * its conductor: a sequencer still sealing after its conductor stopped leaves its head ahead of
 * the Raft head, and after a restart every new leader then fails `admin_startSequencer` with an
 * unsafe-head mismatch, forever (found on the real engine). Conductors started first wait for
 * their sequencer's handshake (op-conductor retries `admin_conductorEnabled`). One-shot jobs are
 * left alone.
 */
export const START_WAVES: readonly string[][] = [["l1"], ["conductor"], ["sequencer"], ["validator"], ["batcher", "proposer", "challenger"], ["monitoring"]];

export function lifecycleWaves(containers: StackContainer[], direction: "start" | "stop"): string[][] {
  const known = new Set(START_WAVES.flat());
  const unknown = containers.filter((c) => c.role !== "job" && !known.has(c.role));
  if (unknown.length) throw new Error(`containers with an unknown kupcake.role: ${unknown.map((c) => `${c.name} (${c.role})`).join(", ")}`);
  const waves = START_WAVES.map((roles) =>
    containers
      .filter((c) => roles.includes(c.role))
      // op-reth before kona-node within a node; lower indexes first
      .sort((a, b) => (a.index ?? 0) - (b.index ?? 0) || (a.service === "op-reth" ? -1 : 0) - (b.service === "op-reth" ? -1 : 0) || a.name.localeCompare(b.name))
      .map((c) => c.name),
  ).filter((w) => w.length > 0);
  return direction === "start" ? waves : waves.reverse().map((w) => [...w].reverse());
}

/** Which stack of which checkout the scripts act for (see components/owner.ts). */
export interface StackIdentity {
  stack: string;
  /** `kupcake.network` of the stack (its name prefix). */
  network: string;
  /** `kupcake.project` of this checkout's stack. */
  owner: string;
}

/** A container as the engine lists it, with the labels that tell whose it is. */
export interface EngineContainer extends StackContainer {
  /** `kupcake.project`, "" when absent. */
  owner: string;
  /** `kupcake.network`, "" when absent. */
  network: string;
  /** Docker's state: running, exited, created, ... */
  state: string;
}

/** `docker ps -a` arguments listing every container of the engine with the labels `parseEngineList` reads. */
export function engineListArgs(): string[] {
  const l = (k: string) => `{{.Label "${k}"}}`;
  return ["ps", "-a", "--no-trunc", "--format", ["{{.Names}}", "{{.State}}", l(LABEL.project), l(LABEL.network), l(LABEL.role), l(LABEL.service), l(LABEL.index)].join("\t")];
}

export function parseEngineList(stdout: string): EngineContainer[] {
  return stdout
    .split("\n")
    .filter((l) => l.includes("\t"))
    .map((l) => {
      const [name, state, owner, network, role, service, index] = l.split("\t");
      return { name, state, owner: owner ?? "", network: network ?? "", role: role ?? "", service: service ?? "", ...(index ? { index: Number(index) } : {}) };
    });
}

/** The containers a plan of the stack declares (one-shot jobs included), with the labels the waves use. */
export function expectedContainers(plan: { resources: { type: string; inputs: Record<string, unknown> }[] }): StackContainer[] {
  return plan.resources
    .filter((r) => r.type === "docker:index/container:Container")
    .map((r) => {
      const labels = (r.inputs.labels as { label: string; value: string }[] | undefined) ?? [];
      const label = (k: string) => labels.find((x) => x.label === k)?.value;
      const index = label(LABEL.index);
      return { name: String(r.inputs.name), role: label(LABEL.role) ?? "", service: label(LABEL.service) ?? "", ...(index ? { index: Number(index) } : {}) };
    });
}

/** A container that carries the stack's name or labels but is not one of its own. */
export interface ForeignContainer {
  name: string;
  why: string;
}

/** The engine's containers compared with the plan of the stack. */
export interface Reconciled {
  expected: StackContainer[];
  /** Expected containers found on the engine, owned by this checkout's stack. */
  found: StackContainer[];
  /** Expected long-running containers that are not there (or not ours). */
  missing: StackContainer[];
  /** Expected one-shot jobs that are not there: not needed to stop or start the devnet. */
  missingJobs: StackContainer[];
  foreign: ForeignContainer[];
}

const whose = (owner: string) =>
  owner ? `another checkout or stack (kupcake.project=${owner})` : "no Kupcake checkout (no kupcake.project label: made by hand, or by a Kupcake version without ownership labels)";

/**
 * Splits the engine's containers into the stack's own (expected by the plan AND labelled with this
 * checkout's owner), the missing ones, and the foreign ones: a container with an expected name that
 * belongs to someone else, or one that carries the stack's network label or owner label but is
 * not in the plan.
 */
export function reconcile(expected: StackContainer[], listed: EngineContainer[], id: StackIdentity): Reconciled {
  const byName = new Map(listed.map((c) => [c.name, c]));
  const expectedNames = new Set(expected.map((c) => c.name));
  const found: StackContainer[] = [];
  const missing: StackContainer[] = [];
  const missingJobs: StackContainer[] = [];
  const foreign: ForeignContainer[] = [];
  for (const e of expected) {
    const c = byName.get(e.name);
    if (c && c.owner === id.owner) found.push(e);
    else {
      if (c) foreign.push({ name: c.name, why: `has the name of a container of stack ${id.stack} but belongs to ${whose(c.owner)}` });
      (e.role === "job" ? missingJobs : missing).push(e);
    }
  }
  for (const c of listed) {
    if (expectedNames.has(c.name)) continue;
    if (c.owner === id.owner) foreign.push({ name: c.name, why: `belongs to this checkout's stack ${id.stack} but is not in its plan (the stack file changed since the last npm run up? run npm run up)` });
    else if (c.network === id.network) foreign.push({ name: c.name, why: `carries kupcake.network=${id.network} but belongs to ${whose(c.owner)}` });
  }
  return { expected, found, missing, missingJobs, foreign };
}

const services = (cs: StackContainer[]) => cs.filter((c) => c.role !== "job").length;

/** One line: how many containers the plan expects and how many of them this checkout has. */
export function reconcileSummary(r: Reconciled, id: StackIdentity): string {
  const jobs = r.expected.length - services(r.expected);
  return `stack ${id.stack} (${id.network}, kupcake.project=${id.owner}): expected ${r.expected.length} containers (${services(r.expected)} services + ${jobs} one-shot jobs), found ${r.found.length}`;
}

/** Why the scripts refuse to act, or undefined when the engine holds exactly the stack's own containers. */
export function refusal(r: Reconciled, id: StackIdentity): string | undefined {
  if (r.found.length === 0 && r.foreign.length === 0) {
    return `no container of stack ${id.stack} from this checkout exists on the engine. Is it up? Create it with: npm run up -- --stack ${id.stack}`;
  }
  if (r.missing.length === 0 && r.foreign.length === 0) return undefined;
  const lines = [`refusing: the engine does not hold exactly stack ${id.stack}'s own containers; nothing was started or stopped.`];
  if (r.missing.length) lines.push(`missing (${r.missing.length}): ${r.missing.map((c) => c.name).join(", ")}`);
  if (r.foreign.length) lines.push(`foreign (${r.foreign.length}):`, ...r.foreign.map((f) => `  ${f.name} ${f.why}`));
  lines.push(
    "Fix: run npm run up -- --stack " + id.stack + " to converge this checkout's stack; remove or rename containers that are not yours; " +
      "a second checkout needs its own stack name or kupcake:network (npm run status shows what answers).",
  );
  return lines.join("\n");
}

/** Roles whose containers must be healthy (Docker healthcheck) before the next wave starts. */
export const HEALTH_GATED_ROLES: readonly string[] = ["l1"];
/** How long `npm run start` waits for the L1 to be healthy: the time `pulumi up` waits for it. */
export const L1_HEALTHY_TIMEOUT_MS = 120_000;

/** `docker inspect` arguments printing `<health status or "none"> <container status>`. */
export function healthArgs(container: string): string[] {
  return ["inspect", "-f", "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.State.Status}}", container];
}

export interface LifecycleDeps {
  docker(args: string[]): Promise<string>;
  sleep(ms: number): Promise<void>;
  now(): number;
  log(line: string): void;
}

/** Waits until `docker inspect` reports the container healthy; throws on exit, unhealthy or timeout. */
export async function waitHealthy(container: string, deps: LifecycleDeps, timeoutMs = L1_HEALTHY_TIMEOUT_MS, pollMs = 1000): Promise<void> {
  const start = deps.now();
  let last = "";
  for (;;) {
    const [health, status] = (await deps.docker(healthArgs(container))).trim().split(/\s+/);
    last = `health=${health}, status=${status}`;
    if (health === "healthy") return;
    if (health === "none") throw new Error(`${container} has no healthcheck; cannot tell when it is ready`);
    if (status !== "running") throw new Error(`${container} is ${status} instead of becoming healthy; see: docker logs ${container}`);
    if (health === "unhealthy") throw new Error(`${container} is unhealthy; see: docker logs ${container}`);
    if (deps.now() - start >= timeoutMs) {
      throw new Error(`${container} did not become healthy within ${Math.round(timeoutMs / 1000)}s (${last}); later waves were not started; see: docker logs ${container}`);
    }
    await deps.sleep(pollMs);
  }
}

/**
 * Starts or stops the stack's containers wave by wave. On start, a wave holding a health-gated
 * role (the L1) must be healthy before the next wave starts, so sequencers never start against an
 * L1 that is still loading its state or catching up.
 */
export async function runLifecycle(containers: StackContainer[], direction: "start" | "stop", deps: LifecycleDeps, timeoutMs = L1_HEALTHY_TIMEOUT_MS): Promise<void> {
  for (const wave of lifecycleWaves(containers, direction)) {
    deps.log(`${direction === "start" ? "starting" : "stopping"}: ${wave.join(" ")}`);
    await deps.docker([direction, ...wave]);
    if (direction !== "start") continue;
    const gated = containers.filter((c) => wave.includes(c.name) && HEALTH_GATED_ROLES.includes(c.role));
    for (const c of gated) {
      deps.log(`waiting for ${c.name} to be healthy (at most ${Math.round(timeoutMs / 1000)}s)`);
      const t0 = deps.now();
      await waitHealthy(c.name, deps, timeoutMs);
      deps.log(`${c.name} is healthy after ${((deps.now() - t0) / 1000).toFixed(1)}s`);
    }
  }
}

/** Refused by `operateStack`: the message says what was expected, what was found and the fix. */
export class LifecycleRefusal extends Error {}

/**
 * `npm run stop` / `start`: lists the engine's containers, keeps only the stack's own (expected by
 * the plan and labelled with this checkout's owner), refuses on any missing or foreign container,
 * then runs the waves. Returns the summary lines it printed.
 */
export async function operateStack(direction: "start" | "stop", expected: StackContainer[], id: StackIdentity, deps: LifecycleDeps, timeoutMs = L1_HEALTHY_TIMEOUT_MS): Promise<Reconciled> {
  const r = reconcile(expected, parseEngineList(await deps.docker(engineListArgs())), id);
  deps.log(reconcileSummary(r, id));
  const why = refusal(r, id);
  if (why) throw new LifecycleRefusal(why);
  if (r.missingJobs.length) deps.log(`note: ${r.missingJobs.length} one-shot job container(s) are gone (pruned?); stop and start do not need them: ${r.missingJobs.map((c) => c.name).join(", ")}`);
  await runLifecycle(r.found, direction, deps, timeoutMs);
  deps.log(`${direction === "start" ? "started" : "stopped"} ${services(r.found)} of ${services(r.expected)} service containers of ${id.network} (one-shot jobs left alone)`);
  return r;
}
