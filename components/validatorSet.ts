import * as pulumi from "@pulumi/pulumi";
import { sequencerOpRethP2pKey } from "./builders/opReth";
import { enode, nodeIdFromPrivateKey, peerAnchors } from "./builders/p2p";
import { MAX_SEQUENCERS } from "./config/schema";
import { L2Node, createL2Node } from "./l2Node";
import { namesFor } from "./naming";
import { CONTAINER_PORTS } from "./ports";
import { L2SetArgs } from "./sequencerSet";

export interface ValidatorSetArgs extends L2SetArgs {
  /** Sequencer 1: every validator's fixed kona-node P2P anchor; its op-reth is created first. */
  sequencer1: L2Node;
}

/**
 * The `enode://` of every sequencer slot's op-reth (1..MAX_SEQUENCERS) on `network`, whether that
 * sequencer exists or not: identities come from `sequencerOpRethP2pKey`, names from naming.ts.
 */
export function sequencerSlotEnodes(network: string): string[] {
  const n = namesFor(network);
  return Array.from({ length: MAX_SEQUENCERS }, (_, j) =>
    enode(nodeIdFromPrivateKey(sequencerOpRethP2pKey(network, j + 1)), n.opReth("sequencer", j + 1), CONTAINER_PORTS.opRethP2p),
  );
}

/**
 * A validator's op-reth `--trusted-peers`: every sequencer slot, then its earlier validators.
 * Dialing every slot keeps each validator one devp2p hop from every running sequencer, so a
 * transaction in its pool reaches the active sequencer even while any other sequencer (sequencer 1
 * included) is stopped. A slot without a container does not resolve and op-reth skips it (reth
 * re-resolves trusted peers hourly, or at once after repeated connection failures to one; see
 * builders/opReth.ts). The list depends on the network only, never on the sequencer count.
 */
export function validatorRethPeers(network: string, earlierValidators: string[]): string[] {
  return [...sequencerSlotEnodes(network), ...earlierValidators];
}

/**
 * The validators: `l2Nodes - sequencerCount` op-reth + kona-node pairs in validator mode. They
 * follow unsafe blocks over P2P and derive safe blocks from L1. op-reth does not forward
 * transactions (no `--rollup.sequencer-http`): it keeps them in its pool and gossips them over
 * devp2p to every sequencer's op-reth, and the active sequencer includes them. Evidence:
 * builders/opReth.ts.
 */
export class ValidatorSet extends pulumi.ComponentResource {
  public readonly nodes: L2Node[];

  constructor(name: string, args: ValidatorSetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kupcake:index:ValidatorSet", name, {}, opts);
    this.nodes = [];
    for (let k = 1; k <= args.config.validatorCount; k++) {
      const anchors = peerAnchors("validator", k);
      const peers = anchors.map((p) => (p.role === "sequencer" ? args.sequencer1 : this.nodes[p.index - 1]));
      const earlier = anchors.filter((p) => p.role === "validator").map((p) => this.nodes[p.index - 1].opRethEnode);
      const rethPeers = pulumi.all(earlier).apply((e) => validatorRethPeers(args.config.network, e));
      this.nodes.push(
        createL2Node(
          `${name}-${k}`,
          { ...args, role: "validator", index: k, peers, rethPeers, rethAfter: [args.sequencer1.opReth] },
          this,
        ),
      );
    }
    this.registerOutputs({});
  }
}
