/**
 * Container, volume and network names. Every name a user sees in `docker ps` comes from here,
 * so the docs, the drill and the status command agree with what is deployed.
 * Nodes are numbered from 1, as in Kupcake's multi-sequencer guide.
 */
export type NodeRole = "sequencer" | "validator";

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
