import { ARTIFACTS_MOUNT, ARTIFACT_FILES } from "./opDeployer";
import { CONTAINER_PORTS } from "../ports";

/** Where per-node secret files are uploaded inside op-reth and kona-node containers. */
export const SECRETS_DIR = "/run/kupcake";
export const JWT_FILE = `${SECRETS_DIR}/jwt.hex`;
export const P2P_KEY_FILE = `${SECRETS_DIR}/p2p.key`;
/** op-reth chain data: the node's named volume. */
export const OP_RETH_DATADIR = "/data";

export interface OpRethArgs {
  /** This container's name: its DNS name on the devnet network and its advertised P2P address. */
  containerName: string;
  /** `enode://` URLs of the nodes it dials at start (fixed or earlier nodes only). */
  trustedPeers: string[];
  /** Validators forward transactions to this sequencer RPC (`--rollup.sequencer-http`). */
  sequencerHttp?: string;
}

const API = "eth,net,web3,debug,txpool,trace";

/** op-reth's command (the image's entrypoint is the op-reth binary). */
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
    ...(a.sequencerHttp ? ["--rollup.sequencer-http", a.sequencerHttp] : []),
    "--log.stdout.format", "terminal",
  ];
}
