/**
 * Rules shared by the config contract (`schema.ts`, `validate.ts`) and the CrossGuard policy pack
 * (`policies/rules.ts`), so the two say the same thing. Deliberately dependency-free: the policy
 * pack runs with its own node_modules and must not pull in zod or the Pulumi SDK through here.
 */

/** Tags that name a moving target rather than a release: an image behind them changes under a running devnet. */
export const MOVING_TAGS: readonly string[] = ["latest", "develop", "dev", "main", "master", "nightly", "edge", "stable"];

/**
 * Why an image reference is not pinned, or `undefined` when it is (a release tag or a digest).
 * The reason completes a sentence: "<ref> has no tag (Docker would pull `latest`)".
 */
export function unpinnedReason(ref: string): string | undefined {
  if (/^sha256:[0-9a-f]{64}$/.test(ref)) return undefined; // an image id: already resolved
  if (/@sha256:[0-9a-f]{64}$/.test(ref)) return undefined;
  const lastSlash = ref.lastIndexOf("/");
  const colon = ref.indexOf(":", lastSlash + 1);
  if (colon < 0) return "has no tag (Docker would pull `latest`)";
  const tag = ref.slice(colon + 1);
  if (MOVING_TAGS.includes(tag.toLowerCase())) return `uses the moving tag \`${tag}\``;
  return undefined;
}

/**
 * Chain ids of public chains. A devnet must not reuse one on either side: kona-node and
 * op-deployer look well-known ids up in their registries instead of reading the generated
 * configs, and wallets and explorers would take the devnet for the public chain.
 */
export const PUBLIC_CHAIN_IDS: Readonly<Record<number, string>> = {
  1: "Ethereum mainnet",
  10: "OP Mainnet",
  8453: "Base",
  17000: "Holesky",
  84532: "Base Sepolia",
  560048: "Hoodi",
  11155111: "Sepolia",
  11155420: "OP Sepolia",
};

/** Whether `ip` is an IPv4 loopback address (127.0.0.0/8): ports bound there are reachable from this host only. */
export function isLoopback(ip: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
}
