import { privateKeyToAccount } from "viem/accounts";
import { DRILL_PROBE, DevAccount, ROLES } from "../components/accounts";
import { hexToNumber, rpcCall, sleep } from "../components/dynamic/rpc";
import { NodeEndpoint } from "./endpoints";

/**
 * The failover drill: the seed's "Testing Failover" steps, measured. Per round: find the leader,
 * stop its op-reth and kona-node, wait for a new leader and its first block, check that no block
 * the network had seen was lost or reorged, start the old node, wait until it follows as a follower.
 * With a transaction probe (`DrillOptions.tx`, normally validator 1 = the `l2Rpc` output), a
 * transfer is sent there right after the stop and another after the new leader's first block;
 * both must be in the new leader's chain (receipt from its own op-reth) before the old node is
 * started again, i.e. without any help from the stopped node.
 */

/**
 * The drill's probe sender: the last free dev account (never a role key: the batcher, proposer,
 * challenger and admin keys' nonces belong to their services; `npm run fund` defaults to the faucet).
 */
export const DRILL_TX_ACCOUNT: DevAccount = DRILL_PROBE;

/** Where the drill sends its probe transactions. */
export interface TxProbe {
  /** JSON-RPC URL (validator 1's op-reth = the `l2Rpc` output). */
  rpc: string;
  /** For people: e.g. `validator-1 (l2Rpc)`. */
  label: string;
  /** Sender; default DRILL_TX_ACCOUNT. Role keys are refused. */
  account?: DevAccount;
  /** Budget for each probe to show up in the new leader's chain, in milliseconds (default: stepTimeoutMs). */
  inclusionTimeoutMs?: number;
}

/** One probe transaction of a round. Times in milliseconds. */
export interface TxProbeReport {
  hash: string;
  /** Send -> receipt on the new leader's op-reth. */
  includedMs?: number;
  /** L2 block that includes it, on the new leader's chain. */
  block?: number;
}

/** Stops and starts containers (Docker in real life, the JSON-RPC double in tests). */
export interface DrillControl {
  stop(containers: string[]): Promise<void>;
  start(containers: string[]): Promise<void>;
}

export interface DrillOptions {
  /** Budget of each waiting step. */
  stepTimeoutMs: number;
  pollMs: number;
  /**
   * How long an elected leader may go without producing a block before the drill calls it wedged
   * (the known failure where a new leader lags the Raft head and never resumes).
   */
  wedgeMs: number;
  /** Progress lines for people. */
  log?: (line: string) => void;
  /** Probe transactions during and after the failover; without it the round sends none. */
  tx?: TxProbe;
}

export interface RoundReport {
  round: number;
  oldLeader?: number;
  newLeader?: number;
  /** Stop of the old leader -> another conductor reports leadership. */
  electionMs?: number;
  /** Stop of the old leader -> the new leader's first new block. */
  firstBlockMs?: number;
  /** Blocks the network had seen before the stop that are missing or different afterwards (must be 0). */
  gapBlocks?: number;
  /** Start of the old node -> it follows the head as a non-leader. */
  rejoinMs?: number;
  /** The probe sent right after the leader was stopped. */
  txDuring?: TxProbeReport;
  /** The probe sent after the new leader's first block. */
  txAfter?: TxProbeReport;
  passed: boolean;
  failure?: string;
  /**
   * Set when the first elected leader did not sequence and leadership moved on: `newLeader` is then
   * the sequencer that produced the first block, while `electionMs` still times the first election.
   */
  handedOnFrom?: number;
  /** Set when the failure is the known "new leader lags the Raft head" wedge. */
  wedged?: boolean;
}

class DrillFailure extends Error {
  constructor(
    message: string,
    readonly wedged = false,
  ) {
    super(message);
  }
}

const blockNumber = (s: NodeEndpoint) => rpcCall<string>(s.rpc, "eth_blockNumber").then(hexToNumber);
const blockHash = (s: NodeEndpoint, n: number) =>
  rpcCall<{ hash: string } | null>(s.rpc, "eth_getBlockByNumber", ["0x" + n.toString(16), false]).then((b) => b?.hash);
const isLeader = (s: NodeEndpoint) => rpcCall<boolean>(s.conductorRpc!, "conductor_leader");
const isActive = (s: NodeEndpoint) => rpcCall<boolean>(s.kona, "admin_sequencerActive");
const name = (s: NodeEndpoint) => `sequencer-${s.index}`;

/** Last answer of each conductor, for failure messages. */
const answers = new Map<string, string>();

async function leaders(seqs: NodeEndpoint[]): Promise<NodeEndpoint[]> {
  const out: NodeEndpoint[] = [];
  for (const s of seqs) {
    const leader = await isLeader(s).catch((e: Error) => {
      answers.set(name(s), (e as { answer?: string }).answer ?? e.message);
      return false;
    });
    if (leader) out.push(s);
    if (leader || !answers.has(name(s)) || !answers.get(name(s))!.startsWith("no answer")) answers.set(name(s), `leader=${leader}`);
  }
  return out;
}
const seen = (seqs: NodeEndpoint[]) => seqs.map((s) => `${name(s)} ${answers.get(name(s)) ?? "?"}`).join(", ");

/** Polls `probe` until it returns a value; on timeout throws `onTimeout()` (evaluated then, so it can say what it saw). */
async function until<T>(probe: () => Promise<T | undefined>, o: DrillOptions, onTimeout: () => string | DrillFailure): Promise<T> {
  const deadline = Date.now() + o.stepTimeoutMs;
  for (;;) {
    // Transport errors mean "not yet"; a DrillFailure (the wedge) ends the step at once.
    const v = await probe().catch((e) => {
      if (e instanceof DrillFailure) throw e;
      return undefined;
    });
    if (v !== undefined) return v;
    if (Date.now() >= deadline) {
      const f = onTimeout();
      throw typeof f === "string" ? new DrillFailure(f) : f;
    }
    await sleep(o.pollMs);
  }
}

/**
 * Signs (locally, EIP-1559) and sends a 1-wei transfer from the probe account to itself through
 * `probe.rpc`. Nonce from the node's pending state, fee = 2 x base fee + 1 gwei, 21000 gas.
 * Returns the hash; throws a DrillFailure naming the endpoint and its answer when the node refuses.
 */
export async function sendProbeTx(probe: TxProbe, when: string): Promise<string> {
  const account = probe.account ?? DRILL_TX_ACCOUNT;
  if (Object.values(ROLES).some((r) => r.index === account.index)) {
    throw new DrillFailure(`the drill's probe account ${account.index} is a role key; use a free dev account (e.g. ${DRILL_TX_ACCOUNT.index})`);
  }
  const signer = privateKeyToAccount(account.privateKey as `0x${string}`);
  try {
    const [chainHex, nonceHex, latest] = await Promise.all([
      rpcCall<string>(probe.rpc, "eth_chainId"),
      rpcCall<string>(probe.rpc, "eth_getTransactionCount", [signer.address, "pending"]),
      rpcCall<{ baseFeePerGas?: string } | null>(probe.rpc, "eth_getBlockByNumber", ["latest", false]),
    ]);
    const tip = 1_000_000_000n;
    const raw = await signer.signTransaction({
      type: "eip1559",
      chainId: hexToNumber(chainHex),
      nonce: hexToNumber(nonceHex),
      to: signer.address,
      value: 1n,
      gas: 21_000n,
      maxFeePerGas: 2n * BigInt(latest?.baseFeePerGas ?? "0x0") + tip,
      maxPriorityFeePerGas: tip,
    });
    return await rpcCall<string>(probe.rpc, "eth_sendRawTransaction", [raw]);
  } catch (e) {
    const answer = (e as { answer?: string }).answer ?? (e as Error).message;
    throw new DrillFailure(`the transaction sent to ${probe.label} (${probe.rpc}) ${when} was refused: ${answer}`);
  }
}

/** How many recent blocks the gap check compares. */
const GAP_WINDOW = 5;

export async function failoverRound(round: number, seqs: NodeEndpoint[], control: DrillControl, o: DrillOptions): Promise<RoundReport> {
  const log = o.log ?? (() => {});
  const report: RoundReport = { round, passed: false };
  if (seqs.length < 2 || seqs.some((s) => !s.conductorRpc)) {
    return { ...report, failure: "the drill needs a stack with at least two sequencers (op-conductor); set kupcake:sequencerCount >= 2" };
  }
  const t0 = Date.now();
  const at = () => `[+${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s]`;
  try {
    const old = await until(
      async () => {
        const l = await leaders(seqs);
        return l.length === 1 ? l[0] : undefined;
      },
      o,
      () => `no single Raft leader among the conductors (${seen(seqs)}); is the stack up and formed? (npm run up)`,
    );
    report.oldLeader = old.index;
    const observer = seqs.find((s) => s !== old)!;
    const seenHead = await blockNumber(observer);
    const window = Array.from({ length: Math.min(GAP_WINDOW, seenHead + 1) }, (_, j) => seenHead - j);
    const seenHashes = new Map(await Promise.all(window.map(async (n) => [n, await blockHash(observer, n)] as const)));
    log(`${at()} leader is ${name(old)}; ${name(observer)} has seen block ${seenHead}`);

    const stoppedAt = Date.now();
    await control.stop([old.opReth, old.konaNode]);
    log(`${at()} stopped ${old.opReth} and ${old.konaNode}`);
    let duringSentAt = 0;
    if (o.tx) {
      duringSentAt = Date.now();
      report.txDuring = { hash: await sendProbeTx(o.tx, "during the failover") };
      log(`${at()} sent transaction ${report.txDuring.hash} to ${o.tx.label} during the failover`);
    }

    const others = seqs.filter((s) => s !== old);
    const next = await until(
      async () => (await leaders(others))[0],
      o,
      () => `no new leader within ${o.stepTimeoutMs / 1000}s after stopping ${name(old)} (${seen(others)})`,
    );
    report.newLeader = next.index;
    report.electionMs = Date.now() - stoppedAt;
    log(`${at()} ${name(next)} won the election after ${(report.electionMs / 1000).toFixed(1)}s`);

    const electedAt = Date.now();
    // The first elected leader may lag the Raft head by 2+ blocks (op-conductor v0.9.4 wedge,
    // optimism#22094): it then turns unhealthy and hands leadership on round-robin
    // (--raft.round-robin-leader-transfer), so watch whichever survivor leads, not only `next`.
    let taker = next;
    let lastHead = await blockNumber(next).catch(() => -1);
    const firstNew = await until(
      async () => {
        const [l] = await leaders(others);
        if (l) taker = l;
        lastHead = await blockNumber(taker);
        if (lastHead > seenHead && (await isActive(taker))) return lastHead;
        if (Date.now() - electedAt > o.wedgeMs) {
          const active = await isActive(taker).catch(() => false);
          throw new DrillFailure(
            `${name(taker)} is leader but ${active ? "produces no block" : "never started sequencing"}: its head ${lastHead} lags the head the network saw (${seenHead}) ` +
              `for ${(o.wedgeMs / 1000).toFixed(0)}s after ${name(next)} was elected. This is the known wedge where no live sequencer is within one block of the Raft head ` +
              `(ethereum-optimism/optimism#22094, #22143), so no leader can start. Recover: start ${old.konaNode} and ${old.opReth} (they hold the Raft head; ` +
              `round-robin leader transfer reaches them). When every sequencer runs and none seals a block, the Raft head is behind the nodes: npm run recover.`,
            true,
          );
        }
        return undefined;
      },
      { ...o, stepTimeoutMs: Math.max(o.stepTimeoutMs, o.wedgeMs + o.pollMs) },
      () => `${name(taker)} produced no block past ${seenHead} (head ${lastHead})`,
    );
    report.firstBlockMs = Date.now() - stoppedAt;
    if (taker !== next) {
      report.handedOnFrom = next.index;
      log(`${at()} ${name(next)} did not start sequencing and leadership moved on to ${name(taker)} (e.g. a leader lagging the Raft head hands on round-robin)`);
    }
    report.newLeader = taker.index;
    log(`${at()} ${name(taker)} produced block ${firstNew}, ${(report.firstBlockMs / 1000).toFixed(1)}s after the stop`);

    let gap = 0;
    for (const [n, hash] of seenHashes) if ((await blockHash(taker, n)) !== hash) gap++;
    report.gapBlocks = gap;
    log(`${at()} unsafe-head gap: ${gap} of the last ${seenHashes.size} seen blocks lost or reorged`);

    if (o.tx && report.txDuring) {
      const afterSentAt = Date.now();
      report.txAfter = { hash: await sendProbeTx(o.tx, `after ${name(taker)} took over`) };
      log(`${at()} sent transaction ${report.txAfter.hash} to ${o.tx.label} after the failover`);
      const bound = o.tx.inclusionTimeoutMs ?? o.stepTimeoutMs;
      const included = async (p: TxProbeReport, sentAt: number, when: string) => {
        const r = await until(
          () => rpcCall<{ blockNumber: string } | null>(taker.rpc, "eth_getTransactionReceipt", [p.hash]).then((x) => x ?? undefined),
          { ...o, stepTimeoutMs: Math.max(0, sentAt + bound - Date.now()) },
          () =>
            `the transaction sent to ${o.tx!.label} ${when} (${p.hash}) is not in ${name(taker)}'s chain within ${(bound / 1000).toFixed(1)}s of sending ` +
            `(its head ${lastHead}); it did not reach the active sequencer. Check that ${o.tx!.label}'s op-reth peers with ${taker.opReth} ` +
            `(txpool_status on both; docker logs ${taker.opReth}).`,
        );
        p.includedMs = Date.now() - sentAt;
        p.block = hexToNumber(r.blockNumber);
      };
      await Promise.all([included(report.txDuring, duringSentAt, "during the failover"), included(report.txAfter, afterSentAt, "after the failover")]);
      log(
        `${at()} both transactions are in ${name(taker)}'s chain: during-failover one in block ${report.txDuring.block} after ${(report.txDuring.includedMs! / 1000).toFixed(1)}s, ` +
          `after-failover one in block ${report.txAfter.block} after ${(report.txAfter.includedMs! / 1000).toFixed(1)}s`,
      );
    }

    const startedAt = Date.now();
    await control.start([old.opReth, old.konaNode]);
    log(`${at()} started ${old.opReth} and ${old.konaNode}`);
    let oldHead = -1;
    let target = 0;
    await until(
      async () => {
        target = await blockNumber(taker);
        oldHead = await blockNumber(old);
        const follower = !(await isLeader(old)) && !(await isActive(old));
        return follower && oldHead >= target - 1 && oldHead > firstNew ? true : undefined;
      },
      o,
      () => `${name(old)} did not rejoin as follower within ${o.stepTimeoutMs / 1000}s (its head ${oldHead}, the leader's ${target})`,
    );
    report.rejoinMs = Date.now() - startedAt;
    log(`${at()} ${name(old)} follows as follower at block ${oldHead}, ${(report.rejoinMs / 1000).toFixed(1)}s after its start`);
    if (gap > 0) throw new DrillFailure(`${gap} block(s) seen before the failover were lost or reorged`);
    report.passed = true;
  } catch (e) {
    report.failure = (e as Error).message;
    report.wedged = e instanceof DrillFailure ? e.wedged : false;
  }
  return report;
}

/** min / median / max of the rounds that measured `key`. */
export function summarize(reports: RoundReport[], key: "electionMs" | "firstBlockMs" | "gapBlocks" | "rejoinMs") {
  const v = reports.map((r) => r[key]).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { min: v[0], median, max: v[v.length - 1] };
}

const secs = (ms?: number) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(1)}s`);

/** The people's table: one line per round, then min/median/max over the rounds. */
export function drillTable(reports: RoundReport[]): string {
  const withTx = reports.some((r) => r.txDuring);
  const txCell = (p?: TxProbeReport) => (p ? secs(p.includedMs) : "-");
  const rows = [["round", "leader", "election", "first block", "gap", "rejoin", ...(withTx ? ["tx during", "tx after"] : []), "result"]];
  for (const r of reports) {
    rows.push([
      String(r.round),
      r.oldLeader ? `${r.oldLeader} -> ${r.handedOnFrom ? `${r.handedOnFrom} (lagging) -> ` : ""}${r.newLeader ?? "?"}` : "-",
      secs(r.electionMs),
      secs(r.firstBlockMs),
      r.gapBlocks === undefined ? "-" : String(r.gapBlocks),
      secs(r.rejoinMs),
      ...(withTx ? [txCell(r.txDuring), txCell(r.txAfter)] : []),
      r.passed ? "PASS" : r.wedged ? "FAIL (wedged)" : "FAIL",
    ]);
  }
  if (reports.length > 1) {
    for (const stat of ["min", "median", "max"] as const) {
      const s = (k: "electionMs" | "firstBlockMs" | "gapBlocks" | "rejoinMs") => summarize(reports, k)?.[stat];
      rows.push([stat, "", secs(s("electionMs")), secs(s("firstBlockMs")), s("gapBlocks") === undefined ? "-" : String(s("gapBlocks")), secs(s("rejoinMs")), ...(withTx ? ["", ""] : []), ""]);
    }
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(w[i])).join("  ").trimEnd()).join("\n");
}

/** What answered before the drill touched anything. */
export interface Reachability {
  /** Endpoints that answered (op-reth RPC, conductor RPC). */
  answered: string[];
  /** Endpoints that did not answer, with the transport error (e.g. `ECONNREFUSED`). */
  unreachable: string[];
  /** op-reth RPCs that answered with another chain id than the stack's. */
  wrongChain: string[];
}

/**
 * Asks every sequencer's op-reth for its chain id and every conductor whether it leads, once, with
 * a short timeout: refused connections come back at once, so a devnet that is not running is known
 * in a second or two instead of after the drill's step timeout.
 */
export async function probeSequencers(seqs: NodeEndpoint[], l2ChainId: number | undefined, timeoutMs = 3000): Promise<Reachability> {
  type Result = { url: string; answered: boolean; note?: string; wrong?: string };
  const probe = async (url: string, method: string, check?: (v: unknown) => string | undefined): Promise<Result> => {
    try {
      const v = await rpcCall(url, method, [], timeoutMs);
      return { url, answered: true, wrong: check?.(v) };
    } catch (e) {
      const answer = (e as { answer?: string }).answer ?? (e as Error).message;
      // An error from a server still means something listens there; only transport errors mean nobody.
      return answer.startsWith("no answer") ? { url, answered: false, note: answer.replace(/^no answer \((.*)\)$/, "$1") } : { url, answered: true };
    }
  };
  const results = await Promise.all(
    seqs.flatMap((s) => [
      probe(s.rpc, "eth_chainId", (v) => {
        const id = hexToNumber(v);
        return l2ChainId !== undefined && id !== l2ChainId ? `${s.opReth} at ${s.rpc} reports chain id ${id}` : undefined;
      }),
      ...(s.conductorRpc ? [probe(s.conductorRpc, "conductor_leader")] : []),
    ]),
  );
  return {
    answered: results.filter((x) => x.answered).map((x) => x.url),
    unreachable: results.filter((x) => !x.answered).map((x) => `${x.url} (${x.note})`),
    wrongChain: results.flatMap((x) => (x.wrong ? [x.wrong] : [])),
  };
}

/** Why the drill must not start, from the probe: nothing answers, or another chain answers. */
export function reachabilityRefusal(r: Reachability, stack: string, network: string, l2ChainId: number | undefined): string | undefined {
  if (r.wrongChain.length) {
    return (
      `refusing: the ports of stack ${stack} (${network}) answer for another chain: ${r.wrongChain.join("; ")}, expected ${l2ChainId}. ` +
      `Another devnet holds these ports; the drill stops nothing. Check: npm run status -- --stack ${stack}; docker ps`
    );
  }
  if (r.answered.length === 0) {
    return (
      `nothing answers on the sequencer ports of stack ${stack} (${network}): ${r.unreachable.join(", ")}. ` +
      `Is the devnet running? Create it with npm run up -- --stack ${stack} (or npm run start -- --stack ${stack} after npm run stop); check with npm run status -- --stack ${stack}`
    );
  }
  return undefined;
}

/**
 * The containers the drill will stop must be the stack's own (this checkout's `kupcake.project`):
 * a second checkout with the same stack name must never see its sequencers stopped.
 */
export function drillTargetsRefusal(
  seqs: NodeEndpoint[],
  listed: { name: string; owner: string }[],
  id: { stack: string; owner: string },
): string | undefined {
  const byName = new Map(listed.map((c) => [c.name, c]));
  const bad: string[] = [];
  for (const s of seqs) {
    for (const name of [s.opReth, s.konaNode]) {
      const c = byName.get(name);
      if (!c) bad.push(`${name} does not exist`);
      else if (c.owner !== id.owner) bad.push(`${name} belongs to ${c.owner ? `kupcake.project=${c.owner}` : "no Kupcake checkout (no kupcake.project label)"}`);
    }
  }
  if (bad.length === 0) return undefined;
  return (
    `refusing: the drill stops only stack ${id.stack}'s own containers (kupcake.project=${id.owner}); ${bad.join("; ")}. ` +
    `Nothing was stopped. Fix: npm run up -- --stack ${id.stack} in this checkout, or run the drill from the checkout that owns the devnet.`
  );
}
