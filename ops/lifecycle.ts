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

/** `docker ps -a` arguments that list a devnet's containers with the labels `parsePs` reads. */
export function psArgs(network: string): string[] {
  return ["ps", "-a", "--filter", `label=${LABEL.network}=${network}`, "--format", `{{.Names}}\t{{.Label "${LABEL.role}"}}\t{{.Label "${LABEL.service}"}}\t{{.Label "${LABEL.index}"}}`];
}

export function parsePs(stdout: string): StackContainer[] {
  return stdout
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => {
      const [name, role, service, index] = l.split("\t");
      return { name, role, service, ...(index ? { index: Number(index) } : {}) };
    });
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
