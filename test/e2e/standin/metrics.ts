/**
 * Prometheus text exposition (format 0.0.4) for the stand-ins: gauges whose values are read at
 * scrape time, served on GET /metrics (and /debug/metrics/prometheus, which reth also answers).
 */
import { createServer, Server } from "node:http";
import { listen } from "./rpcServer";

export interface Gauge {
  name: string;
  help: string;
  type?: "gauge" | "counter";
  /** Current samples: label set → value. */
  samples: () => { labels?: Record<string, string>; value: number }[];
}

/** Renders gauges in the Prometheus text format. */
export function renderMetrics(gauges: Gauge[]): string {
  const out: string[] = [];
  for (const g of gauges) {
    out.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} ${g.type ?? "gauge"}`);
    for (const s of g.samples()) {
      const labels = Object.entries(s.labels ?? {}).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, "\\$&")}"`).join(",");
      out.push(`${g.name}${labels ? `{${labels}}` : ""} ${Number.isFinite(s.value) ? s.value : 0}`);
    }
  }
  return out.join("\n") + "\n";
}

/** Serves the gauges on host:port. */
export function serveMetrics(host: string, port: number, gauges: Gauge[]): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/metrics" || path === "/debug/metrics/prometheus" || path === "/") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
      res.end(renderMetrics(gauges));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  return listen(server, port, host);
}

/** Splits `host:port` (as reth's `--metrics 0.0.0.0:9001`), defaulting the host. */
export function hostPort(v: string, dfltHost = "0.0.0.0"): { host: string; port: number } {
  const i = v.lastIndexOf(":");
  if (i < 0) return { host: dfltHost, port: Number(v) };
  return { host: v.slice(0, i) || dfltHost, port: Number(v.slice(i + 1)) };
}
