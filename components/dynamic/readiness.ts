import * as pulumi from "@pulumi/pulumi";
import { changedInputs } from "./inputDiff";
import { hexToNumber, rpcCall, waitFor } from "./rpc";

/** What "the devnet is live" is checked against, all reachable from the machine running `pulumi up`. */
export interface ReadinessInputs {
  l1RpcUrl: string;
  l1ChainId: number;
  /** Every sequencer: its op-reth RPC and kona-node RPC on the host. */
  sequencers: { name: string; rpcUrl: string; konaRpcUrl: string }[];
  /** Conductor RPCs on the host (empty with one sequencer). */
  conductors: { serverId: string; rpcUrl: string }[];
  timeoutMs: number;
  pollMs: number;
}

export interface ReadinessReport {
  activeSequencer: string;
  leader?: string;
  unsafeHead: number;
  safeHead: number;
}

/** Runs `check` and rewrites a failure as "readiness check <name> failed: <what it saw>". */
async function step<T>(name: string, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (e) {
    throw new Error(`readiness check "${name}" failed: ${(e as Error).message}`);
  }
}

interface SyncStatus {
  unsafe_l2: { number: number };
  safe_l2: { number: number };
}

/**
 * Waits until the devnet works, in order: L1 answers with the right chain id; with conductors,
 * exactly one Raft leader; exactly one sequencer active and its unsafe head advancing; the safe
 * head advancing (the batcher posts and the chain derives from L1). Each step shares one deadline.
 */
export async function checkReadiness(i: ReadinessInputs): Promise<ReadinessReport> {
  const deadline = Date.now() + i.timeoutMs;
  const w = () => ({ timeoutMs: Math.max(0, deadline - Date.now()), pollMs: i.pollMs });

  await step("L1 answering", () =>
    waitFor(`${i.l1RpcUrl} to answer eth_chainId`, async () => {
      const id = hexToNumber(await rpcCall(i.l1RpcUrl, "eth_chainId"));
      if (id !== i.l1ChainId) throw new Error(`L1 at ${i.l1RpcUrl} has chain id ${id}, expected ${i.l1ChainId}`);
      return id;
    }, w()),
  );

  let leader: string | undefined;
  if (i.conductors.length > 0) {
    leader = await step("conductor cluster has one leader", () =>
      waitFor("exactly one conductor reporting conductor_leader = true", async () => {
        const answers: string[] = [];
        const leaders: string[] = [];
        for (const c of i.conductors) {
          try {
            const l = await rpcCall<boolean>(c.rpcUrl, "conductor_leader");
            answers.push(`${c.serverId}=${l}`);
            if (l) leaders.push(c.serverId);
          } catch (e) {
            answers.push(`${c.serverId}: ${(e as Error).message}`);
          }
        }
        if (leaders.length === 1) return leaders[0];
        throw new Error(`${leaders.length} leaders (${answers.join(", ")})`);
      }, w()),
    );
  }

  const active = await step("one active sequencer", () =>
    waitFor("exactly one sequencer with admin_sequencerActive = true", async () => {
      const answers: string[] = [];
      const actives: ReadinessInputs["sequencers"] = [];
      for (const s of i.sequencers) {
        try {
          const a = await rpcCall<boolean>(s.konaRpcUrl, "admin_sequencerActive");
          answers.push(`${s.name}=${a}`);
          if (a) actives.push(s);
        } catch (e) {
          answers.push(`${s.name}: ${(e as Error).message}`);
        }
      }
      if (actives.length === 1) return actives[0];
      throw new Error(`${actives.length} active (${answers.join(", ")})`);
    }, w()),
  );

  const first = hexToNumber(await rpcCall(active.rpcUrl, "eth_blockNumber"));
  const unsafeHead = await step("L2 unsafe head advancing", () =>
    waitFor(`${active.name}'s head to pass block ${first}`, async () => {
      const now = hexToNumber(await rpcCall(active.rpcUrl, "eth_blockNumber"));
      if (now > first) return now;
      throw new Error(`${active.name} head still at ${now}`);
    }, w()),
  );

  const safeStart = (await rpcCall<SyncStatus>(active.konaRpcUrl, "optimism_syncStatus")).safe_l2.number;
  const safeHead = await step("L2 safe head advancing", () =>
    waitFor(`the safe head to pass block ${safeStart} (the batcher posting to L1)`, async () => {
      const s = await rpcCall<SyncStatus>(active.konaRpcUrl, "optimism_syncStatus");
      if (s.safe_l2.number > safeStart) return s.safe_l2.number;
      throw new Error(`safe head still at ${s.safe_l2.number} (unsafe head ${s.unsafe_l2.number})`);
    }, w()),
  );

  // No `leader` key without conductors: the engine's Struct encoding rejects `undefined` values.
  return { activeSequencer: active.name, ...(leader !== undefined ? { leader } : {}), unsafeHead, safeHead };
}

/**
 * On a scale-down Pulumi runs this check (an update) before it deletes the leaving conductors'
 * memberships, so a leaving conductor may still lead and the staying sequencers would never pass
 * "one leader" and "one active". Hands leadership from a leading leaving conductor to the staying
 * voter with the highest unsafe head (`conductor_transferLeaderToServer`) and waits until a staying conductor leads; the
 * membership's delete then only removes it. Leaving conductors that do not answer are skipped.
 * Nothing to do when no conductor stays (down to one sequencer). Returns the server id leadership
 * went to, if it moved. Throws when the transfer fails or no
 * staying conductor leads within `timeoutMs` (found on the real engine: 600 s of "0 leaders").
 */
export async function handOffFromLeaving(olds: ReadinessInputs, news: ReadinessInputs): Promise<string | undefined> {
  // Down to one sequencer there is no cluster left to lead (its conductors all go).
  if (news.conductors.length === 0) return undefined;
  const staying = new Set(news.conductors.map((c) => c.serverId));
  for (const c of (olds.conductors ?? []).filter((x) => !staying.has(x.serverId))) {
    const leads = await rpcCall<boolean>(c.rpcUrl, "conductor_leader").catch(() => false);
    if (!leads) continue;
    const m = await rpcCall<{ servers: { id: string; addr: string }[] }>(c.rpcUrl, "conductor_clusterMembership");
    // The staying voter with the highest unsafe head (sequencers and conductors are in node order):
    // one 2+ blocks behind could not start and would hand leadership back round-robin.
    const heads = await Promise.all(
      news.conductors.map((n, k) =>
        rpcCall<{ unsafe_l2: { number: number } }>(news.sequencers[k]?.konaRpcUrl ?? "", "optimism_syncStatus").then((st) => st.unsafe_l2.number, () => -1),
      ),
    );
    const order = news.conductors.map((n, k) => ({ n, head: heads[k] })).sort((x, y) => y.head - x.head);
    const target = order.map(({ n }) => m.servers.find((sv) => sv.id === n.serverId)).find((x) => x !== undefined);
    if (!target) throw new Error(`${c.serverId} leads and is leaving, but no staying conductor is a voter (${m.servers.map((x) => x.id).join(", ")})`);
    await rpcCall(c.rpcUrl, "conductor_transferLeaderToServer", [target.id, target.addr]);
    return waitFor(
      `a staying conductor to lead after ${c.serverId} handed leadership to ${target.id}`,
      async () => {
        for (const n of news.conductors) if (await rpcCall<boolean>(n.rpcUrl, "conductor_leader").catch(() => false)) return n.serverId;
        throw new Error("no staying conductor reports conductor_leader = true");
      },
      { timeoutMs: news.timeoutMs, pollMs: news.pollMs },
    );
  }
  return undefined;
}

export const readinessProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: ReadinessInputs) {
    const report = await checkReadiness(inputs);
    return { id: "devnet-ready", outs: { ...inputs, report } };
  },
  async diff(_id: string, olds: ReadinessInputs, news: ReadinessInputs) {
    return { changes: changedInputs(olds, news, ["report"]).length > 0 };
  },
  async update(_id: string, olds: ReadinessInputs, news: ReadinessInputs) {
    // The topology changed: check again that the devnet converged.
    await step("leadership off the leaving conductors", () => handOffFromLeaving(olds, news));
    return { outs: { ...news, report: await checkReadiness(news) } };
  },
};

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** Makes `pulumi up` end only when the devnet is live; its failure names the check and what it saw. */
export class DevnetReadiness extends pulumi.dynamic.Resource {
  public readonly report!: pulumi.Output<ReadinessReport>;
  constructor(name: string, args: Inputs<ReadinessInputs>, opts?: pulumi.CustomResourceOptions) {
    super(readinessProvider, name, { report: undefined, ...args }, opts, "kupcake", "DevnetReadiness");
  }
}
