import * as yaml from "js-yaml";
import { CONTAINER_PORTS } from "../ports";

/** The provisioned Prometheus datasource's uid: every dashboard panel names it explicitly. */
export const DATASOURCE_UID = "kupcake-prometheus";
export const PROVISIONING_DIR = "/etc/grafana/provisioning";
export const DASHBOARDS_DIR = "/etc/grafana/dashboards";
export const GRAFANA_DATA = "/var/lib/grafana";

export function grafanaDatasources(prometheusContainer: string): string {
  return yaml.dump({
    apiVersion: 1,
    datasources: [
      {
        name: "Prometheus",
        uid: DATASOURCE_UID,
        type: "prometheus",
        access: "proxy",
        url: `http://${prometheusContainer}:${CONTAINER_PORTS.prometheus}`,
        isDefault: true,
        editable: false,
        jsonData: { timeInterval: "5s" },
      },
    ],
  });
}

export function grafanaDashboardProviders(): string {
  return yaml.dump({
    apiVersion: 1,
    providers: [
      { name: "kupcake", orgId: 1, folder: "Kupcake", type: "file", disableDeletion: true, allowUiUpdates: false, options: { path: DASHBOARDS_DIR } },
    ],
  });
}

/** A time-series panel: one PromQL query per target, legend templates per series. */
interface PanelSpec {
  title: string;
  queries: { expr: string; legend: string }[];
  unit?: string;
}

/** The devnet overview: L1 head, L2 heads per node, conductor state, batcher and proposer activity. */
export const OVERVIEW_PANELS: PanelSpec[] = [
  { title: "L1 head (seen by op-batcher)", queries: [{ expr: 'op_batcher_default_refs_number{layer="l1",type="latest"}', legend: "L1 latest" }] },
  { title: "L2 unsafe head per node", queries: [{ expr: 'kona_node_block_labels{label="unsafe"}', legend: "{{role}} {{index}}" }] },
  { title: "L2 safe head per node", queries: [{ expr: 'kona_node_block_labels{label="safe"}', legend: "{{role}} {{index}}" }] },
  { title: "L2 finalized head per node", queries: [{ expr: 'kona_node_block_labels{label="finalized"}', legend: "{{role}} {{index}}" }] },
  { title: "op-reth canonical head", queries: [{ expr: "reth_blockchain_tree_canonical_chain_height", legend: "{{role}} {{index}}" }] },
  { title: "kona-node P2P peers", queries: [{ expr: "kona_node_swarm_peer_count", legend: "{{role}} {{index}}" }] },
  {
    title: "Conductor leader / health changes",
    queries: [
      { expr: 'sum by (index) (increase(op_conductor_state_changes_count{leader="true"}[1m]))', legend: "became leader: sequencer {{index}}" },
      { expr: 'sum by (index) (increase(op_conductor_state_changes_count{healthy="false"}[1m]))', legend: "unhealthy: sequencer {{index}}" },
    ],
  },
  {
    title: "Conductor health checks and leader transfers",
    queries: [
      { expr: "sum by (index) (rate(op_conductor_healthchecks_count[1m]))", legend: "health checks: sequencer {{index}}" },
      { expr: "sum by (index) (increase(op_conductor_leader_transfers_count[5m]))", legend: "leader transfers: sequencer {{index}}" },
    ],
  },
  { title: "Conductors up", queries: [{ expr: "op_conductor_up", legend: "sequencer {{index}}" }] },
  {
    title: "op-batcher: L2 blocks loaded vs. posted",
    queries: [
      { expr: 'op_batcher_default_refs_number{layer="l2",type="loaded"}', legend: "loaded" },
      { expr: "op_batcher_default_pending_blocks_count", legend: "pending blocks" },
    ],
  },
  { title: "op-batcher balance", unit: "wei", queries: [{ expr: "op_batcher_default_balance", legend: "batcher" }] },
  { title: "op-proposer balance", unit: "wei", queries: [{ expr: "op_proposer_default_balance", legend: "proposer" }] },
  { title: "Scrape targets up", queries: [{ expr: "up", legend: "{{container}}" }] },
];

/** The overview dashboard as Grafana JSON. */
export function overviewDashboard(): Record<string, unknown> {
  return {
    uid: "kupcake-overview",
    title: "Kupcake devnet overview",
    tags: ["kupcake", "op-stack"],
    timezone: "browser",
    refresh: "5s",
    time: { from: "now-30m", to: "now" },
    schemaVersion: 39,
    panels: OVERVIEW_PANELS.map((p, i) => ({
      id: i + 1,
      type: "timeseries",
      title: p.title,
      datasource: { type: "prometheus", uid: DATASOURCE_UID },
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: p.unit ?? "none" }, overrides: [] },
      targets: p.queries.map((q, j) => ({
        refId: String.fromCharCode(65 + j),
        datasource: { type: "prometheus", uid: DATASOURCE_UID },
        expr: q.expr,
        legendFormat: q.legend,
      })),
    })),
  };
}

/** Every dashboard this program provisions, by file name. */
export function dashboards(): Record<string, Record<string, unknown>> {
  return { "kupcake-overview.json": overviewDashboard() };
}
