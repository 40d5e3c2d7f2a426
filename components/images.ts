/**
 * Default container images, one pinned release per service.
 *
 * Every tag here is a released version, never a moving tag such as `latest` or `develop`
 * (Kupcake's floating tags are the reason its devnets broke without a code change).
 * Each entry says where the tag comes from; the README's configuration reference lists the same table for users (generated).
 * Override any of them per stack with `kupcake:images: { <service>: "<ref>" }`.
 */
export const DEFAULT_IMAGES = {
  /** Foundry v1.7.1 (2026-05-08): the same release as the npm `@foundry-rs/anvil` the tests run. */
  anvil: "ghcr.io/foundry-rs/foundry:v1.7.1",
  /** op-deployer v0.7.1: the stable release OP Labs' own dev-preview devnets deploy with. */
  opDeployer: "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-deployer:v0.7.1",
  /** op-reth v2.4.1 (monorepo `op-reth/v2.4.1`), from the same known-good combination. */
  opReth: "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-reth:v2.4.1",
  /** kona-node v1.6.0 (monorepo `kona-node/v1.6.0`), from the same combination. */
  konaNode: "us-docker.pkg.dev/oplabs-tools-artifacts/images/kona-node:v1.6.0",
  /**
   * op-node v1.19.0 (monorepo `op-node/v1.19.0`, 2026-06-01, commit fffe406 = the `kona-node/v1.6.0`
   * commit; its rc.1 is the `op-batcher/v1.16.10` commit): the newest final op-node release in the
   * mirror read (conformance/pins/opNode.json). Runs only as the sequencers' consensus client with
   * `kupcake:sequencerClient: op-node`.
   */
  opNode: "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-node:v1.19.0",
  /** op-conductor v0.9.4. */
  opConductor: "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-conductor:v0.9.4",
  /** op-batcher v1.16.10. */
  opBatcher: "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-batcher:v1.16.10",
  /** op-proposer v1.16.3. */
  opProposer: "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-proposer:v1.16.3",
  /** op-challenger v1.9.4. */
  opChallenger: "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-challenger:v1.9.4",
  /** Prometheus v3.5.5 (2026-07-08), the newest patch of the 3.5 long-term-support line. */
  prometheus: "prom/prometheus:v3.5.5",
  /** Grafana 12.2.1 (Grafana tags carry no "v"). */
  grafana: "grafana/grafana:12.2.1",
} as const;

export type ServiceImage = keyof typeof DEFAULT_IMAGES;
export const IMAGE_KEYS = Object.keys(DEFAULT_IMAGES) as ServiceImage[];

/** The parts of a Docker image reference. */
export interface ImageRef {
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

// registry host[:port] / path components / :tag / @sha256:digest, per the distribution spec grammar.
const IMAGE_REF =
  /^(?:(?<registry>(?:[a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+(?::\d+)?)\/(?=.))?(?<repository>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

/** Parses an image reference; `undefined` when it does not parse. */
export function parseImageRef(ref: string): ImageRef | undefined {
  const m = IMAGE_REF.exec(ref);
  if (!m?.groups) return undefined;
  let registry: string | undefined = m.groups.registry;
  let repository = m.groups.repository;
  // "foo/bar" has no registry: only a first component with a dot, a port or "localhost" names one.
  if (registry && !/[.:]/.test(registry) && registry !== "localhost") {
    repository = `${registry}/${repository}`;
    registry = undefined;
  }
  if (/[A-Z]/.test(repository)) return undefined; // repositories are lowercase; only a registry host may not be
  return { registry, repository, tag: m.groups.tag, digest: m.groups.digest };
}
