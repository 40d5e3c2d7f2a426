import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
import { DATASOURCE_UID } from "../components/builders/grafana";
import { KNOWN_METRICS } from "../components/builders/metrics";
import type { Plan } from "../plan/run";
import { byContainerName, plan } from "./helpers/plan";

const run = promisify(execFile);
/** Runs a prerequisite tool; a missing one fails with its name and how to get it, not `spawn ENOENT`. */
async function exec(tool: string, args: string[]) {
  try {
    return await run(tool, args);
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") {
      throw new Error(`${tool} is not installed: it is Prometheus' config checker, which these tests run. Install it: apt-get install prometheus (Debian/Ubuntu), brew install prometheus (macOS), or put promtool from a Prometheus release on PATH.`);
    }
    throw e;
  }
}

function upload(p: Plan, container: string, file: string): string {
  const uploads = byContainerName(p, container)!.inputs.uploads as { file: string; content: string }[];
  const u = uploads.find((x) => x.file === file);
  assert.ok(u, `${container} gets ${file}`);
  return u.content;
}

const PROMQL_WORDS = new Set(["sum", "by", "rate", "increase", "max", "min", "avg", "without", "on", "ignoring", "deriv", "delta", "irate", "count", "topk"]);
/** Metric names in a PromQL expression: identifiers not followed by `(` that are no keyword or label. */
function metricNames(expr: string): string[] {
  const noLabels = expr.replace(/\{[^}]*\}/g, "{}").replace(/by \([^)]*\)/g, "").replace(/\[[^\]]*\]/g, "");
  return [...noLabels.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .filter((m) => !/^\s*\(/.test(noLabels.slice(m.index! + m[0].length)))
    .map((m) => m[0])
    .filter((w) => !PROMQL_WORDS.has(w));
}

describe("Prometheus config generated from the topology", () => {
  for (const [s, n] of [[1, 1], [3, 7], [9, 12]]) {
    it(`${s} sequencer(s), ${n} nodes: promtool accepts it and every service is scraped with role and index`, async () => {
      const p = await plan({ sequencerCount: s, l2Nodes: n });
      const text = upload(p, "kup-dev-prometheus", "/etc/prometheus/prometheus.yml");
      const file = join(mkdtempSync(join(tmpdir(), "kupcake-prom-")), "prometheus.yml");
      writeFileSync(file, text);
      const { stdout } = await exec("promtool", ["check", "config", file]);
      assert.match(stdout, /SUCCESS/);
      const doc = yaml.load(text) as { scrape_configs: { job_name: string; static_configs: { targets: string[]; labels: Record<string, string> }[] }[] };
      const targets = doc.scrape_configs.flatMap((j) => j.static_configs.map((c) => ({ job: j.job_name, ...c })));
      const of = (job: string) => targets.filter((t) => t.job === job);
      assert.equal(of("op-reth").length, n);
      assert.equal(of("kona-node").length, n);
      assert.equal(of("op-conductor").length, s > 1 ? s : 0);
      assert.equal(of("op-batcher").length, 1);
      assert.equal(of("op-proposer").length, 1);
      assert.equal(of("op-challenger").length, 0);
      const seq = of("kona-node").find((t) => t.labels.role === "sequencer" && t.labels.index === String(s))!;
      assert.deepEqual(seq.targets, [`kup-dev-kona-node-sequencer-${s}:7300`]);
    });
  }

  it("keeps the TSDB on a named volume", async () => {
    const p = await plan();
    const mounts = byContainerName(p, "kup-dev-prometheus")!.inputs.mounts as { source: string; target: string }[];
    assert.deepEqual(mounts, [{ source: "kup-dev-prometheus-data", target: "/prometheus", type: "volume" }]);
  });
});

describe("Grafana provisioning", () => {
  it("provisions the Prometheus datasource with an explicit uid, and every panel references only it", async () => {
    const p = await plan();
    const ds = yaml.load(upload(p, "kup-dev-grafana", "/etc/grafana/provisioning/datasources/kupcake.yml")) as { datasources: { uid: string; url: string }[] };
    assert.deepEqual(ds.datasources.map((d) => d.uid), [DATASOURCE_UID]);
    assert.equal(ds.datasources[0].url, "http://kup-dev-prometheus:9090");
    const dashboard = JSON.parse(upload(p, "kup-dev-grafana", "/etc/grafana/dashboards/kupcake-overview.json"));
    const uids = new Set<string>();
    JSON.stringify(dashboard, (k, v) => {
      if (k === "datasource") uids.add(v.uid);
      return v;
    });
    assert.deepEqual([...uids], [DATASOURCE_UID]);
    assert.ok(dashboard.panels.length >= 8);
  });

  it("every dashboard query names only metrics the scraped services document, and labels the scrape config sets", async () => {
    const p = await plan();
    const dashboard = JSON.parse(upload(p, "kup-dev-grafana", "/etc/grafana/dashboards/kupcake-overview.json"));
    const known = new Map(KNOWN_METRICS.map((m) => [m.name, m.service]));
    const scraped = new Set(["prometheus", ...(yaml.load(upload(p, "kup-dev-prometheus", "/etc/prometheus/prometheus.yml")) as { scrape_configs: { job_name: string }[] }).scrape_configs.map((j) => j.job_name)]);
    const titles = dashboard.panels.map((x: { title: string }) => x.title).join(" | ");
    for (const topic of ["L1 head", "unsafe head", "safe head", "Conductor", "op-batcher", "op-proposer"]) assert.match(titles, new RegExp(topic));
    for (const panel of dashboard.panels) {
      for (const t of panel.targets) {
        const names = metricNames(t.expr);
        assert.ok(names.length > 0, t.expr);
        for (const m of names) {
          assert.ok(known.has(m), `${m} (panel "${panel.title}") is not a documented metric`);
          assert.ok(scraped.has(known.get(m)!), `${m} comes from ${known.get(m)}, which is scraped`);
        }
        for (const l of t.legendFormat.matchAll(/\{\{(\w+)\}\}/g)) assert.ok(["role", "index", "container", "service"].includes(l[1]), `legend label ${l[1]}`);
      }
    }
  });

  it("the admin password is a secret and Grafana data is on a named volume", async () => {
    const p = await plan();
    const g = byContainerName(p, "kup-dev-grafana")!;
    assert.ok((g.inputs.envs as string[]).includes("[secret]"));
    assert.ok(!(g.inputs.envs as string[]).some((e) => /^GF_SECURITY_ADMIN_PASSWORD=.+/.test(e)));
    assert.deepEqual(g.inputs.mounts, [{ source: "kup-dev-grafana-data", target: "/var/lib/grafana", type: "volume" }]);
  });
});
