import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { CHALLENGER_DATADIR, SequencerEndpoints, opBatcherCommand, opChallengerCommand, opProposerCommand } from "./builders/chainServices";
import { ARTIFACTS_MOUNT } from "./builders/opDeployer";
import { DevnetConfig } from "./config/schema";
import { LONG_RUNNING, labels, namedVolume, onNetwork } from "./containers";
import { L2NodeEndpoints } from "./l2Node";
import { namesFor } from "./naming";
import { dockerPorts } from "./ports";

export interface ChainServicesArgs {
  config: DevnetConfig;
  networkName: pulumi.Input<string>;
  artifactsVolume: pulumi.Input<string>;
  l1RpcUrl: string;
  /** Where batcher and proposer find the active sequencer (conductor proxies with several sequencers). */
  sequencers: SequencerEndpoints;
  /** Sequencer 1: the challenger's view of the canonical chain. */
  sequencer1: L2NodeEndpoints;
  /** L1 contract addresses (`DisputeGameFactoryProxy` is used). */
  addresses: pulumi.Input<Record<string, string>>;
  /** Image id of a service, pulled on first use (only the services that are switched on). */
  image: (service: "opBatcher" | "opProposer" | "opChallenger") => pulumi.Input<string>;
  /** Resources the services start after (the conductor cluster formation). */
  after?: pulumi.Resource[];
}

/**
 * op-batcher (always), op-proposer (`kupcake:proposer`, on by default) and op-challenger
 * (`kupcake:challenger`, off by default: it needs a prestate source).
 */
export class ChainServices extends pulumi.ComponentResource {
  public readonly batcher: docker.Container;
  public readonly proposer?: docker.Container;
  public readonly challenger?: docker.Container;

  constructor(name: string, args: ChainServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kupcake:index:ChainServices", name, {}, opts);
    const cfg = args.config;
    const n = namesFor(cfg.network);
    const dgf = pulumi.output(args.addresses).apply((a) => a.DisputeGameFactoryProxy);
    const service = (role: string, containerName: string, image: pulumi.Input<string>, command: pulumi.Input<string[]>, extra: Partial<docker.ContainerArgs> = {}) =>
      new docker.Container(
        `${name}-${role}`,
        {
          name: containerName,
          image,
          command,
          networksAdvanced: onNetwork(args.networkName, containerName),
          ports: dockerPorts(cfg, containerName),
          labels: labels({ network: cfg.network, role, service: `op-${role}` }),
          ...LONG_RUNNING,
          ...extra,
        },
        { parent: this, dependsOn: args.after },
      );

    this.batcher = service("batcher", n.batcher, args.image("opBatcher"), opBatcherCommand({ l1RpcUrl: args.l1RpcUrl, sequencers: args.sequencers, dataAvailability: cfg.dataAvailability }));
    if (cfg.proposer) {
      this.proposer = service(
        "proposer",
        n.proposer,
        args.image("opProposer"),
        dgf.apply((disputeGameFactory) => opProposerCommand({ l1RpcUrl: args.l1RpcUrl, sequencers: args.sequencers, disputeGameFactory })),
      );
    }
    if (cfg.challenger) {
      const data = namedVolume(`${name}-challenger-data`, n.challengerVolume, { network: cfg.network, role: "challenger", service: "op-challenger" }, this);
      this.challenger = service(
        "challenger",
        n.challenger,
        args.image("opChallenger"),
        dgf.apply((disputeGameFactory) =>
          opChallengerCommand({
            l1RpcUrl: args.l1RpcUrl,
            l2EthRpc: args.sequencer1.rpcUrl,
            rollupRpc: args.sequencer1.konaRpcUrl,
            disputeGameFactory,
            prestatesUrl: cfg.challengerPrestatesUrl!,
          }),
        ),
        {
          mounts: [
            { type: "volume", source: data.name, target: CHALLENGER_DATADIR },
            { type: "volume", source: args.artifactsVolume, target: ARTIFACTS_MOUNT, readOnly: true },
          ],
        },
      );
    }
    this.registerOutputs({});
  }
}
