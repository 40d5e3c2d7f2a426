import { CONTAINER_PORTS } from "../ports";
import { ARTIFACTS_MOUNT, ARTIFACT_FILES } from "./opDeployer";

/** Raft storage inside the conductor container: its named volume. op-conductor appends the server id. */
export const RAFT_DIR = "/raft";

export interface OpConductorArgs {
  /** Stable Raft server id (`sequencer-<i>`). */
  serverId: string;
  /** This conductor's container name: the Raft address peers dial is `<name>:50050`. */
  containerName: string;
  /** Only conductor 1 bootstraps the cluster; the others join through `conductor_addServerAsVoter`. */
  bootstrap: boolean;
  /** RPC of the kona-node it steers. */
  nodeRpc: string;
  /** RPC of the op-reth beside that kona-node. */
  executionRpc: string;
  /** L2 block time (seconds): health-check intervals derive from it. */
  l2BlockTime: number;
}

/**
 * Health-check timing from the L2 block time: check every block, and call the sequencer unhealthy
 * once its unsafe head is more than `2 * blockTime + 1` seconds old (optimism-package's rule; the
 * op-conductor runbook recommends 2-3 block times).
 */
export function conductorHealthTiming(l2BlockTime: number) {
  return { interval: l2BlockTime, unsafeInterval: 2 * l2BlockTime + 1 };
}

/**
 * op-conductor's command. No `--paused`: conductor 1 pauses itself when it really bootstraps a
 * fresh cluster (the formation resumes it after starting the first block), followers outside the
 * cluster do nothing until they are added, and after any restart every conductor's control loop
 * runs at once, so the cluster re-forms from its Raft volumes and the leader resumes sequencing
 * without anyone calling `conductor_resume`. `--consensus.addr 0.0.0.0` binds all interfaces, so
 * `--consensus.advertised` must name the container (Raft refuses to advertise 0.0.0.0).
 */
export function opConductorCommand(a: OpConductorArgs): string[] {
  const p = CONTAINER_PORTS;
  const timing = conductorHealthTiming(a.l2BlockTime);
  return [
    "op-conductor",
    "--consensus.addr", "0.0.0.0",
    "--consensus.port", String(p.conductorRaft),
    "--consensus.advertised", `${a.containerName}:${p.conductorRaft}`,
    "--raft.server.id", a.serverId,
    "--raft.storage.dir", RAFT_DIR,
    ...(a.bootstrap ? ["--raft.bootstrap"] : []),
    // A leader that cannot start (2+ blocks behind the Raft head: the v0.9.4 wedge, optimism#22094)
    // turns unhealthy within the unsafe interval and hands leadership on. Raft's default transfer
    // picks the first voter in configuration order among those with the highest next index, so two
    // lagging voters can pass leadership back and forth forever; round-robin visits every voter
    // (`transferLeaderRoundRobin`, op-conductor/conductor/service.go at op-conductor/v0.9.4).
    "--raft.round-robin-leader-transfer",
    "--node.rpc", a.nodeRpc,
    "--execution.rpc", a.executionRpc,
    "--rollup.config", `${ARTIFACTS_MOUNT}/${ARTIFACT_FILES.rollup}`,
    "--healthcheck.interval", String(timing.interval),
    "--healthcheck.unsafe-interval", String(timing.unsafeInterval),
    "--healthcheck.min-peer-count", "1",
    "--rpc.addr", "0.0.0.0", "--rpc.port", String(p.conductorRpc),
    "--rpc.enable-admin",
    "--rpc.enable-proxy",
    "--metrics.enabled", "--metrics.addr", "0.0.0.0", "--metrics.port", String(p.opServiceMetrics),
    "--log.level", "info",
  ];
}
