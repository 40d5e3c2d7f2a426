/**
 * Docker label keys on every container and volume of a devnet, so `docker ps --filter label=...`,
 * the operator scripts and the policy pack find them. No dependencies: the policy pack imports it.
 */
export const LABEL = {
  network: "kupcake.network",
  role: "kupcake.role",
  index: "kupcake.index",
  service: "kupcake.service",
  /**
   * Ownership: `<stack>@<checkout id>` (see components/owner.ts). Two checkouts using the same
   * stack name on one engine carry different values, so the operator scripts (stop, start, drill,
   * the port preflight) act only on their own checkout's containers. Never depends on the topology.
   */
  project: "kupcake.project",
} as const;
