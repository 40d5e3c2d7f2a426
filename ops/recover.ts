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
 * Checks whether a sequencer seals blocks; if none did for `stallMs`, repairs the cluster as
 * described at the top of this file. Needs every sequencer's consensus client and conductor to
 * answer: a stopped node may hold newer blocks than the live ones, and starting a live one would
 * then fork them away. Throws `RecoverFailure` naming what it saw (a stopped node, no Raft leader,
 * no new block). Conductors it paused are resumed before it returns or throws.
 */
export async function recoverSequencing(seqs: NodeEndpoint[], o: RecoverOptions): Promise<RecoverReport> {
  const log = o.log ?? (() => {});
  if (seqs.length < 2 || seqs.some((s) => !s.conductorRpc)) {
    throw new RecoverFailure("recovery is for stacks with op-conductor (kupcake:sequencerCount >= 2); a single sequencer has no Raft head to repair");
  }
  const probes: Probe[] = [];
  for (const s of seqs) {
    try {
      probes.push(await probe(s));
      await rpcCall<boolean>(s.conductorRpc!, "conductor_paused");
    } catch (e) {
      throw new RecoverFailure(
        `${name(s)} does not answer (${answer(e)}). A stopped sequencer may hold blocks the others lack, and starting another one would fork them away: ` +
          `start it first (npm run start), then run the recovery again.`,
      );
    }
  }
  // Is anyone sequencing? A head that moves on an active sequencer within the stall window.
  const top = Math.max(...probes.map((p) => p.head.number));
  const deadline = Date.now() + o.stallMs;
  while (Date.now() < deadline) {
    for (const s of seqs) {
      const p = await probe(s).catch(() => undefined);
      if (p?.active && p.head.number > top) {
        log(`${name(s)} is sequencing (block ${p.head.number}); nothing to recover`);
        return { outcome: "sequencing", sequencer: s.index, headBefore: top, headAfter: p.head.number };
      }
    }
    await sleep(o.pollMs);
  }
  log(`no sequencer sealed a block past ${top} in ${o.stallMs / 1000}s; heads: ${probes.map((p) => `${name(p.s)} ${p.head.number}`).join(", ")}`);

  // The highest head leads afterwards; among equal heads the current Raft leader (no transfer).
  const leading = await Promise.all(seqs.map((s) => rpcCall<boolean>(s.conductorRpc!, "conductor_leader").catch(() => false)));
  const best = probes.reduce((a, b) => (b.head.number > a.head.number || (b.head.number === a.head.number && leading[seqs.indexOf(b.s)]) ? b : a));
  for (const p of probes) {
    if (p === best) continue;
    const theirs = await rpcCall<{ hash: string } | null>(best.s.rpc, "eth_getBlockByNumber", [`0x${p.head.number.toString(16)}`, false]).catch(() => null);
    if (theirs?.hash !== p.head.hash) {
      throw new RecoverFailure(
        `${name(p.s)}'s head ${p.head.number} (${p.head.hash}) is not in ${name(best.s)}'s chain: the sequencers disagree, which this recovery does not settle. ` +
          `Inspect with npm run status and the conductors' logs (npm run logs -- conductor N).`,
      );
    }
  }

  const paused: NodeEndpoint[] = [];
  const resumeAll = async () => {
    for (const s of paused) await rpcCall(s.conductorRpc!, "conductor_resume").catch((e) => log(`could not resume ${s.conductor ?? name(s)}'s conductor: ${answer(e)}`));
  };
  try {
    for (const s of seqs) {
      await rpcCall(s.conductorRpc!, "conductor_pause");
      paused.push(s);
    }
    log(`paused ${paused.length} conductors`);
    const ref = (s: NodeEndpoint): ConductorRef => ({ serverId: `sequencer-${s.index}`, raftAddr: "", rpcUrl: s.conductorRpc! });
    const leaderNow = () =>
      until("one Raft leader among the paused conductors", o, async () => {
        const ls: NodeEndpoint[] = [];
        for (const s of seqs) if (await rpcCall<boolean>(ref(s).rpcUrl, "conductor_leader").catch(() => false)) ls.push(s);
        return ls.length === 1 ? ls[0] : undefined;
      });
    let leader = await leaderNow();
    if (leader !== best.s) {
      const m = await rpcCall<{ servers: { id: string; addr: string }[] }>(leader.conductorRpc!, "conductor_clusterMembership");
      const target = m.servers.find((x) => x.id === `sequencer-${best.s.index}`);
      if (!target) throw new RecoverFailure(`${name(best.s)} (the highest head) is not a Raft voter: ${m.servers.map((x) => x.id).join(", ")}`);
      log(`handing Raft leadership from ${name(leader)} to ${name(best.s)} (the highest head, ${best.head.number})`);
      await rpcCall(leader.conductorRpc!, "conductor_transferLeaderToServer", [target.id, target.addr]);
      leader = await until(`${name(best.s)} to lead`, o, async () => ((await rpcCall<boolean>(best.s.conductorRpc!, "conductor_leader")) ? best.s : undefined));
    }
    log(`starting ${name(leader)}'s sequencer at block ${best.head.number}`);
    await startSequencer(leader.kona);
    const sealed = await until(`${name(leader)} to seal a block past ${best.head.number}`, o, async () => {
      const p = await probe(leader);
      return p.head.number > best.head.number ? p.head.number : undefined;
    });
    log(`${name(leader)} sealed block ${sealed}; its commit moved the Raft head`);
  } catch (e) {
    await resumeAll();
    throw e instanceof RecoverFailure ? e : new RecoverFailure(answer(e));
  }
  await resumeAll();
  log(`resumed ${paused.length} conductors`);
  // The leading conductor keeps its sequencer running; everyone else stays stopped.
  const after = await until("exactly one active sequencer sealing blocks after the conductors resumed", o, async () => {
    const ps = await Promise.all(seqs.map(probe));
    const act = ps.filter((p) => p.active);
    if (act.length !== 1) return undefined;
    const h0 = act[0].head.number;
    await sleep(o.pollMs);
    const again = await probe(act[0].s);
    return again.active && again.head.number > h0 ? again : undefined;
  });
  log(`${name(after.s)} sequences (block ${after.head.number})`);
  return { outcome: "recovered", sequencer: after.s.index, headBefore: top, headAfter: after.head.number };
}
