import { DevnetConfig, PORT_STRIDE, PortBases } from "./config/schema";
import { NodeRole, consensusClientOf, namesFor } from "./naming";

/**
 * Ports inside the containers. Every container has its own address on the devnet network, so
 * node i and node j use the same container ports; only the host side differs (see `publishedPorts`).
 */
export const CONTAINER_PORTS = {
  anvil: 8545,
  opRethHttp: 8545,
  opRethWs: 8546,
  opRethAuth: 8551,
  opRethMetrics: 9001,
  opRethP2p: 30303,
  konaRpc: 7545,
  konaMetrics: 7300,
  konaP2p: 9222,
  conductorRpc: 8547,
  conductorRaft: 50050,
  opServiceMetrics: 7300,
  batcherRpc: 8548,
  proposerRpc: 8560,
  prometheus: 9090,
  grafana: 3000,
} as const;

/** One host port binding. */
export interface PublishedPort {
  /** Container that publishes it. */
  container: string;
  /** Human description, e.g. "op-reth RPC". */
  purpose: string;
  internal: number;
  external: number;
  /** The `kupcake:ports` base this port derives from (base + 100 per node + `portOffset`). */
  base: keyof PortBases;
}

const offset = (index: number) => PORT_STRIDE * (index - 1);

/**
 * Host ports of L2 node `index` of `role`; validators use a base that ignores sequencerCount.
 * `cfg.ports` already includes `kupcake:portOffset` (see `shiftPorts` in config/schema.ts), so
 * every host port here and below is shifted by it.
 */
export function nodeHostPorts(cfg: Pick<DevnetConfig, "ports">, role: NodeRole, index: number) {
  if (role === "sequencer") {
    return {
      rpc: cfg.ports.sequencerRpc + offset(index),
      ws: cfg.ports.sequencerWs + offset(index),
      konaRpc: cfg.ports.sequencerKonaRpc + offset(index),
    };
  }
  const base = cfg.ports.validatorBase + offset(index);
  return { rpc: base, ws: base + 1, konaRpc: base + 2 };
}

export const conductorHostPort = (cfg: Pick<DevnetConfig, "ports">, index: number) =>
  cfg.ports.conductorRpc + offset(index);

/** Every host port the stack publishes, in a stable order. The single source for containers and docs. */
export function publishedPorts(cfg: DevnetConfig): PublishedPort[] {
  const n = namesFor(cfg.network);
  const out: PublishedPort[] = [{ container: n.anvil, purpose: "L1 RPC (Anvil)", internal: CONTAINER_PORTS.anvil, external: cfg.ports.l1Rpc, base: "l1Rpc" }];
  const node = (role: NodeRole, i: number) => {
    const p = nodeHostPorts(cfg, role, i);
    const seq = role === "sequencer";
    out.push(
      { container: n.opReth(role, i), purpose: "op-reth RPC", internal: CONTAINER_PORTS.opRethHttp, external: p.rpc, base: seq ? "sequencerRpc" : "validatorBase" },
      { container: n.opReth(role, i), purpose: "op-reth WS", internal: CONTAINER_PORTS.opRethWs, external: p.ws, base: seq ? "sequencerWs" : "validatorBase" },
      // The consensus client's RPC: kona-node, or op-node for sequencers of an op-node stack (same ports).
      { container: n.consensusNode(role, i, cfg.sequencerClient), purpose: `${consensusClientOf(role, cfg.sequencerClient)} RPC`, internal: CONTAINER_PORTS.konaRpc, external: p.konaRpc, base: seq ? "sequencerKonaRpc" : "validatorBase" },
    );
  };
  for (let i = 1; i <= cfg.sequencerCount; i++) node("sequencer", i);
  if (cfg.sequencerCount > 1) {
    for (let i = 1; i <= cfg.sequencerCount; i++) {
      out.push({ container: n.conductor(i), purpose: "op-conductor RPC", internal: CONTAINER_PORTS.conductorRpc, external: conductorHostPort(cfg, i), base: "conductorRpc" });
    }
  }
  for (let k = 1; k <= cfg.validatorCount; k++) node("validator", k);
  out.push({ container: n.batcher, purpose: "op-batcher RPC", internal: CONTAINER_PORTS.batcherRpc, external: cfg.ports.batcherRpc, base: "batcherRpc" });
  if (cfg.proposer) {
    out.push({ container: n.proposer, purpose: "op-proposer RPC", internal: CONTAINER_PORTS.proposerRpc, external: cfg.ports.proposerRpc, base: "proposerRpc" });
  }
  if (cfg.monitoring) {
    out.push(
      { container: n.prometheus, purpose: "Prometheus", internal: CONTAINER_PORTS.prometheus, external: cfg.ports.prometheus, base: "prometheus" },
      { container: n.grafana, purpose: "Grafana", internal: CONTAINER_PORTS.grafana, external: cfg.ports.grafana, base: "grafana" },
    );
  }
  return out;
}

/** The `ports` input of a container: explicit ip and protocol, sorted by internal port (see docs/design.md). */
export function dockerPorts(cfg: DevnetConfig, container: string) {
  return publishedPorts(cfg)
    .filter((p) => p.container === container)
    .sort((a, b) => a.internal - b.internal)
    .map((p) => ({ internal: p.internal, external: p.external, ip: cfg.bindAddress, protocol: "tcp" }));
}
