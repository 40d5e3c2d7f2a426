// Recovery of a conductor cluster in which no leader can start its sequencer because the Raft head
// is behind every live sequencer node. How that happens with kona-node v1.6.0: it inserts a block,
// then commits it to its conductor and gossips it even when the commit fails (optimism#21906); if
// the leader then stops, every node holds blocks Raft never got. op-conductor v0.9.4 starts a
// sequencer only when its node's unsafe head is the Raft head or one block behind it
// (`startSequencer`, op-conductor/conductor/service.go at op-conductor/v0.9.4), and its Raft FSM only
// moves forward when the leader commits (`consensus/raft_fsm.go`), so every leader refuses and hands
// on, forever. Reproduced on the real op-conductor in test/e2e/realConductor.test.ts.
//
// The repair: pause every conductor (their control loops stop handing leadership around), make the
// Raft leader the sequencer with the highest head, start that sequencer directly, wait until it has
// sealed a block (its commit to the leading conductor moves the Raft head to the node's head), and
// resume every conductor; the leader's conductor then finds its node at the Raft head and keeps it
// sequencing.
import { ConductorRef, startSequencer } from "../components/dynamic/conductorCluster";
import { RpcError, rpcCall, waitFor } from "../components/dynamic/rpc";
import { NodeEndpoint } from "./endpoints";

export interface RecoverOptions {
  /** Budget of each waiting step, in milliseconds. */
  stepTimeoutMs: number;
  pollMs: number;
  /** How long to watch for a sealing sequencer before calling the cluster stalled (ms). */
  stallMs: number;
  log?: (line: string) => void;
}

export interface RecoverReport {
  /** "sequencing": a sequencer already sealed blocks, nothing was touched. "recovered": repaired. */
  outcome: "sequencing" | "recovered";
  /** The sequencer that sequences afterwards (1-based index). */
  sequencer: number;
  /** Its unsafe head before and after (block numbers). */
  headBefore: number;
  headAfter: number;
}

/** A refusal or failure with a message for people; nothing half-done is left paused (see `recoverSequencing`). */
export class RecoverFailure extends Error {}

interface Probe {
  s: NodeEndpoint;
  head: { number: number; hash: string };
  active: boolean;
}

const name = (s: NodeEndpoint) => `sequencer-${s.index}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const answer = (e: unknown) => (e as RpcError).answer ?? (e as Error).message;

async function probe(s: NodeEndpoint): Promise<Probe> {
  const st = await rpcCall<{ unsafe_l2: { number: number; hash: string } }>(s.kona, "optimism_syncStatus");
  const active = await rpcCall<boolean>(s.kona, "admin_sequencerActive");
  return { s, head: st.unsafe_l2, active };
}

/** `waitFor` with this module's budget; its timeout becomes a RecoverFailure. */
const until = <T>(what: string, o: RecoverOptions, probe: () => Promise<T | undefined>): Promise<T> =>
  waitFor(what, probe, { timeoutMs: o.stepTimeoutMs, pollMs: o.pollMs }).catch((e: Error) => {
    throw new RecoverFailure(e.message);
  });

/**
 * Resumes every conductor of `seqs` that reports itself paused; returns the ones it resumed and
 * the ones it could not (with the answer). Used on every exit of the recovery and by the script's
 * Ctrl-C handler, so an interrupted run never leaves failover off.
 */
export async function resumePaused(seqs: NodeEndpoint[]): Promise<{ resumed: string[]; failed: string[] }> {
  const out = { resumed: [] as string[], failed: [] as string[] };
  for (const s of seqs) {
    if (!s.conductorRpc) continue;
    try {
      if (await rpcCall<boolean>(s.conductorRpc, "conductor_paused")) {
        await rpcCall(s.conductorRpc, "conductor_resume");
        out.resumed.push(name(s));
      }
    } catch (e) {
      out.failed.push(`${name(s)}: ${answer(e)}`);
    }
  }
  return out;
}

/**
 * Checks whether a sequencer seals blocks; if none did for `stallMs`, repairs the cluster as
 * described at the top of this file. Needs every sequencer's consensus client and conductor to
 * answer: a stopped node may hold newer blocks than the live ones, and starting a live one would
 * then fork them away. `followers` (validators) that answer must not be ahead of the chosen head.
 * Throws `RecoverFailure` naming what it saw (a stopped node, a node ahead, no Raft leader, no new
 * block, a conductor left paused). Every conductor is resumed before it returns or throws; a
 * conductor found paused at the start (an interrupted run) is resumed too, and reported.
 */
export async function recoverSequencing(seqs: NodeEndpoint[], o: RecoverOptions, followers: NodeEndpoint[] = []): Promise<RecoverReport> {
  const log = o.log ?? (() => {});
  if (seqs.length < 2 || seqs.some((s) => !s.conductorRpc)) {
    throw new RecoverFailure("recovery is for stacks with op-conductor (kupcake:sequencerCount >= 2); a single sequencer has no Raft head to repair");
  }
  for (const s of seqs) {
    try {
      await probe(s);
      await rpcCall<boolean>(s.conductorRpc!, "conductor_paused");
    } catch (e) {
      throw new RecoverFailure(
        `${name(s)} does not answer its RPC (${answer(e)}). A stopped sequencer may hold blocks the others lack, and starting another one would fork them away: ` +
          `start it first (npm run start), then run the recovery again.`,
      );
    }
  }
  const leftPaused = await resumePaused(seqs);
  if (leftPaused.resumed.length) log(`resumed conductors found paused (an interrupted recovery, or paused by hand): ${leftPaused.resumed.join(", ")}`);

  // Is anyone sequencing? A head that moves on an active sequencer within the stall window.
  const sealing = async (above: number) => {
    for (const s of seqs) {
      const p = await probe(s).catch(() => undefined);
      if (p?.active && p.head.number > above) return p;
    }
    return undefined;
  };
  const top = Math.max(...(await Promise.all(seqs.map(probe))).map((p) => p.head.number));
  const deadline = Date.now() + o.stallMs;
  while (Date.now() < deadline) {
    const p = await sealing(top);
    if (p) {
      log(`${name(p.s)} is sequencing (block ${p.head.number}); nothing to recover`);
      return { outcome: "sequencing", sequencer: p.s.index, headBefore: top, headAfter: p.head.number };
    }
    await sleep(o.pollMs);
  }
  log(`no sequencer sealed a block past ${top} in ${o.stallMs / 1000}s`);

  const paused: NodeEndpoint[] = [];
  const resumeAll = async () => {
    const r = await resumePaused(paused);
    if (r.failed.length) throw new RecoverFailure(`could not resume every conductor; failover stays off until they are resumed (conductor_resume): ${r.failed.join("; ")}`);
  };
  let leader: NodeEndpoint;
  let from: number;
  try {
    for (const s of seqs) {
      paused.push(s); // before the call: a pause that times out here may still take effect there
      await rpcCall(s.conductorRpc!, "conductor_pause");
    }
    log(`paused ${paused.length} conductors`);
    // Heads again, now that no conductor acts: the cluster may have healed itself just after the window.
    const probes = await Promise.all(seqs.map(probe));
    const live = probes.find((p) => p.active);
    if (live) {
      log(`${name(live.s)} became active meanwhile; nothing to recover`);
      await resumeAll();
      return { outcome: "sequencing", sequencer: live.s.index, headBefore: top, headAfter: live.head.number };
    }
    log(`heads: ${probes.map((p) => `${name(p.s)} ${p.head.number}`).join(", ")}`);
    const leading = await Promise.all(seqs.map((s) => rpcCall<boolean>(s.conductorRpc!, "conductor_leader").catch(() => false)));
    // The highest head leads afterwards; among equal heads the current Raft leader (no transfer).
    const best = probes.reduce((a, b) => (b.head.number > a.head.number || (b.head.number === a.head.number && leading[seqs.indexOf(b.s)]) ? b : a));
    from = best.head.number;
    const others: { label: string; head: { number: number; hash: string } }[] = probes.filter((p) => p !== best).map((p) => ({ label: name(p.s), head: p.head }));
    for (const f of followers) {
      const st = await rpcCall<{ unsafe_l2: { number: number; hash: string } }>(f.kona, "optimism_syncStatus").catch(() => undefined);
      if (st) others.push({ label: `${f.role}-${f.index}`, head: st.unsafe_l2 });
      else log(`${f.role}-${f.index} does not answer; its head is not compared`);
    }
    for (const x of others) {
      if (x.head.number > best.head.number) {
        throw new RecoverFailure(`${x.label} holds block ${x.head.number}, past every sequencer (${best.head.number}): starting a sequencer would fork it away. Inspect with npm run status.`);
      }
      const theirs = await rpcCall<{ hash: string } | null>(best.s.rpc, "eth_getBlockByNumber", [`0x${x.head.number.toString(16)}`, false]).catch(() => null);
      if (theirs?.hash !== x.head.hash) {
        throw new RecoverFailure(
          `${x.label}'s head ${x.head.number} (${x.head.hash}) is not in ${name(best.s)}'s chain: the nodes disagree, which this recovery does not settle. ` +
            `Inspect with npm run status and the conductors' logs (npm run logs -- conductor N).`,
        );
      }
    }
    leader = await until("one Raft leader among the paused conductors", o, async () => {
      const ls: NodeEndpoint[] = [];
      for (const s of seqs) if (await rpcCall<boolean>(s.conductorRpc!, "conductor_leader").catch(() => false)) ls.push(s);
      if (ls.length === 1) return ls[0];
      throw new Error(`${ls.length} conductors report conductor_leader = true`);
    });
    if (leader !== best.s) {
      const m = await rpcCall<{ servers: { id: string; addr: string }[] }>(leader.conductorRpc!, "conductor_clusterMembership");
      const target = m.servers.find((x) => x.id === `sequencer-${best.s.index}`);
      if (!target) throw new RecoverFailure(`${name(best.s)} (the highest head) is not a Raft voter: ${m.servers.map((x) => x.id).join(", ")}`);
      log(`handing Raft leadership from ${name(leader)} to ${name(best.s)} (the highest head, ${best.head.number})`);
      await rpcCall(leader.conductorRpc!, "conductor_transferLeaderToServer", [target.id, target.addr]);
      leader = await until(`${name(best.s)} to lead`, o, async () => {
        if (await rpcCall<boolean>(best.s.conductorRpc!, "conductor_leader")) return best.s;
        throw new Error(`${name(best.s)} reports conductor_leader = false`);
      });
    }
    const L = leader;
    log(`starting ${name(L)}'s sequencer at block ${best.head.number}`);
    await startSequencer(L.kona);
    const sealed = await until(`${name(L)} to seal a block past ${best.head.number}`, o, async () => {
      const p = await probe(L);
      if (p.head.number > best.head.number) return p.head.number;
      throw new Error(`its head is ${p.head.number}, active=${p.active}`);
    });
    log(`${name(L)} sealed block ${sealed}; committed to its leading conductor, it moves the Raft head forward`);
    // Resume only once its conductor calls it healthy: a resumed leader that still sees it
    // unhealthy would stop it and hand leadership on.
    await until(`${name(L)}'s conductor to call its sequencer healthy`, o, async () => {
      if (await rpcCall<boolean>(L.conductorRpc!, "conductor_sequencerHealthy")) return true;
      throw new Error("conductor_sequencerHealthy = false");
    });
  } catch (e) {
    await resumeAll().catch((r: Error) => log(r.message));
    throw e instanceof RecoverFailure ? e : new RecoverFailure(answer(e));
  }
  await resumeAll();
  log(`resumed ${paused.length} conductors`);
  // The leading conductor keeps its sequencer running; everyone else stays stopped.
  let seen: Probe | undefined; // the active sequencer's head when first seen alone
  const after = await until("exactly one active sequencer sealing blocks after the conductors resumed", o, async () => {
    const ps = await Promise.all(seqs.map(probe));
    const act = ps.filter((p) => p.active);
    if (act.length !== 1) {
      seen = undefined;
      throw new Error(`${act.length} active: ${ps.map((p) => `${name(p.s)} ${p.head.number}${p.active ? " (active)" : ""}`).join(", ")}`);
    }
    if (seen?.s === act[0].s && act[0].head.number > seen.head.number) return act[0];
    if (seen?.s !== act[0].s) seen = act[0];
    throw new Error(`${name(act[0].s)} active at ${act[0].head.number}, no new block yet`);
  });
  log(`${name(after.s)} sequences (block ${after.head.number})`);
  return { outcome: "recovered", sequencer: after.s.index, headBefore: from, headAfter: after.head.number };
}
