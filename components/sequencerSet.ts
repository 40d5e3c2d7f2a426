import * as pulumi from "@pulumi/pulumi";
import { peerAnchors } from "./builders/p2p";
import { DevnetConfig } from "./config/schema";
import { hostUrl, internalUrl } from "./containers";
import { L2Node, createL2Node } from "./l2Node";
import { namesFor } from "./naming";
import { CONTAINER_PORTS, nodeHostPorts } from "./ports";

export interface L2SetArgs {
  config: DevnetConfig;
  networkName: pulumi.Input<string>;
  /** Resolves after the op-deployer jobs succeeded. */
  artifactsVolume: pulumi.Input<string>;
  l1RpcUrl: string;
  opRethImage: pulumi.Input<string>;
  konaNodeImage: pulumi.Input<string>;
  /** op-node image, pulled only when `config.sequencerClient` is op-node (the sequencers' consensus client then). */
  opNodeImage?: pulumi.Input<string>;
  /** Resources the set's kona-nodes are created after (sequencers: the conductor-layer retirement). */
  konaAfter?: pulumi.Resource[];
}

/** Whether the sequencers are steered by an op-conductor Raft cluster (more than one sequencer). */
export const usesConductor = (cfg: Pick<DevnetConfig, "sequencerCount">) => cfg.sequencerCount > 1;

/** Host endpoints of one L2 node, as exported by the stack. */
export interface NodeHostEndpoints {
  container: string;
  rpc: string;
  ws: string;
  kona: string;
}

export function nodeHostEndpoints(cfg: DevnetConfig, node: Pick<L2Node, "role" | "index" | "opRethName">): NodeHostEndpoints {
  const p = nodeHostPorts(cfg, node.role, node.index);
  return {
    container: node.opRethName,
    rpc: hostUrl(cfg.bindAddress, p.rpc),
    ws: hostUrl(cfg.bindAddress, p.ws, "ws"),
    kona: hostUrl(cfg.bindAddress, p.konaRpc),
  };
}

/**
 * The sequencers: `sequencerCount` op-reth + consensus-client pairs in sequencer mode; the client
 * is `kupcake:sequencerClient` (kona-node by default, or op-node: builders/opNode.ts). With one
 * sequencer it sequences from the start. With more, each consensus client starts stopped and
 * points at its own op-conductor (`<network>-op-conductor-<i>`), which the Conductor component
 * creates and forms into one Raft cluster.
 */
export class SequencerSet extends pulumi.ComponentResource {
  public readonly nodes: L2Node[];

  constructor(name: string, args: L2SetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kupcake:index:SequencerSet", name, {}, opts);
    const cfg = args.config;
    const n = namesFor(cfg.network);
    this.nodes = [];
    for (let i = 1; i <= cfg.sequencerCount; i++) {
      this.nodes.push(
        createL2Node(
          `${name}-${i}`,
          {
            ...args,
            role: "sequencer",
            index: i,
            peers: peerAnchors("sequencer", i).map((p) => this.nodes[p.index - 1]),
            conductorRpc: usesConductor(cfg) ? internalUrl(n.conductor(i), CONTAINER_PORTS.conductorRpc) : undefined,
          },
          this,
        ),
      );
    }
    this.registerOutputs({});
  }
}
