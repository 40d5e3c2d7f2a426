import * as pulumi from "@pulumi/pulumi";
import { peerAnchors } from "./builders/p2p";
import { L2Node, L2NodeEndpoints, createL2Node } from "./l2Node";
import { L2SetArgs } from "./sequencerSet";

export interface ValidatorSetArgs extends L2SetArgs {
  /** Sequencer 1: every validator's fixed P2P anchor and transaction-forwarding target. */
  sequencer1: L2NodeEndpoints;
}

/**
 * The validators: `l2Nodes - sequencerCount` op-reth + kona-node pairs in validator mode. They
 * follow unsafe blocks over P2P and derive safe blocks from L1. op-reth forwards transactions to
 * sequencer 1's op-reth (a fixed anchor, so nothing here depends on the sequencer count); the
 * sequencers' execution clients share transactions over devp2p, so they reach whichever
 * sequencer is active.
 */
export class ValidatorSet extends pulumi.ComponentResource {
  public readonly nodes: L2Node[];

  constructor(name: string, args: ValidatorSetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kupcake:index:ValidatorSet", name, {}, opts);
    this.nodes = [];
    for (let k = 1; k <= args.config.validatorCount; k++) {
      const peers = peerAnchors("validator", k).map((p) => (p.role === "sequencer" ? args.sequencer1 : this.nodes[p.index - 1]));
      this.nodes.push(
        createL2Node(`${name}-${k}`, { ...args, role: "validator", index: k, peers, sequencerHttp: args.sequencer1.rpcUrl }, this),
      );
    }
    this.registerOutputs({});
  }
}
