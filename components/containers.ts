import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

import { LABEL } from "./labels";
import { ownerLabel } from "./owner";

export { LABEL };

export interface LabelSpec {
  network: string;
  /** l1 | sequencer | validator | conductor | batcher | proposer | challenger | monitoring | job */
  role: string;
  service: string;
  index?: number;
}

/**
 * The labels of a container, volume or network. Every one also carries the ownership label
 * (`kupcake.project` = stack @ checkout id), taken from the running stack, so no caller can forget it.
 */
export function labels(s: LabelSpec): { label: string; value: string }[] {
  return [
    { label: LABEL.network, value: s.network },
    { label: LABEL.project, value: ownerLabel(pulumi.getStack()) },
    { label: LABEL.role, value: s.role },
    { label: LABEL.service, value: s.service },
    ...(s.index !== undefined ? [{ label: LABEL.index, value: String(s.index) }] : []),
  ];
}

/** Seconds a container gets to flush and exit on stop, replace or destroy (the provider's default is SIGKILL at once). */
export const STOP_GRACE_SECONDS = 30;

/** Settings every long-running service shares: restart policy, stop grace, bounded logs. */
export const LONG_RUNNING = {
  restart: "unless-stopped",
  destroyGraceSeconds: STOP_GRACE_SECONDS,
  stopTimeout: STOP_GRACE_SECONDS,
  logDriver: "json-file",
  logOpts: { "max-size": "50m", "max-file": "3" },
} as const;

/**
 * Resource options for every container that defines a Docker healthcheck: the provider stores a
 * changed healthcheck without touching the running container, so a change must replace it.
 * (`plan --diff` applies the same rule to any container with a healthcheck.)
 */
export const HEALTHCHECKED: { replaceOnChanges: string[] } = { replaceOnChanges: ["healthcheck"] };

/** Attaches a container to the devnet network under its own name, so peers reach it by DNS. */
export const onNetwork = (networkName: pulumi.Input<string>, containerName: string) => [
  { name: networkName, aliases: [containerName] },
];

/** A named volume with the stack's labels; chain data outlives container replacement. */
export function namedVolume(
  logicalName: string,
  volumeName: string,
  spec: LabelSpec,
  parent: pulumi.Resource,
): docker.Volume {
  return new docker.Volume(logicalName, { name: volumeName, labels: labels(spec) }, { parent });
}

/** The host-side URL of a published port: a wildcard bind is reached through loopback. */
export function hostUrl(bindAddress: string, port: number, scheme = "http"): string {
  const host = bindAddress === "0.0.0.0" ? "127.0.0.1" : bindAddress;
  return `${scheme}://${host}:${port}`;
}

/** `http://<container>:<port>` on the devnet network. */
export const internalUrl = (container: string, port: number, scheme = "http") => `${scheme}://${container}:${port}`;
