import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { SequencerEndpoints } from "./builders/chainServices";
import { RAFT_DIR, opConductorCommand } from "./builders/opConductor";
import { ARTIFACTS_MOUNT } from "./builders/opDeployer";
import { DevnetConfig } from "./config/schema";
import { LONG_RUNNING, hostUrl, internalUrl, labels, namedVolume, onNetwork } from "./containers";
import { ConductorRef } from "./dynamic/conductorCluster";
import { ConductorClusterBootstrap, ConductorMembership } from "./dynamic/conductorResources";
import { L2Node } from "./l2Node";
import { namesFor, raftServerId } from "./naming";
import { CONTAINER_PORTS, conductorHostPort, dockerPorts, nodeHostPorts } from "./ports";

export interface ConductorArgs {
  config: DevnetConfig;
  networkName: pulumi.Input<string>;
  artifactsVolume: pulumi.Input<string>;
  image: pulumi.Input<string>;
  /** The sequencers, in index order; one conductor is created per sequencer. */
  sequencers: L2Node[];
}

/** Poll period of the cluster-formation waits. */
const FORMATION_POLL_MS = 1000;

/** A conductor as the cluster-formation code on the host reaches it. */
export function conductorRef(cfg: DevnetConfig, index: number): ConductorRef {
  const n = namesFor(cfg.network);
  return {
    serverId: raftServerId(index),
    raftAddr: `${n.conductor(index)}:${CONTAINER_PORTS.conductorRaft}`,
    rpcUrl: hostUrl(cfg.bindAddress, conductorHostPort(cfg, index)),
  };
}

/**
 * op-conductor high availability: one op-conductor per sequencer (a conductor steers exactly one
 * sequencer), all in one Raft cluster, plus the resources that form that cluster. Only the Raft
 * leader's sequencer produces blocks; when it fails, another conductor wins the election and
 * starts its own sequencer; a recovered node rejoins as follower.
 */
export class Conductor extends pulumi.ComponentResource {
  public readonly containers: docker.Container[];
  /** Equal-length lists of the conductors' RPCs (their leader-only proxies), in sequencer order. */
  public readonly endpoints: SequencerEndpoints;
  /** Resolves once the cluster has all its voters and every conductor is resumed. */
  public readonly formed: pulumi.Output<string[]>;

  constructor(name: string, args: ConductorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kupcake:index:Conductor", name, {}, opts);
    const cfg = args.config;
    const n = namesFor(cfg.network);
    const wait = { timeoutMs: cfg.readinessTimeout * 1000, pollMs: FORMATION_POLL_MS };
    this.containers = [];
    const formation: pulumi.CustomResource[] = [];
    for (const seq of args.sequencers) {
      const i = seq.index;
      const containerName = n.conductor(i);
      const spec = { network: cfg.network, role: "conductor", index: i, service: "op-conductor" };
      const raft = namedVolume(`${name}-${i}-raft`, n.conductorVolume(i), spec, this);
      const container = new docker.Container(
        `${name}-${i}`,
        {
          name: containerName,
          image: args.image,
          command: opConductorCommand({
            serverId: raftServerId(i),
            containerName,
            bootstrap: i === 1,
            nodeRpc: seq.konaRpcUrl,
            executionRpc: seq.rpcUrl,
            l2BlockTime: cfg.l2BlockTime,
          }),
          mounts: [
            { type: "volume", source: raft.name, target: RAFT_DIR },
            { type: "volume", source: args.artifactsVolume, target: ARTIFACTS_MOUNT, readOnly: true },
          ],
          networksAdvanced: onNetwork(args.networkName, containerName),
          ports: dockerPorts(cfg, containerName),
          labels: labels(spec),
          ...LONG_RUNNING,
        },
        { parent: this, dependsOn: [seq.opReth, seq.konaNode] },
      );
      this.containers.push(container);
      const ref = conductorRef(cfg, i);
      if (i === 1) {
        formation.push(
          new ConductorClusterBootstrap(
            `${name}-cluster`,
            { conductor: ref, konaRpcUrl: hostUrl(cfg.bindAddress, nodeHostPorts(cfg, "sequencer", 1).konaRpc), ...wait },
            { parent: this, dependsOn: [container] },
          ),
        );
      } else {
        const anchors = Array.from({ length: i - 1 }, (_, j) => conductorRef(cfg, j + 1));
        formation.push(
          new ConductorMembership(
            `${name}-${i}-membership`,
            { member: ref, anchors, ...wait },
            // After the bootstrap (a leader exists). Joins may run in parallel: the leader applies
            // membership changes one at a time, and a join retries when leadership moves.
            { parent: this, dependsOn: [container, formation[0]] },
          ),
        );
      }
    }
    const conductorRpcs = args.sequencers.map((s) => internalUrl(n.conductor(s.index), CONTAINER_PORTS.conductorRpc));
    this.endpoints = { l2EthRpcs: conductorRpcs, rollupRpcs: conductorRpcs };
    this.formed = pulumi.all(formation.map((f) => f.urn));
    this.registerOutputs({ formed: this.formed });
  }
}
