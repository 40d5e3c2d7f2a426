import { ROLES } from "../accounts";
import { CONTAINER_PORTS } from "../ports";
import { ARTIFACTS_MOUNT, ARTIFACT_FILES } from "./opDeployer";
import { JWT_FILE, P2P_KEY_FILE } from "./opReth";

/** kona-node runs as this uid (its image's USER): every file it reads must be readable by it. */
export const KONA_UID = 10001;

export interface KonaNodeArgs {
  role: "sequencer" | "validator";
  l2ChainId: number;
  /** L1 block time: kona reads beacon slots as `(timestamp - genesis) / slot duration`. */
  l1BlockTime: number;
  l1RpcUrl: string;
  /** Engine API of the paired op-reth. */
  engineUrl: string;
  /** This container's name, advertised to P2P peers. */
  containerName: string;
  /** `enode://` URLs of fixed or earlier kona-nodes. */
  bootnodes: string[];
  /** Set for sequencers steered by op-conductor: its own conductor's RPC. Starts the node stopped. */
  conductorRpc?: string;
}

/**
 * kona-node's arguments. Global flags (metrics, chain id) go before the `node` subcommand.
 * Only sequencers get the unsafe-block signer key (Kupcake handed it to validators too).
 * A sequencer under a conductor starts with `--sequencer.stopped` and waits for the conductor's
 * cluster formation to start it; a lone sequencer is active from its first block.
 */
export function konaNodeCommand(a: KonaNodeArgs): string[] {
  const p = CONTAINER_PORTS;
  const sequencer = a.role === "sequencer";
  return [
    "--metrics.enabled", "--metrics.addr", "0.0.0.0", "--metrics.port", String(p.konaMetrics),
    "--chain", String(a.l2ChainId),
    "node",
    "--mode", a.role,
    "--l1-eth-rpc", a.l1RpcUrl,
    "--l1-beacon", a.l1RpcUrl,
    "--l1.slot-duration-override", String(a.l1BlockTime),
    "--l1-config-file", `${ARTIFACTS_MOUNT}/${ARTIFACT_FILES.l1ChainConfig}`,
    "--l2-engine-rpc", a.engineUrl,
    "--l2-engine-jwt-secret", JWT_FILE,
    "--l2-config-file", `${ARTIFACTS_MOUNT}/${ARTIFACT_FILES.rollup}`,
    "--rpc.addr", "0.0.0.0", "--rpc.port", String(p.konaRpc),
    "--p2p.listen.ip", "0.0.0.0", "--p2p.listen.tcp", String(p.konaP2p), "--p2p.listen.udp", String(p.konaP2p),
    "--p2p.advertise.ip", a.containerName,
    "--p2p.priv.path", P2P_KEY_FILE,
    ...(a.bootnodes.length ? ["--p2p.bootnodes", a.bootnodes.join(",")] : []),
    ...(sequencer
      ? [
          "--p2p.sequencer.key", ROLES.unsafeBlockSigner.privateKey.replace(/^0x/, ""),
          "--sequencer.l1-confs", "1",
          "--rpc.enable-admin",
        ]
      : []),
    ...(sequencer && a.conductorRpc ? ["--conductor.rpc", a.conductorRpc, "--sequencer.stopped"] : []),
  ];
}

/**
 * kona-node's entrypoint: refuse to start unless the engine JWT is readable by this uid and
 * well-formed. Without this guard kona silently invents a random JWT and every Engine API call to
 * op-reth fails with an auth error far from the cause.
 */
export function konaNodeEntrypoint(): string[] {
  const guard =
    `if ! grep -qE '^(0x)?[0-9a-fA-F]{64}$' ${JWT_FILE} 2>/dev/null; then ` +
    `echo "kupcake: engine JWT ${JWT_FILE} is missing or not readable by uid $(id -u); refusing to start with a random JWT" >&2; exit 78; fi; ` +
    `exec kona-node "$@"`;
  return ["/bin/sh", "-c", guard, "kona-node"];
}
