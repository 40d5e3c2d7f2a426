import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { konaNodeCommand, konaNodeEntrypoint } from "./builders/konaNode";
import { OP_NODE_L1_CHAIN_CONFIG_FILE, opNodeCommand, opNodeL1ChainConfig } from "./builders/opNode";
import { ARTIFACTS_MOUNT } from "./builders/opDeployer";
import { JWT_FILE, OP_RETH_DATADIR, P2P_KEY_FILE, opRethCommand, sequencerOpRethP2pKey } from "./builders/opReth";
import { enode, nodeIdFromPrivateKey } from "./builders/p2p";
import { DevnetConfig } from "./config/schema";
import { LONG_RUNNING, internalUrl, labels, namedVolume, onNetwork } from "./containers";
import { NodeRole, consensusClientOf, namesFor } from "./naming";
import { CONTAINER_PORTS, dockerPorts } from "./ports";

/** What other nodes and services need to know about an L2 node. */
export interface L2NodeEndpoints {
  role: NodeRole;
  index: number;
  opRethName: string;
  /**
   * Container name of the node's consensus client: kona-node, or op-node for sequencers of a
   * `kupcake:sequencerClient: op-node` stack (the `kona*` field names predate that option).
   */
  konaNodeName: string;
  /** op-reth HTTP RPC on the devnet network. */
  rpcUrl: string;
  /** The consensus client's RPC on the devnet network (same container port for kona-node and op-node). */
  konaRpcUrl: string;
  /** `enode://` of op-reth (public; derived from the node's secret P2P key). */
  opRethEnode: pulumi.Output<string>;
  /** `enode://` of the consensus client (discv5; its libp2p peer id derives from the same key). */
  konaEnode: pulumi.Output<string>;
}

export interface L2Node extends L2NodeEndpoints {
  opReth: docker.Container;
  /** The consensus client container (kona-node or op-node). */
  konaNode: docker.Container;
  dataVolume: docker.Volume;
}

export interface L2NodeArgs {
  config: DevnetConfig;
  role: NodeRole;
  /** 1-based index within its role. */
  index: number;
  networkName: pulumi.Input<string>;
  /** Resolves after the op-deployer jobs succeeded (see `L1.artifactsVolume`). */
  artifactsVolume: pulumi.Input<string>;
  l1RpcUrl: string;
  opRethImage: pulumi.Input<string>;
  konaNodeImage: pulumi.Input<string>;
  /** op-node image: required for sequencers when `config.sequencerClient` is op-node. */
  opNodeImage?: pulumi.Input<string>;
  /** Fixed or earlier nodes this node dials at start (kona-node bootnodes; op-reth trusted peers unless `rethPeers`). */
  peers: L2NodeEndpoints[];
  /**
   * op-reth `--trusted-peers` when they differ from `peers`' op-reth enodes (validators: every
   * sequencer slot, see `validatorRethPeers`). No node sets `--rollup.sequencer-http`:
   * transactions reach the active sequencer by devp2p gossip (evidence in builders/opReth.ts).
   */
  rethPeers?: pulumi.Input<string[]>;
  /** Resources op-reth is created after (validators: sequencer 1's op-reth, so its name resolves at start). */
  rethAfter?: pulumi.Resource[];
  /** Sequencers under op-conductor: their own conductor's RPC URL. */
  conductorRpc?: string;
  /** Resources the kona-node is created after, besides its op-reth. */
  konaAfter?: pulumi.Resource[];
}

// pulumi.secret explicitly: the value stays encrypted in state even where a provider forgets to mark it.
const secretFile = (file: string, content: pulumi.Input<string>) => ({ file, content: pulumi.secret(content), permissions: "0444" });
const publicId = (keyHex: pulumi.Output<string>) => pulumi.unsecret(keyHex.apply(nodeIdFromPrivateKey));

/**
 * One L2 node: op-reth (execution) + its consensus client (kona-node; op-node for the sequencers
 * of a `kupcake:sequencerClient: op-node` stack), a named chain-data volume and the node's own
 * secrets: engine JWT and consensus-client P2P identity from @pulumi/random (the key resource keeps
 * its `kona-node-p2p-key` name whichever client runs, so switching clients keeps the node id and
 * every existing stack's plan is unchanged); the op-reth P2P
 * identity from @pulumi/random for validators, derived from network and index for sequencers
 * (`sequencerOpRethP2pKey`). Every input derives from
 * this node's role and index, its fixed or earlier peers, and the config: never from the number of
 * nodes, so scaling the set never touches this node.
 */
export function createL2Node(prefix: string, a: L2NodeArgs, parent: pulumi.Resource): L2Node {
  const cfg = a.config;
  const n = namesFor(cfg.network);
  const opRethName = n.opReth(a.role, a.index);
  const client = consensusClientOf(a.role, cfg.sequencerClient);
  const konaNodeName = n.consensusNode(a.role, a.index, cfg.sequencerClient);
  const spec = (service: string) => ({ network: cfg.network, role: a.role, index: a.index, service });
  const artifactsMount = { type: "volume", source: a.artifactsVolume, target: ARTIFACTS_MOUNT, readOnly: true };

  const jwt = new random.RandomBytes(`${prefix}-jwt`, { length: 32 }, { parent });
  // Sequencers' op-reth identities are derived from the network and index, so a validator can dial
  // every sequencer slot without depending on the sequencer count; validators' stay random.
  const rethKeyHex: pulumi.Output<string> =
    a.role === "sequencer"
      ? pulumi.secret(sequencerOpRethP2pKey(cfg.network, a.index))
      : new random.RandomBytes(`${prefix}-op-reth-p2p-key`, { length: 32 }, { parent }).hex;
  const konaKey = new random.RandomBytes(`${prefix}-kona-node-p2p-key`, { length: 32 }, { parent });
  const dataVolume = namedVolume(`${prefix}-op-reth-data`, n.opRethVolume(a.role, a.index), spec("op-reth"), parent);

  const opReth = new docker.Container(
    `${prefix}-op-reth`,
    {
      name: opRethName,
      image: a.opRethImage,
      command: (a.rethPeers !== undefined ? pulumi.output(a.rethPeers) : pulumi.all(a.peers.map((p) => p.opRethEnode)))
        .apply((trustedPeers) => opRethCommand({ containerName: opRethName, trustedPeers })),
      uploads: [secretFile(JWT_FILE, jwt.hex), secretFile(P2P_KEY_FILE, rethKeyHex)],
      mounts: [{ type: "volume", source: dataVolume.name, target: OP_RETH_DATADIR }, artifactsMount],
      networksAdvanced: onNetwork(a.networkName, opRethName),
      ports: dockerPorts(cfg, opRethName),
      labels: labels(spec("op-reth")),
      ...LONG_RUNNING,
    },
    { parent, dependsOn: a.rethAfter ?? [] },
  );

  const engineUrl = internalUrl(opRethName, CONTAINER_PORTS.opRethAuth);
  const clCommon = {
    name: konaNodeName,
    networksAdvanced: onNetwork(a.networkName, konaNodeName),
    ports: dockerPorts(cfg, konaNodeName),
    labels: labels(spec(client)),
    ...LONG_RUNNING,
  };
  const clOpts = { parent, dependsOn: [opReth, ...(a.konaAfter ?? [])] };
  let konaNode: docker.Container;
  if (client === "op-node") {
    if (a.opNodeImage === undefined) throw new Error(`${prefix}: kupcake:sequencerClient is op-node but no op-node image was passed`);
    konaNode = new docker.Container(
      `${prefix}-op-node`,
      {
        ...clCommon,
        image: a.opNodeImage,
        command: pulumi.all(a.peers.map((p) => p.konaEnode)).apply((peers) =>
          opNodeCommand({ l1BlockTime: cfg.blockTime, l1RpcUrl: a.l1RpcUrl, engineUrl, containerName: konaNodeName, peers, conductorRpc: a.conductorRpc }),
        ),
        uploads: [
          secretFile(JWT_FILE, jwt.hex),
          secretFile(P2P_KEY_FILE, konaKey.hex),
          { file: OP_NODE_L1_CHAIN_CONFIG_FILE, content: JSON.stringify(opNodeL1ChainConfig(cfg.l1ChainId), null, 2), permissions: "0444" },
        ],
        mounts: [artifactsMount],
      },
      clOpts,
    );
  } else {
    konaNode = new docker.Container(
      `${prefix}-kona-node`,
      {
        name: konaNodeName,
        image: a.konaNodeImage,
        entrypoints: konaNodeEntrypoint(),
        command: pulumi.all(a.peers.map((p) => p.konaEnode)).apply((bootnodes) =>
          konaNodeCommand({
            role: a.role,
            l2ChainId: cfg.l2ChainId,
            l1BlockTime: cfg.blockTime,
            l1RpcUrl: a.l1RpcUrl,
            engineUrl,
            containerName: konaNodeName,
            bootnodes,
            conductorRpc: a.conductorRpc,
          }),
        ),
        uploads: [secretFile(JWT_FILE, jwt.hex), secretFile(P2P_KEY_FILE, konaKey.hex)],
        mounts: [artifactsMount],
        networksAdvanced: clCommon.networksAdvanced,
        ports: clCommon.ports,
        labels: clCommon.labels,
        ...LONG_RUNNING,
      },
      clOpts,
    );
  }

  return {
    role: a.role,
    index: a.index,
    opRethName,
    konaNodeName,
    rpcUrl: internalUrl(opRethName, CONTAINER_PORTS.opRethHttp),
    konaRpcUrl: internalUrl(konaNodeName, CONTAINER_PORTS.konaRpc),
    opRethEnode: publicId(rethKeyHex).apply((id) => enode(id, opRethName, CONTAINER_PORTS.opRethP2p)),
    konaEnode: publicId(konaKey.hex).apply((id) => enode(id, konaNodeName, CONTAINER_PORTS.konaP2p)),
    opReth,
    konaNode,
    dataVolume,
  };
}
