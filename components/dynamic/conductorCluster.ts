import { RpcError, WaitOptions, rpcCall, waitFor } from "./rpc";

/**
 * Forming and changing the op-conductor Raft cluster through the conductors' JSON-RPC API,
 * following the upstream order (op-conductor RUNBOOK, op-e2e sequencer_failover_setup):
 * conductor 1 bootstraps and leads; the leader's sequencer is started by hand once (a fresh
 * cluster has no unsafe head in Raft); followers join through `conductor_addServerAsVoter` on
 * whichever conductor leads; every conductor is resumed. Membership only changes on the leader.
 */

/** One conductor as seen from the machine running `pulumi up`. */
export interface ConductorRef {
  /** Raft server id (`sequencer-<i>`). */
  serverId: string;
  /** Raft address other conductors dial (`<container>:50050`). */
  raftAddr: string;
  /** Conductor RPC reachable from this machine (the published port). */
  rpcUrl: string;
}

export interface RaftServer {
  id: string;
  addr: string;
  /** 0 = voter, 1 = non-voter. */
  suffrage: number;
}

const describeAnswers = (answers: Map<string, string>) =>
  [...answers.entries()].map(([id, a]) => `${id}: ${a}`).join("; ");

/** Finds the conductor that is Raft leader among `refs`, polling until `w.timeoutMs`. */
export async function findLeader(refs: ConductorRef[], w: WaitOptions): Promise<ConductorRef> {
  const answers = new Map<string, string>();
  return waitFor(
    `a Raft leader among ${refs.map((r) => r.serverId).join(", ")}`,
    async () => {
      for (const ref of refs) {
        try {
          const leader = await rpcCall<boolean>(ref.rpcUrl, "conductor_leader");
          answers.set(ref.serverId, `conductor_leader = ${leader}`);
          if (leader) return ref;
        } catch (e) {
          answers.set(ref.serverId, (e as RpcError).answer ?? (e as Error).message);
        }
      }
      throw new Error(describeAnswers(answers));
    },
    w,
  );
}

interface SyncStatus {
  unsafe_l2: { number: number; hash: string };
  safe_l2: { number: number; hash: string };
}

/** Starts block production on a sequencer CL: kona takes no parameter, op-node the unsafe head hash. */
export async function startSequencer(konaRpcUrl: string): Promise<void> {
  try {
    await rpcCall(konaRpcUrl, "admin_startSequencer");
  } catch (e) {
    const answer = (e as RpcError).answer ?? "";
    if (/already (started|running|active)/i.test(answer)) return;
    if (!/invalid params|missing|expected/i.test(answer)) throw e;
    const status = await rpcCall<SyncStatus>(konaRpcUrl, "optimism_syncStatus");
    await rpcCall(konaRpcUrl, "admin_startSequencer", [status.unsafe_l2.hash]);
  }
}

export interface BootstrapInputs {
  /** Conductor 1, started with `--raft.bootstrap`. */
  conductor: ConductorRef;
  /** The kona-node RPC conductor 1 steers, reachable from this machine. */
  konaRpcUrl: string;
  timeoutMs: number;
  pollMs: number;
}

export interface BootstrapResult {
  leader: string;
  /** Whether this run started sequencing (a fresh cluster) or found it already running. */
  started: boolean;
}

/**
 * Brings the bootstrapped one-member cluster to life: waits for conductor 1 to lead, starts its
 * sequencer if nothing sequences yet, waits for a block (so the unsafe head is in Raft) and for
 * conductor 1 to call its sequencer healthy, and resumes conductor 1. Idempotent: on an existing
 * cluster it only resumes. Throws when a wait exceeds `timeoutMs`, naming what it last saw.
 */
export async function bootstrapCluster(i: BootstrapInputs): Promise<BootstrapResult> {
  const w = { timeoutMs: i.timeoutMs, pollMs: i.pollMs };
  const c = i.conductor;
  const leader = await waitFor(
    `${c.serverId} to report a Raft leader`,
    async () => {
      const l = await rpcCall<{ id: string } | null>(c.rpcUrl, "conductor_leaderWithID");
      if (!l?.id) throw new Error(`${c.serverId}: conductor_leaderWithID returned no leader`);
      return l.id;
    },
    w,
  );
  let started = false;
  if (leader === c.serverId) {
    const active = await rpcCall<boolean>(i.konaRpcUrl, "admin_sequencerActive");
    if (!active) {
      const before = (await rpcCall<SyncStatus>(i.konaRpcUrl, "optimism_syncStatus")).unsafe_l2.number;
      await startSequencer(i.konaRpcUrl).catch((e: Error) => {
        throw new Error(`${c.serverId}: could not start its sequencer: ${e.message}`);
      });
      started = true;
      await waitFor(
        `the unsafe head of ${c.serverId}'s sequencer to pass block ${before}`,
        async () => {
          const now = (await rpcCall<SyncStatus>(i.konaRpcUrl, "optimism_syncStatus")).unsafe_l2.number;
          if (now > before) return now;
          throw new Error(`unsafe head still at ${now}`);
        },
        w,
      );
      // Resume only once the conductor's own health check has seen that block. A resumed sole
      // voter that finds its sequencer unhealthy stops it and "transfers" leadership to nobody:
      // with --raft.round-robin-leader-transfer v0.9.4 then marks itself follower while staying
      // Raft leader (transferLeaderRoundRobin returns nil for one voter; conductor/service.go at
      // op-conductor/v0.9.4), and no later failover happens. Seen on the real conductor in the e2e.
      await waitFor(
        `${c.serverId}'s conductor to call its sequencer healthy (conductor_sequencerHealthy) after the first block`,
        async () => {
          if (await rpcCall<boolean>(c.rpcUrl, "conductor_sequencerHealthy")) return true;
          throw new Error("conductor_sequencerHealthy = false (unsafe head older than the health check's unsafe interval, or fewer P2P peers than its minimum)");
        },
        w,
      );
    }
  }
  await rpcCall(c.rpcUrl, "conductor_resume");
  return { leader, started };
}

export interface MemberInputs {
  /** The conductor joining (or leaving) the cluster. */
  member: ConductorRef;
  /** Conductors that were members before it (fixed or earlier ones): where to look for the leader. */
  anchors: ConductorRef[];
  timeoutMs: number;
  pollMs: number;
}

async function membership(leader: ConductorRef): Promise<RaftServer[]> {
  const m = await rpcCall<{ servers: RaftServer[] }>(leader.rpcUrl, "conductor_clusterMembership");
  return m?.servers ?? [];
}

/**
 * Adds `member` to the cluster as a voter on whichever conductor leads (after a failover that is
 * not conductor 1), then resumes it. Already a voter counts as success, so re-creating is safe.
 */
export async function joinCluster(i: MemberInputs): Promise<{ leader: string; added: boolean }> {
  const w = { timeoutMs: i.timeoutMs, pollMs: i.pollMs };
  const m = i.member;
  await waitFor(`${m.serverId}'s RPC at ${m.rpcUrl}`, () => rpcCall<boolean>(m.rpcUrl, "conductor_paused"), w);
  let added = false;
  for (let attempt = 1; ; attempt++) {
    const leader = await findLeader([...i.anchors, m], w);
    let servers: RaftServer[];
    try {
      servers = await membership(leader);
      if (!servers.some((s) => s.id === m.serverId && s.suffrage === 0)) {
        await rpcCall(leader.rpcUrl, "conductor_addServerAsVoter", [m.serverId, m.raftAddr, 0]);
        added = true;
      }
    } catch (e) {
      // Leadership moved between finding the leader and asking it: look again, a bounded number of times.
      if (attempt < 3 && /not.*leader|leadership/i.test((e as Error).message)) continue;
      throw new Error(`adding ${m.serverId} (${m.raftAddr}) as voter on leader ${leader.serverId} failed: ${(e as Error).message}`);
    }
    await waitFor(
      `${m.serverId} to follow leader ${leader.serverId}`,
      async () => {
        const l = await rpcCall<{ id: string } | null>(m.rpcUrl, "conductor_leaderWithID");
        if (l?.id) return l.id;
        throw new Error(`${m.serverId} knows no leader yet`);
      },
      w,
    );
    await rpcCall(m.rpcUrl, "conductor_resume");
    return { leader: leader.serverId, added };
  }
}

/**
 * Removes `member` from the cluster before its containers are deleted, so the remaining voters
 * keep a quorum. A leading member hands leadership over first. When no conductor answers at all
 * (the containers are already gone), there is nothing left to remove from.
 */
export async function leaveCluster(i: MemberInputs): Promise<{ removedFrom?: string }> {
  const w = { timeoutMs: i.timeoutMs, pollMs: i.pollMs };
  const everyone = [...i.anchors, i.member];
  const alive: ConductorRef[] = [];
  for (const ref of everyone) {
    try {
      await rpcCall(ref.rpcUrl, "conductor_leader");
      alive.push(ref);
    } catch {
      /* not reachable */
    }
  }
  if (alive.length === 0) return {};
  let leader = await findLeader(alive, w);
  if (leader.serverId === i.member.serverId) {
    await rpcCall(leader.rpcUrl, "conductor_transferLeader");
    const others = alive.filter((r) => r.serverId !== i.member.serverId);
    if (others.length === 0) return {};
    leader = await findLeader(others, w);
  }
  const servers = await membership(leader);
  if (!servers.some((s) => s.id === i.member.serverId)) return { removedFrom: leader.serverId };
  try {
    await rpcCall(leader.rpcUrl, "conductor_removeServer", [i.member.serverId, 0]);
  } catch (e) {
    throw new Error(`removing ${i.member.serverId} from the cluster on leader ${leader.serverId} failed: ${(e as Error).message}`);
  }
  return { removedFrom: leader.serverId };
}
