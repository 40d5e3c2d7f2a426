import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { accountsOutput } from "./accounts";
import { SequencerEndpoints } from "./builders/chainServices";
import { chainIdentity } from "./chainIdentity";
import { ChainServices } from "./chainServices";
import { Conductor, conductorRef } from "./conductor";
import { DevnetConfig, MAX_SEQUENCERS } from "./config/schema";
import { hostUrl } from "./containers";
import { ChainIdentityGuard } from "./dynamic/chainIdentity";
import { ConductorLayerRetirement } from "./dynamic/conductorRetirement";
import { DevnetReadiness } from "./dynamic/readiness";
import { ServiceImage } from "./images";
import { L1 } from "./l1";
import { L2Node } from "./l2Node";
import { Monitoring } from "./monitoring";
import { namesFor } from "./naming";
import { conductorHostPort, nodeHostPorts } from "./ports";
import { SequencerSet, nodeHostEndpoints, usesConductor } from "./sequencerSet";
import { ValidatorSet } from "./validatorSet";

/**
 * The stable L2 endpoint (`l2Rpc`, `l2Ws` stack outputs): the host RPC/WS of validator 1's op-reth
 * when the stack has validators, else sequencer 1's. Validator 1 never sequences and the failover
 * drill never stops it; its op-reth keeps sent transactions in its pool and gossips them to every
 * sequencer's op-reth, so the active one includes them before, during and after a failover. The
 * endpoint is one container, not a load balancer: while that container is stopped (`npm run stop`,
 * a crash, or, with no validators, sequencer 1 being the drill's stopped leader) it refuses
 * connections.
 */
export function l2Endpoint(cfg: DevnetConfig, node: Pick<L2Node, "role" | "index" | "opRethName">): { l2Rpc: string; l2Ws: string } {
  const h = nodeHostEndpoints(cfg, node);
  return { l2Rpc: h.rpc, l2Ws: h.ws };
}

export interface DevnetArgs {
  /** The validated stack configuration. */
  config: DevnetConfig;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

/** Poll period of the readiness checks. */
const READINESS_POLL_MS = 2000;

/**
 * The whole devnet: L1 and contracts, sequencers (with op-conductor HA when there are several),
 * validators, batcher/proposer/challenger, monitoring, and a readiness gate that makes
 * `pulumi up` finish only when the chain is live.
 */
export class Devnet extends pulumi.ComponentResource {
  /** Everything a user scripts against; exported as the stack outputs. */
  public readonly outputs: Record<string, unknown>;

  constructor(name: string, args: DevnetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kupcake:index:Devnet", name, {}, opts);
    const cfg = args.config;
    const n = namesFor(cfg.network);

    // First: a change of a chain-defining value on a deployed stack fails here, in the engine's
    // check phase, before any image is pulled or any container replaced.
    const chain = new ChainIdentityGuard(`${name}-chain`, { ...chainIdentity(cfg), stack: cfg.stack }, { parent: this });
    const pulled = new Map<ServiceImage, docker.RemoteImage>();
    const image = (key: ServiceImage) => {
      if (!pulled.has(key)) {
        // keepLocally: `destroy` must not delete multi-GB images other stacks may share.
        pulled.set(key, new docker.RemoteImage(`${name}-image-${key}`, { name: cfg.images[key], keepLocally: true }, { parent: this, dependsOn: [chain] }));
      }
      return pulled.get(key)!.imageId;
    };

    const l1 = new L1(`${name}-l1`, { config: cfg, anvilImage: image("anvil"), deployerImage: image("opDeployer") }, { parent: this });
    // One sequencer: a conductor layer left from an earlier topology is retired before the lone
    // sequencer's kona-node starts (the engine deletes removed resources only at the end).
    const retirement = usesConductor(cfg)
      ? undefined
      : new ConductorLayerRetirement(
          `${name}-conductor-retirement`,
          {
            conductorPrefix: `${n.conductor(1).replace(/1$/, "")}`,
            conductorRpcUrls: range(1, MAX_SEQUENCERS).map((i) => conductorRef(cfg, i).rpcUrl),
            l2ChainId: cfg.l2ChainId,
            leavingSequencerRpcUrls: range(2, MAX_SEQUENCERS).map((i) => hostUrl(cfg.bindAddress, nodeHostPorts(cfg, "sequencer", i).konaRpc)),
          },
          { parent: this },
        );
    const l2 = {
      config: cfg,
      networkName: l1.networkName,
      artifactsVolume: l1.artifactsVolume,
      l1RpcUrl: l1.rpcUrl,
      opRethImage: image("opReth"),
      konaNodeImage: image("konaNode"),
    };
    const sequencers = new SequencerSet(
      `${name}-sequencers`,
      { ...l2, ...(cfg.sequencerClient === "op-node" ? { opNodeImage: image("opNode") } : {}), konaAfter: retirement ? [retirement] : [] },
      { parent: this },
    );
    const sequencer1 = sequencers.nodes[0];
    const conductor = usesConductor(cfg)
      ? new Conductor(`${name}-conductor`, { config: cfg, networkName: l1.networkName, artifactsVolume: l1.artifactsVolume, image: image("opConductor"), sequencers: sequencers.nodes }, { parent: this })
      : undefined;
    const validators = new ValidatorSet(`${name}-validators`, { ...l2, sequencer1 }, { parent: this });

    const endpoints: SequencerEndpoints = conductor?.endpoints ?? { l2EthRpcs: [sequencer1.rpcUrl], rollupRpcs: [sequencer1.konaRpcUrl] };
    const services = new ChainServices(
      `${name}-services`,
      {
        config: cfg,
        networkName: l1.networkName,
        artifactsVolume: l1.artifactsVolume,
        l1RpcUrl: l1.rpcUrl,
        sequencers: endpoints,
        sequencer1,
        addresses: l1.addresses,
        image,
        after: conductor ? [conductor] : [sequencer1.konaNode],
      },
      { parent: this },
    );
    const monitoring = cfg.monitoring
      ? new Monitoring(`${name}-monitoring`, { config: cfg, networkName: l1.networkName, images: { prometheus: image("prometheus"), grafana: image("grafana") } }, { parent: this })
      : undefined;

    const seqHost = sequencers.nodes.map((s) => nodeHostEndpoints(cfg, s));
    const readiness = new DevnetReadiness(
      `${name}-readiness`,
      {
        l1RpcUrl: l1.hostRpcUrl,
        l1ChainId: cfg.l1ChainId,
        sequencers: sequencers.nodes.map((s, i) => ({ name: s.konaNodeName, rpcUrl: seqHost[i].rpc, konaRpcUrl: seqHost[i].kona })),
        conductors: conductor ? sequencers.nodes.map((s) => conductorRef(cfg, s.index)) : [],
        timeoutMs: cfg.readinessTimeout * 1000,
        pollMs: READINESS_POLL_MS,
      },
      { parent: this, dependsOn: [services, ...(conductor ? [conductor] : []), validators] },
    );

    this.outputs = {
      network: cfg.network,
      dockerNetwork: n.dockerNetwork,
      l1ChainId: cfg.l1ChainId,
      l2ChainId: cfg.l2ChainId,
      l1Rpc: l1.hostRpcUrl,
      sequencers: sequencers.nodes.map((s, i) => ({
        index: s.index,
        opReth: s.opRethName,
        konaNode: s.konaNodeName,
        rpc: seqHost[i].rpc,
        ws: seqHost[i].ws,
        kona: seqHost[i].kona,
        ...(conductor ? { conductor: n.conductor(s.index), conductorRpc: hostUrl(cfg.bindAddress, conductorHostPort(cfg, s.index)) } : {}),
      })),
      validators: validators.nodes.map((v) => {
        const h = nodeHostEndpoints(cfg, v);
        return { index: v.index, opReth: v.opRethName, konaNode: v.konaNodeName, rpc: h.rpc, ws: h.ws, kona: h.kona };
      }),
      // One L2 endpoint that never needs to know who leads (see l2Endpoint below).
      ...l2Endpoint(cfg, validators.nodes[0] ?? sequencer1),
      batcherRpc: hostUrl(cfg.bindAddress, cfg.ports.batcherRpc),
      ...(cfg.proposer ? { proposerRpc: hostUrl(cfg.bindAddress, cfg.ports.proposerRpc) } : {}),
      ...(monitoring ? { prometheusUrl: monitoring.prometheusUrl, grafanaUrl: monitoring.grafanaUrl, grafanaPassword: monitoring.grafanaPassword } : {}),
      contracts: l1.addresses,
      artifactsVolume: l1.artifactsVolume,
      accounts: accountsOutput(),
      ready: readiness.report,
    };
    this.registerOutputs(this.outputs as pulumi.Inputs);
  }
}
