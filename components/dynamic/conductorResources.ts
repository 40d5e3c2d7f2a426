import * as pulumi from "@pulumi/pulumi";
import { BootstrapInputs, ConductorRef, MemberInputs, bootstrapCluster, joinCluster, leaveCluster } from "./conductorCluster";
import { changedInputs, keepOutputs } from "./inputDiff";

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** Output-only keys of the bootstrap and membership resources. */
const BOOTSTRAP_OUTPUTS = ["leaderAtCreate", "startedSequencing"] as const;
const MEMBER_OUTPUTS = ["leaderAtJoin"] as const;

/**
 * Replace when the identity changes (server id, Raft address); any other input change is
 * bookkeeping (an update). `olds` are the old outputs, as the engine passes them.
 */
function identityDiff(olds: { member?: ConductorRef; conductor?: ConductorRef }, news: typeof olds, outputKeys: readonly string[]): pulumi.dynamic.DiffResult {
  const a = olds.member ?? olds.conductor;
  const b = news.member ?? news.conductor;
  const replaces = a?.serverId !== b?.serverId || a?.raftAddr !== b?.raftAddr ? ["identity"] : [];
  return { changes: changedInputs(olds, news, outputKeys).length > 0, replaces, deleteBeforeReplace: true };
}

export const bootstrapProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: BootstrapInputs) {
    const r = await bootstrapCluster(inputs);
    return { id: `raft-${inputs.conductor.serverId}`, outs: { ...inputs, leaderAtCreate: r.leader, startedSequencing: r.started } };
  },
  async diff(_id: string, olds: BootstrapInputs, news: BootstrapInputs) {
    return identityDiff(olds, news, BOOTSTRAP_OUTPUTS);
  },
  async update(_id: string, olds: BootstrapInputs, news: BootstrapInputs) {
    return { outs: { ...news, ...keepOutputs(olds, BOOTSTRAP_OUTPUTS) } };
  },
};

/**
 * The cluster start: conductor 1 leads, its sequencer produces the first block, conductor 1 is
 * resumed. Deleting it does nothing: the containers go with the conductor layer.
 */
export class ConductorClusterBootstrap extends pulumi.dynamic.Resource {
  public readonly leaderAtCreate!: pulumi.Output<string>;
  constructor(name: string, args: Inputs<BootstrapInputs>, opts?: pulumi.CustomResourceOptions) {
    super(bootstrapProvider, name, { leaderAtCreate: undefined, startedSequencing: undefined, ...args }, opts, "kupcake", "ConductorClusterBootstrap");
  }
}

export const memberProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: MemberInputs) {
    const r = await joinCluster(inputs);
    return { id: `raft-${inputs.member.serverId}`, outs: { ...inputs, leaderAtJoin: r.leader } };
  },
  async diff(_id: string, olds: MemberInputs, news: MemberInputs) {
    return identityDiff(olds, news, MEMBER_OUTPUTS);
  },
  async update(_id: string, olds: MemberInputs, news: MemberInputs) {
    return { outs: { ...news, ...keepOutputs(olds, MEMBER_OUTPUTS) } };
  },
  async delete(_id: string, props: MemberInputs) {
    await leaveCluster(props);
  },
};

/**
 * One follower's Raft membership: created after its conductor is up (add as voter on the
 * leader, resume), deleted before its containers (remove from the cluster on the leader).
 */
export class ConductorMembership extends pulumi.dynamic.Resource {
  public readonly leaderAtJoin!: pulumi.Output<string>;
  constructor(name: string, args: Inputs<MemberInputs>, opts?: pulumi.CustomResourceOptions) {
    super(memberProvider, name, { leaderAtJoin: undefined, ...args }, opts, "kupcake", "ConductorMembership");
  }
}
