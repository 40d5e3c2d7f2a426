import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { konaNodeCommand, konaNodeEntrypoint } from "./builders/konaNode";
import { ARTIFACTS_MOUNT } from "./builders/opDeployer";
import { JWT_FILE, OP_RETH_DATADIR, P2P_KEY_FILE, opRethCommand, sequencerOpRethP2pKey } from "./builders/opReth";
import { enode, nodeIdFromPrivateKey } from "./builders/p2p";
import { DevnetConfig } from "./config/schema";
import { LONG_RUNNING, internalUrl, labels, namedVolume, onNetwork } from "./containers";
import { NodeRole, namesFor } from "./naming";
import { CONTAINER_PORTS, dockerPorts } from "./ports";

/** What other nodes and services need to know about an L2 node. */
export interface L2NodeEndpoints {
  role: NodeRole;
  index: number;
  opRethName: string;
  konaNodeName: string;
  /** op-reth HTTP RPC on the devnet network. */
  rpcUrl: string;
  /** kona-node RPC on the devnet network. */
  konaRpcUrl: string;
  /** `enode://` of op-reth (public; derived from the node's secret P2P key). */
  opRethEnode: pulumi.Output<string>;
  /** `enode://` of kona-node. */
  konaEnode: pulumi.Output<string>;
}

export interface L2Node extends L2NodeEndpoints {
  opReth: docker.Container;
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
 * One L2 node: op-reth (execution) + kona-node (consensus), a named chain-data volume and the
 * node's own secrets: engine JWT and kona-node P2P identity from @pulumi/random; the op-reth P2P
 * identity from @pulumi/random for validators, derived from network and index for sequencers
 * (`sequencerOpRethP2pKey`). Every input derives from
 * this node's role and index, its fixed or earlier peers, and the config: never from the number of
 * nodes, so scaling the set never touches this node.
 */
export function createL2Node(prefix: string, a: L2NodeArgs, parent: pulumi.Resource): L2Node {
  const cfg = a.config;
  const n = namesFor(cfg.network);
  const opRethName = n.opReth(a.role, a.index);
  const konaNodeName = n.konaNode(a.role, a.index);
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

  const konaNode = new docker.Container(
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
          engineUrl: internalUrl(opRethName, CONTAINER_PORTS.opRethAuth),
          containerName: konaNodeName,
          bootnodes,
          conductorRpc: a.conductorRpc,
        }),
      ),
      uploads: [secretFile(JWT_FILE, jwt.hex), secretFile(P2P_KEY_FILE, konaKey.hex)],
      mounts: [artifactsMount],
      networksAdvanced: onNetwork(a.networkName, konaNodeName),
      ports: dockerPorts(cfg, konaNodeName),
      labels: labels(spec("kona-node")),
      ...LONG_RUNNING,
    },
    { parent, dependsOn: [opReth, ...(a.konaAfter ?? [])] },
  );

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
