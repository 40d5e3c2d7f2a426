import * as yaml from "js-yaml";
import { LABEL } from "../components/labels";
import type { Plan, PlannedResource } from "./run";

/**
 * A Mermaid flowchart of a plan: components as subgraphs, containers as nodes, and edges read from
 * what the containers are configured with: engine API, JSON-RPC, Raft membership, scraping.
 */
const CONTAINER = "docker:index/container:Container";
const id = (name: string) => name.replace(/[^A-Za-z0-9_]/g, "_");
const labelOf = (r: PlannedResource, k: string) => (r.inputs.labels as { label: string; value: string }[] | undefined)?.find((l) => l.label === k)?.value;

const COMPONENT_TITLES: Record<string, string> = {
  L1: "L1 (Anvil + op-deployer)",
  SequencerSet: "SequencerSet",
  Conductor: "Conductor (Raft)",
  ValidatorSet: "ValidatorSet",
  ChainServices: "ChainServices",
  Monitoring: "Monitoring",
};

export function planMermaid(p: Plan): string {
  const containers = p.resources.filter((r) => r.type === CONTAINER && labelOf(r, LABEL.role) !== "job");
  const names = new Set(containers.map((c) => String(c.inputs.name)));
  const components = new Map(p.resources.filter((r) => !r.custom).map((r) => [r.urn, r.type.split(":").pop()!]));
  const lines = ["flowchart LR"];
  const groups = new Map<string, PlannedResource[]>();
  for (const c of containers) {
    const g = components.get(c.parent ?? "") ?? "Devnet";
    groups.set(g, [...(groups.get(g) ?? []), c]);
  }
  for (const [g, cs] of groups) {
    lines.push(`  subgraph ${g}["${COMPONENT_TITLES[g] ?? g}"]`);
    for (const c of cs) lines.push(`    ${id(String(c.inputs.name))}["${c.inputs.name}"]`);
    lines.push("  end");
  }
  const edges = new Set<string>();
  for (const c of containers) {
    const from = String(c.inputs.name);
    const text = JSON.stringify([c.inputs.command, c.inputs.entrypoints, c.inputs.uploads]);
    for (const m of text.matchAll(/(?:https?|ws):\/\/([a-z0-9-]+):(\d+)/g)) {
      const [, to, port] = m;
      if (!names.has(to) || to === from) continue;
      const kind = port === "8551" ? "engine API" : port === "9090" ? "query" : "RPC";
      edges.add(`  ${id(from)} -->|${kind}| ${id(to)}`);
    }
    if (labelOf(c, LABEL.service) === "prometheus") {
      const cfg = ((c.inputs.uploads as { content: string }[] | undefined) ?? [])[0]?.content ?? "";
      const doc = yaml.load(cfg) as { scrape_configs?: { static_configs: { targets: string[] }[] }[] } | undefined;
      for (const job of doc?.scrape_configs ?? []) for (const sc of job.static_configs) for (const t of sc.targets) {
        const to = t.split(":")[0];
        if (names.has(to)) edges.add(`  ${id(from)} -.->|scrape| ${id(to)}`);
      }
    }
  }
  for (const r of p.resources.filter((x) => x.type === "pulumi-nodejs:dynamic/kupcake:ConductorMembership")) {
    const member = (r.inputs.member as { raftAddr: string }).raftAddr.split(":")[0];
    const anchor = (r.inputs.anchors as { raftAddr: string }[])[0].raftAddr.split(":")[0];
    edges.add(`  ${id(anchor)} <-.->|Raft| ${id(member)}`);
  }
  return [...lines, ...[...edges].sort()].join("\n");
}
