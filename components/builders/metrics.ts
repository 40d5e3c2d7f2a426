/**
 * Metric names the dashboards may use, each with the service that exports it and where upstream
 * defines it. The monitoring test rejects any dashboard query naming a metric not listed here.
 */
export interface KnownMetric {
  name: string;
  service: "op-reth" | "kona-node" | "op-conductor" | "op-batcher" | "op-proposer" | "prometheus";
  source: string;
}

export const KNOWN_METRICS: readonly KnownMetric[] = [
  { name: "up", service: "prometheus", source: "Prometheus: synthetic per-target series" },
  { name: "reth_blockchain_tree_canonical_chain_height", service: "op-reth", source: "reth crates/engine/tree/src/tree/metrics.rs (TreeMetrics, scope blockchain_tree)" },
  { name: "kona_node_block_labels", service: "kona-node", source: "kona crates/node/engine/src/metrics/mod.rs (label=unsafe|safe|finalized|...)" },
  { name: "kona_node_swarm_peer_count", service: "kona-node", source: "kona crates/node/p2p metrics (gossip swarm peer gauge)" },
  { name: "op_conductor_up", service: "op-conductor", source: "op-conductor/metrics/metrics.go (namespace op_conductor)" },
  { name: "op_conductor_state_changes_count", service: "op-conductor", source: "op-conductor/metrics/metrics.go (labels leader, healthy, active)" },
  { name: "op_conductor_healthchecks_count", service: "op-conductor", source: "op-conductor/metrics/metrics.go (labels success, error)" },
  { name: "op_conductor_leader_transfers_count", service: "op-conductor", source: "op-conductor/metrics/metrics.go (label success)" },
  { name: "op_batcher_default_refs_number", service: "op-batcher", source: "op-batcher/metrics/metrics.go via op-service RefMetrics (labels layer, type)" },
  { name: "op_batcher_default_pending_blocks_count", service: "op-batcher", source: "op-batcher/metrics/metrics.go" },
  { name: "op_batcher_default_balance", service: "op-batcher", source: "op-batcher/metrics/metrics.go via op-service txmetrics balance" },
  { name: "op_proposer_default_balance", service: "op-proposer", source: "op-proposer/metrics/metrics.go via op-service balance metric" },
];
