import { ROLES } from "../accounts";
import { CONTAINER_PORTS } from "../ports";
import { ARTIFACTS_MOUNT, ARTIFACT_FILES } from "./opDeployer";

/**
 * The permissioned dispute game: the only game type op-deployer registers by default, and the
 * one op-proposer must create. (Kupcake passed 254, which is the "fast" game, and never worked.)
 */
export const PERMISSIONED_GAME_TYPE = 1;

/**
 * Where op-batcher and op-proposer find "the" sequencer. With one endpoint they use it as is; with
 * several (equal-length lists) they poll `admin_sequencerActive` and follow the active one.
 */
export interface SequencerEndpoints {
  /** EL RPC URLs, in sequencer order. With conductors: each conductor's RPC (its proxy). */
  l2EthRpcs: string[];
  /** Rollup (CL) RPC URLs, in the same order and of the same length. */
  rollupRpcs: string[];
}

const metrics = ["--metrics.enabled", "--metrics.addr", "0.0.0.0", "--metrics.port", String(CONTAINER_PORTS.opServiceMetrics)];

function assertPaired(e: SequencerEndpoints) {
  if (e.l2EthRpcs.length === 0 || e.l2EthRpcs.length !== e.rollupRpcs.length) {
    throw new Error(`sequencer endpoint lists must be non-empty and of equal length (got ${e.l2EthRpcs.length} and ${e.rollupRpcs.length})`);
  }
}

export interface BatcherArgs {
  l1RpcUrl: string;
  sequencers: SequencerEndpoints;
  dataAvailability: "calldata" | "blobs" | "auto";
}

/** op-batcher's command: posts L2 batches to L1 from whichever sequencer is active. */
export function opBatcherCommand(a: BatcherArgs): string[] {
  assertPaired(a.sequencers);
  return [
    "op-batcher",
    "--l1-eth-rpc", a.l1RpcUrl,
    "--l2-eth-rpc", a.sequencers.l2EthRpcs.join(","),
    "--rollup-rpc", a.sequencers.rollupRpcs.join(","),
    ...(a.sequencers.l2EthRpcs.length > 1 ? ["--active-sequencer-check-duration", "2s"] : []),
    "--private-key", ROLES.batcher.privateKey,
    "--data-availability-type", a.dataAvailability,
    "--num-confirmations", "1",
    "--resubmission-timeout", "30s",
    "--max-channel-duration", "1",
    "--poll-interval", "1s",
    "--throttle.unsafe-da-bytes-lower-threshold", "0",
    "--rpc.addr", "0.0.0.0", "--rpc.port", String(CONTAINER_PORTS.batcherRpc),
    ...metrics,
    "--log.level", "info",
  ];
}

export interface ProposerArgs {
  l1RpcUrl: string;
  sequencers: SequencerEndpoints;
  disputeGameFactory: string;
}

/** op-proposer's command: permissioned games (type 1) at the DisputeGameFactory op-deployer deployed. */
export function opProposerCommand(a: ProposerArgs): string[] {
  assertPaired(a.sequencers);
  return [
    "op-proposer",
    "--l1-eth-rpc", a.l1RpcUrl,
    "--rollup-rpc", a.sequencers.rollupRpcs.join(","),
    ...(a.sequencers.rollupRpcs.length > 1 ? ["--active-sequencer-check-duration", "2s"] : []),
    "--private-key", ROLES.proposer.privateKey,
    "--game-factory-address", a.disputeGameFactory,
    "--game-type", String(PERMISSIONED_GAME_TYPE),
    "--proposal-interval", "60s",
    "--allow-non-finalized",
    "--num-confirmations", "1",
    "--rpc.addr", "0.0.0.0", "--rpc.port", String(CONTAINER_PORTS.proposerRpc),
    ...metrics,
    "--log.level", "info",
  ];
}

/** op-challenger's data directory: its named volume. */
export const CHALLENGER_DATADIR = "/data";

export interface ChallengerArgs {
  l1RpcUrl: string;
  /** One L2 EL and one rollup RPC it reads the canonical chain from. */
  l2EthRpc: string;
  rollupRpc: string;
  disputeGameFactory: string;
  /** Serves absolute prestates: the permissioned trace type refuses to start without one. */
  prestatesUrl: string;
}

/** op-challenger's command for the permissioned game (the image provides the cannon binaries). */
export function opChallengerCommand(a: ChallengerArgs): string[] {
  return [
    "op-challenger",
    "--l1-eth-rpc", a.l1RpcUrl,
    "--l1-beacon", a.l1RpcUrl,
    "--l2-eth-rpc", a.l2EthRpc,
    "--rollup-rpc", a.rollupRpc,
    "--private-key", ROLES.challenger.privateKey,
    "--game-factory-address", a.disputeGameFactory,
    "--game-types", "permissioned",
    "--prestates-url", a.prestatesUrl,
    "--rollup-config", `${ARTIFACTS_MOUNT}/${ARTIFACT_FILES.rollup}`,
    "--l2-genesis", `${ARTIFACTS_MOUNT}/${ARTIFACT_FILES.genesis}`,
    "--datadir", CHALLENGER_DATADIR,
    ...metrics,
    "--log.level", "info",
  ];
}
