import type { PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { PUBLIC_DEV_KEYS, ROLES } from "../components/accounts";
import { isLoopback, unpinnedReason } from "../components/config/guards";
import { parseImageRef } from "../components/images";
import { derivedSequencerP2pKeys } from "../components/builders/sequencerP2pKey";
import { MAX_SEQUENCERS } from "../components/config/schema";
import { LABEL } from "../components/labels";

/**
 * The devnet's guardrails, as CrossGuard policies. Pure and importable: `index.ts` only builds
 * the PolicyPack; tests call these validators with fake arguments and with the real plan's
 * resources. Each description says how to fix a violation.
 */

const CONTAINER = "docker:index/container:Container";
const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
const RANDOM_SECRETS = ["random:index/randomBytes:RandomBytes", "random:index/randomPassword:RandomPassword"];

type Props = Record<string, any>;
const labelOf = (props: Props, key: string): string | undefined =>
  (props.labels as { label: string; value: string }[] | undefined)?.find((l) => l.label === key)?.value;
/** One-shot jobs (op-deployer) run to completion; the long-running rules do not apply to them. */
const isJob = (props: Props) => props.attach === true && props.mustRun === false;
const displayName = (props: Props, fallback: string) => String(props.name ?? fallback);

// ---- images-pinned ---------------------------------------------------------------------------

// The same rule the config contract applies to kupcake:images (one function, one wording);
// guards.ts has no dependencies, so the pack does not pull in zod or the program through it.
export { unpinnedReason };

export const imagesPinned: ResourceValidationPolicy = {
  name: "images-pinned",
  description: "Images must be pinned to a release tag or a digest. Fix: set kupcake:images.<service> to a released version (e.g. `...:v1.16.3`) or `...@sha256:<digest>`, never `latest`/`develop`.",
  enforcementLevel: "mandatory",
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    const ref = args.type === REMOTE_IMAGE ? args.props.name : args.type === CONTAINER ? args.props.image : undefined;
    if (typeof ref !== "string") return;
    const why = unpinnedReason(ref);
    if (why) report(`image ${ref} ${why}`);
  },
};

// ---- ports-bind-allowed / host-ports-unique ---------------------------------------------------

interface PortConfig {
  allowedIps?: string[];
}

export const portsBindAllowed: ResourceValidationPolicy = {
  name: "ports-bind-allowed",
  description:
    "Published ports bind only to allowed addresses (default: loopback, 127.0.0.0/8, as the config contract requires without kupcake:exposePorts). Fix: keep kupcake:bindAddress at 127.0.0.1, or allow the address in this policy's `allowedIps` config for the stack.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { allowedIps: { type: "array", items: { type: "string" } } } },
  validateResource: (args, report) => {
    if (args.type !== CONTAINER) return;
    const { allowedIps } = args.getConfig<PortConfig>();
    const allowed = (ip: string) => (allowedIps ? allowedIps.includes(ip) : isLoopback(ip));
    for (const p of (args.props.ports as { external?: number; ip?: string }[] | undefined) ?? []) {
      const ip = p.ip ?? "0.0.0.0";
      if (!allowed(ip)) report(`${displayName(args.props, args.name)} publishes port ${p.external} on ${ip} (allowed: ${allowedIps ? allowedIps.join(", ") : "127.0.0.1 and the rest of 127.0.0.0/8"})`);
    }
  },
};

export const hostPortsUnique: StackValidationPolicy = {
  name: "host-ports-unique",
  description: "Every published host port is used once in the stack. Fix: move one of the colliding bases in kupcake:ports.",
  enforcementLevel: "mandatory",
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    const seen = new Map<string, string>();
    for (const r of args.resources.filter((x) => x.type === CONTAINER)) {
      for (const p of (r.props.ports as { external?: number; ip?: string }[] | undefined) ?? []) {
        const key = `${p.ip ?? "0.0.0.0"}:${p.external}`;
        const owner = displayName(r.props, r.name);
        if (seen.has(key)) report(`host port ${key} is published by ${seen.get(key)} and ${owner}`, r.urn);
        else seen.set(key, owner);
      }
    }
  },
};

// ---- no-host-access ----------------------------------------------------------------------------

export const noHostAccess: ResourceValidationPolicy = {
  name: "no-host-access",
  description: "No privileged containers, no Docker socket or host root mounts, no host network mode. Fix: remove the setting; devnet services need none of them.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== CONTAINER) return;
    const p = args.props;
    const who = displayName(p, args.name);
    if (p.privileged === true) report(`${who} is privileged`);
    if (p.networkMode === "host") report(`${who} uses the host network`);
    const sources: string[] = [
      ...((p.mounts as { type?: string; source?: string }[] | undefined) ?? []).filter((m) => m.type === "bind").map((m) => String(m.source)),
      ...((p.volumes as { hostPath?: string }[] | undefined) ?? []).map((v) => v.hostPath).filter((h): h is string => !!h),
    ];
    for (const s of sources) {
      if (/docker\.sock$/.test(s)) report(`${who} mounts the Docker socket ${s}`);
      if (s === "/") report(`${who} mounts the host root /`);
    }
  },
};

// ---- resilience: restart policy, stop grace, named volumes for chain data -----------------------

export const longRunningResilience: ResourceValidationPolicy = {
  name: "long-running-resilience",
  description: "Every long-running container restarts on failure and gets a stop grace period. Fix: set `restart: \"unless-stopped\"` and `destroyGraceSeconds`/`stopTimeout` (the components do; check custom containers).",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== CONTAINER || isJob(args.props)) return;
    const who = displayName(args.props, args.name);
    if (!["always", "unless-stopped", "on-failure"].includes(args.props.restart)) report(`${who} has no restart policy (restart: ${args.props.restart ?? "unset"})`);
    if (!(Number(args.props.destroyGraceSeconds) > 0)) report(`${who} has no stop grace period: replace and destroy would SIGKILL it`);
  },
};

/** Where each stateful service keeps its data. kona-node keeps no chain state (it derives from its op-reth and L1). */
export const DATA_DIRS: Record<string, string> = {
  "op-reth": "/data",
  "op-conductor": "/raft",
  anvil: "/data",
  prometheus: "/prometheus",
  grafana: "/var/lib/grafana",
  "op-challenger": "/data",
};

export const chainDataOnNamedVolumes: ResourceValidationPolicy = {
  name: "chain-data-on-named-volumes",
  description: "Chain data (op-reth, conductor Raft, Anvil state, Prometheus, Grafana) lives on a named Docker volume, so a replaced container resumes. Fix: mount a `docker.Volume` at the service's data directory.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== CONTAINER || isJob(args.props)) return;
    const service = labelOf(args.props, LABEL.service);
    const dir = service ? DATA_DIRS[service] : undefined;
    if (!dir) return;
    const mounts = (args.props.mounts as { type?: string; source?: string; target?: string }[] | undefined) ?? [];
    const m = mounts.find((x) => x.target === dir);
    if (!m || m.type !== "volume" || !m.source) report(`${displayName(args.props, args.name)} keeps ${service} data at ${dir} without a named volume`);
  },
};

// ---- conductor topology --------------------------------------------------------------------------

const containersWith = (resources: PolicyResource[], role: string, service?: string) =>
  resources.filter((r) => r.type === CONTAINER && labelOf(r.props, LABEL.role) === role && (!service || labelOf(r.props, LABEL.service) === service));

export const conductorTopology: StackValidationPolicy = {
  name: "conductor-topology",
  description: "With more than one sequencer: one op-conductor per sequencer and exactly one Raft bootstrap. Fix: let the Conductor component create the conductors; never add --raft.bootstrap by hand.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const sequencers = containersWith(args.resources, "sequencer", "op-reth").length;
    const conductors = containersWith(args.resources, "conductor");
    if (sequencers <= 1) {
      if (conductors.length > 0) report(`${conductors.length} conductor(s) for a single sequencer`);
      return;
    }
    if (conductors.length !== sequencers) report(`${sequencers} sequencers but ${conductors.length} conductors`);
    const bootstraps = conductors.filter((c) => ((c.props.command as string[] | undefined) ?? []).includes("--raft.bootstrap"));
    if (bootstraps.length !== 1) report(`${bootstraps.length} conductors run --raft.bootstrap; exactly one must`);
  },
};

export const oddSequencerCount: StackValidationPolicy = {
  name: "odd-sequencer-count",
  description: "Raft needs a majority: 2 sequencers tolerate no conductor failure, 3 tolerate one. Fix: use an odd kupcake:sequencerCount (3 or 5) for failover testing.",
  enforcementLevel: "advisory",
  validateStack: (args, report) => {
    const n = containersWith(args.resources, "sequencer", "op-reth").length;
    if (n > 1 && n % 2 === 0) report(`${n} sequencers: a cluster of ${n} tolerates ${n / 2 - 1} conductor failure(s), as many as ${n - 1} would`);
  },
};

// ---- kona-node under op-conductor -----------------------------------------------------------------

/**
 * The newest kona-node release known to be only partially compatible with op-conductor:
 * ethereum-optimism/optimism#21906 ("kona-node: complete op-conductor support and compatibility",
 * open; at kona-node v1.6.0 a block is committed to the conductor only after local insertion and
 * gossiped even when the commit fails, and `admin_startSequencer` checks neither leadership nor the
 * unsafe head), and the conductor acceptance tests run op-node (#21903). Later releases were not
 * read here, so they are not flagged.
 */
export const KONA_CONDUCTOR_PARTIAL_THROUGH: readonly [number, number, number] = [1, 6, 0];

/** `vX.Y.Z[-pre]` -> [X, Y, Z], or undefined for a tag that is no version (or no tag: a digest pin). */
export function releaseVersion(ref: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(parseImageRef(ref)?.tag ?? "");
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

const atMost = (v: readonly number[], max: readonly number[]) => {
  for (let i = 0; i < 3; i++) if (v[i] !== max[i]) return v[i] < max[i];
  return true;
};

/**
 * The image reference a container runs: the RemoteImage it depends on (the components pass its
 * image id, which names no release on the real engine), else its own `image` input.
 */
function imageRefOf(r: PolicyResource): string | undefined {
  const pulled = r.dependencies.find((d) => d.type === REMOTE_IMAGE && typeof d.props.name === "string");
  if (pulled) return pulled.props.name as string;
  return typeof r.props.image === "string" ? r.props.image : undefined;
}

export const konaConductorPartial: StackValidationPolicy = {
  name: "kona-conductor-partial",
  description:
    `Sequencers steered by op-conductor run kona-node at a release (<= v${KONA_CONDUCTOR_PARTIAL_THROUGH.join(".")}) whose conductor support is partial upstream ` +
    "(ethereum-optimism/optimism#21906: commits to the conductor after local insertion, gossips blocks whose commit failed, admin_startSequencer checks neither leadership nor the unsafe head; " +
    "the conductor acceptance tests run op-node, #21903), so a failover can lose or fork unsafe blocks. " +
    "Fix: set kupcake:sequencerClient to op-node (the client upstream tests op-conductor with), or pin a kona-node release that completes #21906.",
  enforcementLevel: "advisory",
  validateStack: (args, report) => {
    const managed = containersWith(args.resources, "sequencer", "kona-node").filter((r) => ((r.props.command as string[] | undefined) ?? []).includes("--conductor.rpc"));
    for (const r of managed) {
      const ref = imageRefOf(r);
      const v = ref ? releaseVersion(ref) : undefined;
      const who = displayName(r.props, r.name);
      if (!v) report(`${who} runs kona-node under op-conductor from ${ref ?? "an unknown image"}, whose release cannot be told from its reference; kona-node up to v${KONA_CONDUCTOR_PARTIAL_THROUGH.join(".")} supports op-conductor only partially (ethereum-optimism/optimism#21906). Consider kupcake:sequencerClient: op-node`, r.urn);
      else if (atMost(v, KONA_CONDUCTOR_PARTIAL_THROUGH)) report(`${who} runs kona-node v${v.join(".")} under op-conductor: its conductor support is partial upstream (ethereum-optimism/optimism#21906; conductor tests run op-node, #21903). Consider kupcake:sequencerClient: op-node`, r.urn);
    }
  },
};

// ---- secrets -------------------------------------------------------------------------------------

const HEX32 = /\b(?:0x)?[0-9a-fA-F]{64}\b/g;
/** A zero-padded 32-byte chain id (op-deployer's intent) is no key. */
const isPaddedId = (hex: string) => /^(0x)?0{48}/.test(hex);

const bareHex = (h: string) => h.replace(/^0x/, "").toLowerCase();

/**
 * 32-byte hex literals in a container's command, entrypoint, env and uploads that are neither
 * public dev keys nor values generated by a @pulumi/random resource of the stack (`generated`,
 * bare lowercase hex). The policy SDK hands policies secret values unwrapped, so on the real
 * engine a JWT from RandomBytes looks like any literal: only its origin tells them apart.
 */
export function plaintextKeys(props: Props, generated: ReadonlySet<string> = new Set()): string[] {
  const text = JSON.stringify([props.command, props.entrypoints, props.envs, props.uploads]);
  return [...new Set(text.match(HEX32) ?? [])].filter((h) => !isPaddedId(h) && !PUBLIC_DEV_KEYS.includes(bareHex(h)) && !generated.has(bareHex(h)));
}

/** The hex values the stack's RandomBytes resources generated (known once they are created). */
function randomHexValues(resources: { type: string; props: Props }[]): Set<string> {
  return new Set(resources.filter((r) => r.type === RANDOM_SECRETS[0] && typeof r.props.hex === "string").map((r) => bareHex(r.props.hex as string)));
}

export const noPlaintextSecrets: StackValidationPolicy = {
  name: "no-plaintext-secrets",
  description:
    "Engine JWTs, P2P keys and passwords come from @pulumi/random secret outputs, never literals. Public dev-mnemonic role keys (Anvil accounts 0-10) are allowed. Fix: generate the value with RandomBytes/RandomPassword and pass the output.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const generated = randomHexValues(args.resources);
    for (const r of args.resources.filter((x) => x.type === CONTAINER)) {
      const who = displayName(r.props, r.name);
      // Sequencer op-reth devp2p identities are derived from the network name and index: public by design.
      const network = ((r.props.labels as { label: string; value: string }[] | undefined) ?? []).find((l) => l.label === LABEL.network)?.value ?? "";
      const allowed = new Set([...generated, ...derivedSequencerP2pKeys(network, MAX_SEQUENCERS)]);
      for (const k of plaintextKeys(r.props, allowed)) report(`${who} carries a 32-byte hex literal ${k.slice(0, 10)}... that is not a public dev key`, r.urn);
      const secretFiles = ((r.props.uploads as { file: string }[] | undefined) ?? []).filter((u) => u.file.startsWith("/run/kupcake/"));
      const password = ((r.props.envs as string[] | undefined) ?? []).some((e) => e.startsWith("GF_SECURITY_ADMIN_PASSWORD="));
      const needsRandom = secretFiles.length > 0 || password || ((r.props.envs as string[] | undefined) ?? []).includes("[secret]");
      const fromRandom = r.dependencies.some((d) => RANDOM_SECRETS.includes(d.type));
      if (needsRandom && !fromRandom) report(`${who} gets secret material that does not come from a @pulumi/random resource`, r.urn);
      if (((r.props.envs as string[] | undefined) ?? []).includes("GF_SECURITY_ADMIN_PASSWORD=admin")) report(`${who} uses the default Grafana password`, r.urn);
    }
  },
};

// ---- validators never sign -----------------------------------------------------------------------

const SIGNER_KEY = ROLES.unsafeBlockSigner.privateKey.replace(/^0x/, "").toLowerCase();

export const validatorsWithoutSignerKey: ResourceValidationPolicy = {
  name: "validators-without-signer-key",
  description: "Only sequencers hold the unsafe-block signer key; a validator with it could sign blocks. Fix: pass --p2p.sequencer.key to the sequencers' consensus clients (kona-node or op-node) only.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== CONTAINER || labelOf(args.props, LABEL.role) === "sequencer") return;
    const text = JSON.stringify([args.props.command, args.props.entrypoints, args.props.envs, args.props.uploads]).toLowerCase();
    if (text.includes(SIGNER_KEY) || text.includes("--p2p.sequencer.key")) report(`${displayName(args.props, args.name)} (${labelOf(args.props, LABEL.role) ?? "no role"}) holds the unsafe-block signer key`);
  },
};

export const RESOURCE_POLICIES = [imagesPinned, portsBindAllowed, noHostAccess, longRunningResilience, chainDataOnNamedVolumes, validatorsWithoutSignerKey];
export const STACK_POLICIES = [hostPortsUnique, conductorTopology, oddSequencerCount, konaConductorPartial, noPlaintextSecrets];
