/**
 * Docker label keys on every container and volume of a devnet, so `docker ps --filter label=...`,
 * the operator scripts and the policy pack find them. No dependencies: the policy pack imports it.
 */
export const LABEL = {
  network: "kupcake.network",
  role: "kupcake.role",
  index: "kupcake.index",
  service: "kupcake.service",
} as const;
