import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DASHBOARDS_DIR, GRAFANA_DATA, PROVISIONING_DIR, dashboards, grafanaDashboardProviders, grafanaDatasources } from "./builders/grafana";
import { PROMETHEUS_CONFIG_FILE, PROMETHEUS_DATA, prometheusCommand, prometheusConfig, scrapeTargets } from "./builders/prometheus";
import { DevnetConfig } from "./config/schema";
import { LONG_RUNNING, hostUrl, labels, namedVolume, onNetwork } from "./containers";
import { namesFor } from "./naming";
import { dockerPorts } from "./ports";

export interface MonitoringArgs {
  config: DevnetConfig;
  networkName: pulumi.Input<string>;
  images: { prometheus: pulumi.Input<string>; grafana: pulumi.Input<string> };
}

/**
 * Prometheus, scraping every service of the topology (conductors included), and Grafana with a
 * provisioned datasource and our own devnet dashboard. Both keep their data on named volumes:
 * when the node count changes, the Prometheus container is replaced with the new config and the
 * TSDB carries on.
 */
export class Monitoring extends pulumi.ComponentResource {
  public readonly prometheusUrl: string;
  public readonly grafanaUrl: string;
  /** Grafana `admin` password (secret). */
  public readonly grafanaPassword: pulumi.Output<string>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kupcake:index:Monitoring", name, {}, opts);
    const cfg = args.config;
    const n = namesFor(cfg.network);
    const spec = (service: string) => ({ network: cfg.network, role: "monitoring", service });
    const file = (path: string, content: pulumi.Input<string>) => ({ file: path, content, permissions: "0444" });

    const tsdb = namedVolume(`${name}-prometheus-data`, n.prometheusVolume, spec("prometheus"), this);
    new docker.Container(
      `${name}-prometheus`,
      {
        name: n.prometheus,
        image: args.images.prometheus,
        command: prometheusCommand(),
        uploads: [file(PROMETHEUS_CONFIG_FILE, prometheusConfig(cfg.network, scrapeTargets(cfg)))],
        mounts: [{ type: "volume", source: tsdb.name, target: PROMETHEUS_DATA }],
        networksAdvanced: onNetwork(args.networkName, n.prometheus),
        ports: dockerPorts(cfg, n.prometheus),
        labels: labels(spec("prometheus")),
        ...LONG_RUNNING,
      },
      { parent: this },
    );

    const password = new random.RandomPassword(`${name}-grafana-admin-password`, { length: 24, special: false }, { parent: this });
    this.grafanaPassword = pulumi.secret(password.result);
    const data = namedVolume(`${name}-grafana-data`, n.grafanaVolume, spec("grafana"), this);
    new docker.Container(
      `${name}-grafana`,
      {
        name: n.grafana,
        image: args.images.grafana,
        envs: [
          "GF_SECURITY_ADMIN_USER=admin",
          pulumi.interpolate`GF_SECURITY_ADMIN_PASSWORD=${this.grafanaPassword}`,
          "GF_USERS_ALLOW_SIGN_UP=false",
          "GF_AUTH_ANONYMOUS_ENABLED=true",
          "GF_AUTH_ANONYMOUS_ORG_ROLE=Viewer",
          `GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH=${DASHBOARDS_DIR}/kupcake-overview.json`,
        ],
        uploads: [
          file(`${PROVISIONING_DIR}/datasources/kupcake.yml`, grafanaDatasources(n.prometheus)),
          file(`${PROVISIONING_DIR}/dashboards/kupcake.yml`, grafanaDashboardProviders()),
          ...Object.entries(dashboards()).map(([f, d]) => file(`${DASHBOARDS_DIR}/${f}`, JSON.stringify(d, null, 2))),
        ],
        mounts: [{ type: "volume", source: data.name, target: GRAFANA_DATA }],
        networksAdvanced: onNetwork(args.networkName, n.grafana),
        ports: dockerPorts(cfg, n.grafana),
        labels: labels(spec("grafana")),
        ...LONG_RUNNING,
      },
      { parent: this },
    );
    this.prometheusUrl = hostUrl(cfg.bindAddress, cfg.ports.prometheus);
    this.grafanaUrl = hostUrl(cfg.bindAddress, cfg.ports.grafana);
    this.registerOutputs({ prometheusUrl: this.prometheusUrl, grafanaUrl: this.grafanaUrl, grafanaPassword: this.grafanaPassword });
  }
}
