import type { Plan, PlannedResource } from "./run";
import { ChainIdentity, chainChangeMessage, chainChanges } from "../components/chainIdentity";

/**
 * What `pulumi preview` would say about going from one plan to another, decided the way the
 * providers decide. @pulumi/docker (terraform-provider-docker 4.x schema): almost every Container
 * input is ForceNew (replace); a few are updated in place with `docker update`; a few only change
 * the provider's state. Volumes, networks and images replace on any real change. @pulumi/random
 * regenerates on any input change. Our dynamic resources replace only on a new identity.
 */
export type Operation = "create" | "delete" | "replace" | "update";

export interface Change {
  op: Operation;
  urn: string;
  type: string;
  name: string;
  /** Input keys whose values differ (update and replace). */
  keys: string[];
}

const CONTAINER = "docker:index/container:Container";
/** Updated in place through `docker update`. */
const CONTAINER_IN_PLACE = new Set(["restart", "maxRetryCount", "cpuShares", "cpuSet", "memory", "memoryReservation", "memorySwap"]);
/** Stored in state only; the running container is not touched. */
const CONTAINER_STATE_ONLY = new Set(["healthcheck", "tmpfs", "init", "wait", "waitTimeout", "attach", "logs", "rm", "start", "destroyGraceSeconds", "removeVolumes", "mustRun"]);
const IMAGE_IN_PLACE = new Set(["keepLocally", "forceRemove"]);

function changedKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => k !== "__provider" && JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

/** The operation the provider picks for changed keys of one resource. */
export function operationFor(type: string, keys: string[], before: PlannedResource, after: PlannedResource): Operation {
  if (type === CONTAINER) {
    const forced = keys.filter((k) => !CONTAINER_IN_PLACE.has(k) && !CONTAINER_STATE_ONLY.has(k));
    // Containers with a healthcheck carry `replaceOnChanges: ["healthcheck"]` (HEALTHCHECKED).
    if (keys.includes("healthcheck") && before.inputs.healthcheck !== undefined) return "replace";
    return forced.length ? "replace" : "update";
  }
  if (type === "docker:index/remoteImage:RemoteImage") return keys.every((k) => IMAGE_IN_PLACE.has(k)) ? "update" : "replace";
  if (type.startsWith("pulumi-nodejs:dynamic/kupcake:Conductor")) {
    const identity = (r: PlannedResource) => {
      const ref = (r.inputs.member ?? r.inputs.conductor) as { serverId?: string; raftAddr?: string } | undefined;
      return `${ref?.serverId}@${ref?.raftAddr}`;
    };
    return identity(before) !== identity(after) ? "replace" : "update";
  }
  if (type.startsWith("pulumi-nodejs:dynamic/")) return "update";
  return "replace"; // volumes, networks, random values
}

/**
 * The changes between two plans, as `pulumi preview` lists them: custom resources created,
 * replaced, updated or deleted, and component resources created or deleted (the engine lists a
 * component that appears or goes, e.g. the conductor layer; it never diffs a component's inputs).
 */
export function diffPlans(before: Plan, after: Plan): Change[] {
  const byUrn = (p: Plan) => new Map(p.resources.map((r) => [r.urn, r]));
  const a = byUrn(before);
  const b = byUrn(after);
  const out: Change[] = [];
  for (const [urn, r] of b) {
    const old = a.get(urn);
    if (!old) out.push({ op: "create", urn, type: r.type, name: r.name, keys: [] });
    else if (!r.custom) continue;
    else {
      const keys = changedKeys(old.inputs, r.inputs);
      if (keys.length) out.push({ op: operationFor(r.type, keys, old, r), urn, type: r.type, name: r.name, keys });
    }
  }
  for (const [urn, r] of a) if (!b.has(urn)) out.push({ op: "delete", urn, type: r.type, name: r.name, keys: [] });
  const order: Record<Operation, number> = { create: 0, replace: 1, update: 2, delete: 3 };
  return out.sort((x, y) => order[x.op] - order[y.op] || x.name.localeCompare(y.name));
}

const SYMBOL: Record<Operation, string> = { create: "+", delete: "-", replace: "+-", update: "~" };
const shortType = (t: string) => t.replace(/^docker:index\/\w+:/, "docker:").replace(/^random:index\/\w+:/, "random:").replace(/^pulumi-nodejs:dynamic\/kupcake:/, "");

export function diffText(changes: Change[]): string {
  if (changes.length === 0) return "no changes";
  const count = (op: Operation) => changes.filter((c) => c.op === op).length;
  const lines = changes.map((c) => `${SYMBOL[c.op].padEnd(2)} ${c.op.padEnd(7)} ${shortType(c.type).padEnd(26)} ${c.name}${c.keys.length ? `  [${c.keys.join(", ")}]` : ""}`);
  return [...lines, "", `${count("create")} to create, ${count("replace")} to replace, ${count("update")} to update, ${count("delete")} to delete`].join("\n");
}

const CHAIN_IDENTITY = "pulumi-nodejs:dynamic/kupcake:ChainIdentity";

/**
 * The refusal `pulumi preview` and `up` print for going from `before` to `after` when a
 * chain-defining value changes (components/dynamic/chainIdentity.ts), or undefined when none does.
 */
export function chainRefusal(before: Plan, after: Plan): string | undefined {
  const find = (p: Plan) => p.resources.find((r) => r.type === CHAIN_IDENTITY);
  const [a, b] = [find(before), find(after)];
  if (!a || !b) return undefined;
  const wanted = b.inputs as unknown as ChainIdentity & { stack: string };
  const changes = chainChanges(a.inputs, wanted);
  return changes.length ? chainChangeMessage(wanted.stack, changes) : undefined;
}

/**
 * The `npm run plan -- --diff` report: the changes as `pulumi preview` lists them, or, when a
 * chain-defining value changes, the refusal the engine would stop with (nothing would change).
 */
export function diffReport(before: Plan, after: Plan): { text: string; refused: boolean } {
  const refusal = chainRefusal(before, after);
  if (refusal) return { text: `✖ pulumi preview and up stop here; nothing would change:\n  ${refusal}`, refused: true };
  return { text: diffText(diffPlans(before, after)), refused: false };
}
