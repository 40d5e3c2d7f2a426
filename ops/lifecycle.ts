import { LABEL } from "../components/labels";

/** A container of the stack, as `docker ps` lists it with its labels. */
export interface StackContainer {
  name: string;
  role: string;
  service: string;
  index?: number;
}

/**
 * Start order, in waves: L1 first (everything reads it), then sequencers, their conductors,
 * validators, the chain services, monitoring last. `stop` runs the waves backwards, so L1 stops
 * last and dumps its state after nothing writes to it any more. One-shot jobs are left alone.
 */
export const START_WAVES: readonly string[][] = [["l1"], ["sequencer"], ["conductor"], ["validator"], ["batcher", "proposer", "challenger"], ["monitoring"]];

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
