import { ARTIFACTS_MOUNT, ARTIFACT_FILES } from "./opDeployer";
import { CONTAINER_PORTS } from "../ports";

/** Where per-node secret files are uploaded inside op-reth and kona-node containers. */
export const SECRETS_DIR = "/run/kupcake";
export const JWT_FILE = `${SECRETS_DIR}/jwt.hex`;
export const P2P_KEY_FILE = `${SECRETS_DIR}/p2p.key`;
/** op-reth chain data: the node's named volume. */
export const OP_RETH_DATADIR = "/data";

/**
 * How a transaction sent to any node reaches whichever sequencer is active: devp2p transaction
 * gossip between the op-reth nodes, not `--rollup.sequencer-http`. Upstream evidence (read at
 * op-reth/v2.3.2 = ethereum-optimism/optimism `rust/op-reth`, the newest op-reth tag readable here,
 * which builds on paradigmxyz/reth v2.3.0; the reth parts re-read at reth v2.4.1, the line the
 * pinned op-reth v2.4.1 uses — the op-reth v2.4.1 tree itself was not available):
 * - tx-pool gossip is on by default: `RollupArgs.disable_txpool_gossip` (`--rollup.disable-tx-pool-gossip`)
 *   defaults to false (`rust/op-reth/crates/node/src/args.rs`) and `OpNetworkBuilder` copies it into
 *   `NetworkConfig.tx_gossip_disabled` (`rust/op-reth/crates/node/src/node.rs`).
 * - `--rollup.sequencer-http` forwards first and fails the call when the forward fails; only after
 *   a successful forward is the tx also kept in the local pool (`OpEthApi::send_transaction`,
 *   `rust/op-reth/crates/rpc/src/eth/transaction.rs`). So a node pointed at a stopped sequencer
 *   rejects every transaction. Without the flag, `eth_sendRawTransaction` adds the tx to the local
 *   pool with origin `Local` (reth `crates/rpc/rpc-eth-api/src/helpers/transaction.rs`).
 * - local txs propagate (`LocalTransactionConfig.propagate_local_transactions` defaults to true,
 *   reth `crates/transaction-pool/src/config.rs`; `validate/eth.rs` sets `propagate`), the network's
 *   `TransactionsManager` broadcasts new pending txs to every session peer allowed by
 *   `--tx-propagation-policy` (default `All`, trusted peers included), announces the pool to a peer
 *   whose session just opened, and imports peers' txs unless gossip is disabled or the node is
 *   still in its initial sync (reth `crates/net/network/src/transactions/{mod,config}.rs`). A node
 *   leaves initial sync at its first canonical head after start (reth
 *   `crates/node/builder/src/launch/engine.rs`), which a running standby sequencer reaches with
 *   the next gossiped block.
 * - nothing in op-reth's pool validation depends on the node sequencing
 *   (`rust/op-reth/crates/txpool/src/validator.rs`: 4844 rejected, interop and L1-data-fee checks),
 *   and the active sequencer's payload builder takes pool txs unless the attributes say
 *   `noTxPool` (`rust/op-reth/crates/payload/src/builder.rs`).
 * - op-conductor's leader-only proxy is no alternative: at op-conductor/v0.9.4 its execution proxy
 *   serves only `eth_getBlockByNumber` (`op-conductor/rpc/execution_proxy.go`).
 * - op-reth disables discv4 unless `--rollup.discovery.v4` and gets no discv5 bootnodes on a
 *   custom chain, so the devp2p graph is exactly the `--trusted-peers` dials (reth
 *   `crates/node/core/src/args/network.rs`). Trusted peers are resolved by DNS at start; a name
 *   that does not resolve is skipped and retried hourly, or at once after repeated connection
 *   failures to a trusted peer (reth `crates/net/network/src/{peers,trusted_peers_resolver}.rs`).
 *   Hence validators dial every sequencer slot (see `validatorRethPeers`).
 */
export interface OpRethArgs {
  /** This container's name: its DNS name on the devnet network and its advertised P2P address. */
  containerName: string;
  /** `enode://` URLs of the nodes it dials at start (fixed or earlier nodes only). */
  trustedPeers: string[];
}

const API = "eth,net,web3,debug,txpool,trace";

/** op-reth's command (the image's entrypoint is the op-reth binary). No node forwards transactions. */
export function opRethCommand(a: OpRethArgs): string[] {
  const p = CONTAINER_PORTS;
  return [
    "node",
    "--chain", `${ARTIFACTS_MOUNT}/${ARTIFACT_FILES.genesis}`,
    "--datadir", OP_RETH_DATADIR,
    "--http", "--http.addr", "0.0.0.0", "--http.port", String(p.opRethHttp), "--http.api", API, "--http.corsdomain", "*",
    "--ws", "--ws.addr", "0.0.0.0", "--ws.port", String(p.opRethWs), "--ws.api", API, "--ws.origins", "*",
    "--authrpc.addr", "0.0.0.0", "--authrpc.port", String(p.opRethAuth), "--authrpc.jwtsecret", JWT_FILE,
    "--metrics", `0.0.0.0:${p.opRethMetrics}`,
    "--port", String(p.opRethP2p), "--discovery.port", String(p.opRethP2p),
    "--nat", `extaddr:${a.containerName}`,
    "--p2p-secret-key", P2P_KEY_FILE,
    ...(a.trustedPeers.length ? ["--trusted-peers", a.trustedPeers.join(",")] : []),
    "--log.stdout.format", "terminal",
  ];
}

// Sequencer op-reth devp2p identities: derived, public (components/builders/sequencerP2pKey.ts).
export { sequencerOpRethP2pKey } from "./sequencerP2pKey";
