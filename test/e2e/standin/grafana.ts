/**
 * grafana stand-in (configured by GF_* env like the real one): requires
 * GF_SECURITY_ADMIN_PASSWORD, checks the provisioning YAML and the dashboards JSON parse, proves
 * its data dir (/var/lib/grafana, GF_PATHS_DATA) is writable, and serves on :3000 (GF_SERVER_HTTP_PORT)
 * GET /api/health, GET /api/datasources (basic auth), GET /api/search and GET /api/dashboards/uid/<uid>.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import * as yaml from "js-yaml";
import { onShutdown } from "./lifecycle";
import { fatal, info } from "./log";
import { listen } from "./rpcServer";

const readYamlDir = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => {
        try {
          return yaml.load(readFileSync(join(dir, f), "utf8")) as Record<string, unknown>;
        } catch (e) {
          return fatal(`logger=provisioning level=error msg="Failed to provision" file=${join(dir, f)} error="${(e as Error).message}"`);
        }
      })
    : [];

/** Runs the grafana stand-in until SIGTERM. */
export async function runGrafana(argv: string[]): Promise<void> {
  if (argv.length > 0) fatal(`the grafana stand-in takes no arguments (got ${argv.join(" ")})`);
  const env = process.env;
  const password = env.GF_SECURITY_ADMIN_PASSWORD;
  if (!password) fatal("GF_SECURITY_ADMIN_PASSWORD must be set (kupcake never runs grafana with the default password)");
  const user = env.GF_SECURITY_ADMIN_USER ?? "admin";
  const prov = env.GF_PATHS_PROVISIONING ?? "/etc/grafana/provisioning";
  const data = env.GF_PATHS_DATA ?? "/var/lib/grafana";
  const port = Number(env.GF_SERVER_HTTP_PORT ?? 3000);
  try {
    writeFileSync(join(data, "grafana.db"), JSON.stringify({ startedAt: new Date().toISOString() }));
  } catch (e) {
    fatal(`GF_PATHS_DATA='${data}' is not writable.\nYou may have issues with file permissions, more information here: http://docs.grafana.org/installation/docker/#migrate-to-v51-or-later\nmkdir: can't create directory '${data}/plugins': ${(e as Error).message}`);
  }
  const datasources = readYamlDir(join(prov, "datasources")).flatMap((d) => (d.datasources as Record<string, unknown>[]) ?? []);
  const providers = readYamlDir(join(prov, "dashboards")).flatMap((d) => (d.providers as { options?: { path?: string }; folder?: string }[]) ?? []);
  const dashboards: { uid: string; title: string; folder?: string; json: unknown }[] = [];
  for (const p of providers) {
    const dir = p.options?.path;
    if (!dir || !existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
      let d: { uid?: string; title?: string };
      try {
        d = JSON.parse(readFileSync(join(dir, f), "utf8"));
      } catch (e) {
        return fatal(`logger=provisioning.dashboard level=error msg="failed to load dashboard" file=${join(dir, f)} error="${(e as Error).message}"`);
      }
      dashboards.push({ uid: d.uid ?? f, title: d.title ?? f, folder: p.folder, json: d });
    }
  }
  const home = env.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
  if (home && !existsSync(home)) info("home dashboard path does not exist", { path: home });
  const authed = (h: string | undefined) => h === "Basic " + Buffer.from(`${user}:${password}`).toString("base64");
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const json = (code: number, v: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(v));
    };
    if (url.pathname === "/api/health") return json(200, { commit: "standin", database: "ok", version: "12.2.1" });
    if (url.pathname === "/api/datasources") {
      if (!authed(req.headers.authorization)) return json(401, { message: "Unauthorized" });
      return json(200, datasources.map((d, i) => ({ id: i + 1, orgId: 1, ...d })));
    }
    if (url.pathname === "/api/search") {
      const anon = env.GF_AUTH_ANONYMOUS_ENABLED === "true";
      if (!anon && !authed(req.headers.authorization)) return json(401, { message: "Unauthorized" });
      return json(200, dashboards.map((d, i) => ({ id: i + 1, uid: d.uid, title: d.title, type: "dash-db", folderTitle: d.folder, url: `/d/${d.uid}` })));
    }
    const m = /^\/api\/dashboards\/uid\/(.+)$/.exec(url.pathname);
    if (m) {
      const d = dashboards.find((x) => x.uid === m[1]);
      return d ? json(200, { dashboard: d.json, meta: { folderTitle: d.folder } }) : json(404, { message: "Dashboard not found" });
    }
    if (url.pathname === "/" || url.pathname === "/login") {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end("<html><body>Grafana stand-in</body></html>");
    }
    json(404, { message: "Not found" });
  });
  await listen(server, port, env.GF_SERVER_HTTP_ADDR ?? "0.0.0.0");
  onShutdown(() => void server.close());
  info("grafana stand-in started", { port, datasources: datasources.length, dashboards: dashboards.length });
}
