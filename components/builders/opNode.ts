import { ROLES } from "../accounts";
import { CONTAINER_PORTS } from "../ports";
import { l1ChainConfig } from "./l1ChainConfig";
import { staticPeerFromEnode } from "./libp2p";
import { ARTIFACTS_MOUNT, ARTIFACT_FILES } from "./opDeployer";
import { JWT_FILE, P2P_KEY_FILE } from "./opReth";

/**
 * op-node as a sequencer's consensus client (`kupcake:sequencerClient: op-node`), with the same
 * role semantics as the kona-node sequencer (builders/konaNode.ts). Every flag below is defined at
 * op-node v1.19.0 (conformance/pins/opNode.json, from ethereum-optimism/optimism
 * `op-node/flags/flags.go`, `op-node/flags/p2p_flags.go` and the op-service CLI files at tag
 * `op-node/v1.19.0`). Validators keep kona-node: the choice applies to sequencers only.
 */

/** Where op-node's own L1 chain config is uploaded (public data, not a secret). */
export const OP_NODE_L1_CHAIN_CONFIG_FILE = "/etc/kupcake/l1-chain-config.json";

/**
 * The L1 chain config op-node reads with `--rollup.l1-chain-config`: the one kona-node reads
 * (builders/l1ChainConfig.ts) without `terminalTotalDifficultyPassed`. op-node decodes it into
 * go-ethereum's `params.ChainConfig` with unknown fields disallowed (op-node/service.go
 * `NewL1ChainConfigFromCLI` at op-node/v1.19.0), and go-ethereum removed that field
 * (ethereum/go-ethereum#30609, v1.14.12; op-node v1.19.0 builds against op-geth v1.101702.x, a
 * go-ethereum v1.17 line), so the shared artifact would be rejected.
 */
export function opNodeL1ChainConfig(chainId: number): Record<string, unknown> {
  const { terminalTotalDifficultyPassed: _dropped, ...rest } = l1ChainConfig(chainId);
  return rest;
}

export interface OpNodeArgs {
  /** L1 block time in seconds: the beacon slot duration (`--l1.beacon.slot-duration-override`) and the L1 head poll period. */
  l1BlockTime: number;
  /** Anvil's JSON-RPC, which also serves the beacon endpoints op-node reads (genesis, blobs). */
  l1RpcUrl: string;
  /** Engine API of the paired op-reth (authenticated with the JWT at `JWT_FILE`). */
  engineUrl: string;
  /** This container's name: advertised in its discv5 record (op-node resolves it at start). */
  containerName: string;
  /** `enode://` URLs of the earlier sequencers' consensus clients (`peerAnchors`); empty for sequencer 1. */
  peers: string[];
  /** Set for sequencers steered by op-conductor: its own conductor's RPC. Starts the node stopped. */
  conductorRpc?: string;
}

/**
 * op-node's command (exec form: the image has no ENTRYPOINT and no shell, `CMD ["op-node"]`,
 * ops/docker/op-stack-go/Dockerfile target op-node-target at op-node/v1.19.0).
 *
 * - L1: `--l1.beacon` is mandatory once Ecotone is scheduled (op-node/node/node.go
 *   `initL1BeaconAPI`). Anvil serves `/eth/v1/beacon/{genesis,blobs,blob_sidecars}` but not
 *   `/eth/v1/node/version` (foundry v1.7.1 `crates/anvil/src/server/beacon/mod.rs`), so the version
 *   check is skipped with `--l1.beacon.ignore`; `--l1.beacon.slot-duration-override` (seconds)
 *   replaces `/eth/v1/config/spec`, which Anvil does not serve either. `--rollup.l1-chain-config`
 *   is read because the devnet's L1 chain id is not built into op-node (op-node/service.go
 *   `NewL1ChainConfig`); it is op-node's own upload (`opNodeL1ChainConfig`). `--l1.http-poll-interval` (a Go duration) polls the L1 head once per L1
 *   block instead of the 12 s default.
 * - Admin RPC: registered only with `--rpc.enable-admin` (op-node/node/node.go `registerAPIs`);
 *   the conductor and the cluster formation call `admin_*` on it.
 * - P2P: the same listen port and identity file as kona-node. Earlier sequencers are given twice:
 *   as discv5 `--p2p.bootnodes` (enode URLs; op-node resolves their host names once at start and
 *   exits if one does not resolve, op-node/p2p/cli/load_config.go `resolveURLIP`, and Docker restarts
 *   it) and as libp2p `--p2p.static` peers (`/dns4/...` multiaddrs, dialled and re-dialled at run
 *   time), so the sequencers stay connected for op-conductor's peer-count health check. Sequencer 1
 *   has no earlier peer; op-node then falls back to its built-in public bootnodes
 *   (`p2p.DefaultBootnodes`), which an offline devnet cannot reach (harmless). The peerstore and
 *   discovery databases stay in memory: the container keeps no state (chain data is op-reth's).
 * - Sequencing: `--sequencer.enabled`; under a conductor also `--conductor.enabled --conductor.rpc`
 *   (op-node needs both; kona-node only `--conductor.rpc`) and `--sequencer.stopped`, so the
 *   conductor's cluster formation starts it (`admin_startSequencer <unsafe head hash>`); a lone
 *   sequencer sequences from its first block. `--p2p.sequencer.key` is the unsafe-block signer.
 */
export function opNodeCommand(a: OpNodeArgs): string[] {
  const p = CONTAINER_PORTS;
  return [
    "op-node",
    "--l1", a.l1RpcUrl,
    "--l1.beacon", a.l1RpcUrl,
    "--l1.beacon.ignore",
    "--l1.beacon.slot-duration-override", String(a.l1BlockTime),
    "--l1.http-poll-interval", `${a.l1BlockTime}s`,
    "--rollup.config", `${ARTIFACTS_MOUNT}/${ARTIFACT_FILES.rollup}`,
    "--rollup.l1-chain-config", OP_NODE_L1_CHAIN_CONFIG_FILE,
    "--l2", a.engineUrl,
    "--l2.jwt-secret", JWT_FILE,
    "--l2.enginekind", "reth",
    "--rpc.addr", "0.0.0.0", "--rpc.port", String(p.konaRpc),
    "--rpc.enable-admin",
    "--metrics.enabled", "--metrics.addr", "0.0.0.0", "--metrics.port", String(p.konaMetrics),
    "--p2p.listen.ip", "0.0.0.0", "--p2p.listen.tcp", String(p.konaP2p), "--p2p.listen.udp", String(p.konaP2p),
    "--p2p.advertise.ip", a.containerName,
    "--p2p.priv.path", P2P_KEY_FILE,
    "--p2p.peerstore.path", "memory",
    "--p2p.discovery.path", "memory",
    ...(a.peers.length ? ["--p2p.bootnodes", a.peers.join(","), "--p2p.static", a.peers.map(staticPeerFromEnode).join(",")] : []),
    "--p2p.sequencer.key", ROLES.unsafeBlockSigner.privateKey.replace(/^0x/, ""),
    "--sequencer.enabled",
    "--sequencer.l1-confs", "1",
    ...(a.conductorRpc ? ["--conductor.enabled", "--conductor.rpc", a.conductorRpc, "--sequencer.stopped"] : []),
    "--log.level", "info",
  ];
}
