import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { anvilCommand, anvilHealthcheck } from "./builders/anvil";
import { l1ChainConfig } from "./builders/l1ChainConfig";
import { DEPLOYER_WORKDIR, deployerJobs, jobFailure, parseL1Addresses } from "./builders/opDeployer";
import { DevnetConfig, chainSettings } from "./config/schema";
import { HEALTHCHECKED, LONG_RUNNING, hostUrl, internalUrl, labels, namedVolume, onNetwork } from "./containers";
import { namesFor } from "./naming";
import { CONTAINER_PORTS, dockerPorts } from "./ports";

export interface L1Args {
  /** The validated stack config (network name, chain ids, block times, bind address, ports). */
  config: DevnetConfig;
  /** Image id of the foundry image (Anvil). */
  anvilImage: pulumi.Input<string>;
  /** Image id of op-deployer. */
  deployerImage: pulumi.Input<string>;
}

const ANVIL_STATE_DIR = "/data";
/** Seconds `pulumi up` waits for Anvil's healthcheck before failing its create. */
const ANVIL_READY_TIMEOUT = 120;

/**
 * The L1: the devnet's Docker network, Anvil with its state on a named volume, and the
 * op-deployer one-shot jobs that deploy the OP Stack contracts and leave genesis, rollup config,
 * L1 chain config and contract addresses in the artifacts volume.
 */
export class L1 extends pulumi.ComponentResource {
  /** Name of the devnet's Docker network. */
  public readonly networkName: pulumi.Output<string>;
  /** Anvil's RPC URL on the devnet network. */
  public readonly rpcUrl: string;
  /** Anvil's RPC URL on the host. */
  public readonly hostRpcUrl: string;
  public readonly anvil: docker.Container;
  /** Artifacts volume name; resolves only after every op-deployer job exited 0. */
  public readonly artifactsVolume: pulumi.Output<string>;
  /** L1 contract addresses from `op-deployer inspect l1`. */
  public readonly addresses: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: L1Args, opts?: pulumi.ComponentResourceOptions) {
    super("kupcake:index:L1", name, {}, opts);
    const cfg = args.config;
    const n = namesFor(cfg.network);
    const spec = (role: string, service: string) => ({ network: cfg.network, role, service });

    const network = new docker.Network(
      `${name}-network`,
      { name: n.dockerNetwork, driver: "bridge", labels: labels(spec("l1", "network")) },
      { parent: this, deleteBeforeReplace: true },
    );
    this.networkName = network.name;

    const state = namedVolume(`${name}-anvil-state`, n.l1StateVolume, spec("l1", "anvil"), this);
    const anvilCmd = anvilCommand({ chainId: cfg.l1ChainId, blockTime: cfg.blockTime, statePath: `${ANVIL_STATE_DIR}/l1-state.json.gz`, port: CONTAINER_PORTS.anvil });
    this.anvil = new docker.Container(
      `${name}-anvil`,
      {
        name: n.anvil,
        image: args.anvilImage,
        ...anvilCmd,
        // The foundry image runs as uid 1000; a fresh named volume is root-owned.
        user: "root",
        mounts: [{ type: "volume", source: state.name, target: ANVIL_STATE_DIR }],
        networksAdvanced: onNetwork(network.name, n.anvil),
        ports: dockerPorts(cfg, n.anvil),
        healthcheck: anvilHealthcheck(CONTAINER_PORTS.anvil),
        wait: true,
        waitTimeout: ANVIL_READY_TIMEOUT,
        labels: labels(spec("l1", "anvil")),
        ...LONG_RUNNING,
      },
      { parent: this, ...HEALTHCHECKED },
    );
    this.rpcUrl = internalUrl(n.anvil, CONTAINER_PORTS.anvil);
    this.hostRpcUrl = hostUrl(cfg.bindAddress, cfg.ports.l1Rpc);

    const artifacts = namedVolume(`${name}-artifacts`, n.artifactsVolume, spec("job", "op-deployer"), this);
    const jobs = deployerJobs({
      l1ChainId: cfg.l1ChainId,
      l2ChainId: cfg.l2ChainId,
      l2BlockTime: cfg.l2BlockTime,
      chain: chainSettings(cfg),
      l1RpcUrl: this.rpcUrl,
      l1ChainConfigJson: JSON.stringify(l1ChainConfig(cfg.l1ChainId), null, 2),
    });
    // Each job runs after the previous one exited 0: its `kupcake.after` label is the previous
    // job's checked result, which rejects (failing `up` with the job's log tail) on a non-zero exit.
    let previous: pulumi.Output<string> = this.anvil.name;
    let last: docker.Container = this.anvil;
    const checked: pulumi.Output<string>[] = [];
    let inspectL1: docker.Container | undefined;
    for (const job of jobs) {
      const containerName = n.deployerJob(job.step);
      const container: docker.Container = new docker.Container(
        `${name}-op-deployer-${job.step}`,
        {
          name: containerName,
          image: args.deployerImage,
          command: job.command,
          uploads: job.uploads,
          mounts: [{ type: "volume", source: artifacts.name, target: DEPLOYER_WORKDIR }],
          networksAdvanced: onNetwork(network.name, containerName),
          labels: [...labels({ ...spec("job", "op-deployer"), index: jobs.indexOf(job) + 1 }), { label: "kupcake.after", value: previous }],
          attach: true,
          logs: true,
          mustRun: false,
          restart: "no",
        },
        { parent: this, dependsOn: [last] },
      );
      previous = pulumi.all([container.exitCode, container.containerLogs]).apply(([code, logs]) => {
        const failure = jobFailure(containerName, code, logs);
        if (failure) throw new pulumi.ResourceError(failure, container);
        return containerName;
      });
      checked.push(previous);
      last = container;
      if (job.step === "inspect-l1") inspectL1 = container;
    }
    this.artifactsVolume = pulumi.all([artifacts.name, ...checked]).apply(([volume]) => volume);
    this.addresses = pulumi.all([inspectL1!.containerLogs, previous]).apply(([logs]) => {
      try {
        return parseL1Addresses(logs ?? "");
      } catch (e) {
        throw new pulumi.ResourceError(`${n.deployerJob("inspect-l1")}: ${(e as Error).message}`, inspectL1);
      }
    });

    this.registerOutputs({ networkName: this.networkName, artifactsVolume: this.artifactsVolume, addresses: this.addresses });
  }
}
