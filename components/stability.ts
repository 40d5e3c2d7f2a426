/**
 * The stability contract: which existing resources a change of `sequencerCount` / `l2Nodes` may
 * touch. Everything else keeps byte-identical inputs, so Pulumi leaves it alone (almost every
 * Docker container input forces a replacement). Tests and `npm run bench` check plans against
 * this list; it is the one place that names it.
 */
export interface ScaleDependent {
  /** Logical resource name relative to the Devnet component, e.g. `services-batcher`. */
  name: string;
  /** Why its inputs have to follow the topology. */
  why: string;
}

export const SCALE_DEPENDENT: readonly ScaleDependent[] = [
  { name: "services-batcher", why: "lists every sequencer's endpoint (conductor proxies) to follow the active one" },
  { name: "services-proposer", why: "lists every sequencer's rollup endpoint to follow the active one" },
  { name: "services-challenger", why: "reads from sequencer 1 directly or through the conductor layer, which appears with the second sequencer" },
  { name: "monitoring-prometheus", why: "its scrape config lists every node (TSDB on a named volume survives the replace)" },
  { name: "readiness", why: "checks every sequencer and conductor after each change" },
];

/**
 * Crossing between one sequencer and several adds or removes the conductor layer: sequencer
 * kona-nodes then gain or lose `--conductor.rpc` / `--sequencer.stopped`, so they are replaced
 * (their op-reth, chain data and keys stay). No other scale step touches them.
 */
export const CONDUCTOR_LAYER_TOGGLE_DEPENDENT = /^sequencers-\d+-(kona|op)-node$/;

/** Whether an existing resource may change when going from `before` to `after` sequencers. */
export function mayChangeOnScale(relativeName: string, before: { sequencerCount: number }, after: { sequencerCount: number }): boolean {
  if (SCALE_DEPENDENT.some((s) => s.name === relativeName)) return true;
  const toggled = (before.sequencerCount > 1) !== (after.sequencerCount > 1);
  return toggled && CONDUCTOR_LAYER_TOGGLE_DEPENDENT.test(relativeName);
}

/** The node a resource belongs to, from its logical name: `sequencers-2-...` or `conductor-2...`. */
export function nodeOf(relativeName: string): { role: "sequencer" | "validator"; index: number } | undefined {
  const m = /^(sequencers|validators|conductor)-(\d+)(-|$)/.exec(relativeName);
  if (!m) return undefined;
  return { role: m[1] === "validators" ? "validator" : "sequencer", index: Number(m[2]) };
}
