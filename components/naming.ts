/**
 * Container, volume and network names. Every name a user sees in `docker ps` comes from here,
 * so the docs, the drill and the status command agree with what is deployed.
 * Nodes are numbered from 1, as in Kupcake's multi-sequencer guide.
 */
export type NodeRole = "sequencer" | "validator";

/** The consensus clients a sequencer can run (`kupcake:sequencerClient`); validators always run kona-node. */
export const SEQUENCER_CLIENTS = ["kona-node", "op-node"] as const;
export type SequencerClient = (typeof SEQUENCER_CLIENTS)[number];

/** The consensus client node `index` of `role` runs: the stack's sequencer client for sequencers, kona-node for validators. */
export const consensusClientOf = (role: NodeRole, sequencerClient: SequencerClient = "kona-node"): SequencerClient =>
  role === "sequencer" ? sequencerClient : "kona-node";

export function namesFor(network: string) {
  return {
    dockerNetwork: `${network}-network`,
    anvil: `${network}-anvil`,
    l1StateVolume: `${network}-anvil-state`,
    artifactsVolume: `${network}-l1-artifacts`,
    deployerJob: (step: string) => `${network}-op-deployer-${step}`,
    opReth: (role: NodeRole, index: number) => `${network}-op-reth-${role}-${index}`,
    opRethVolume: (role: NodeRole, index: number) => `${network}-op-reth-${role}-${index}-data`,
    konaNode: (role: NodeRole, index: number) => `${network}-kona-node-${role}-${index}`,
    /** op-node of sequencer `index` (stacks with `kupcake:sequencerClient: op-node`). */
    opNode: (index: number) => `${network}-op-node-sequencer-${index}`,
    /**
     * The consensus client container of a node, named after what runs in it:
     * `<network>-op-node-sequencer-<i>` for sequencers of an op-node stack, else `<network>-kona-node-<role>-<i>`.
     */
    consensusNode: (role: NodeRole, index: number, sequencerClient: SequencerClient = "kona-node") =>
      consensusClientOf(role, sequencerClient) === "op-node" ? `${network}-op-node-sequencer-${index}` : `${network}-kona-node-${role}-${index}`,
    conductor: (index: number) => `${network}-op-conductor-${index}`,
    conductorVolume: (index: number) => `${network}-op-conductor-${index}-raft`,
    batcher: `${network}-op-batcher`,
    proposer: `${network}-op-proposer`,
    challenger: `${network}-op-challenger`,
    challengerVolume: `${network}-op-challenger-data`,
    prometheus: `${network}-prometheus`,
    prometheusVolume: `${network}-prometheus-data`,
    grafana: `${network}-grafana`,
    grafanaVolume: `${network}-grafana-data`,
  };
}
export type Names = ReturnType<typeof namesFor>;

/** Raft server id of the conductor that steers sequencer i: stable, never reused for another node. */
export const raftServerId = (index: number) => `sequencer-${index}`;
