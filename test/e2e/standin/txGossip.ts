/**
 * op-reth's devp2p transaction gossip, stand-in transport: plain HTTP on op-reth's `--port`
 * (as p2p.ts does for kona-node) instead of RLPx. What it models, from reth v2.4.1 / op-reth
 * v2.3.2 (evidence in components/builders/opReth.ts):
 * - sessions: the node dials its `--trusted-peers` (POST /p2p/hello) and accepts inbound hellos;
 *   a session is bidirectional. Trusted peer names are resolved by DNS once at start; a name that
 *   does not resolve is skipped and retried every hour, or at once after a resolved trusted peer
 *   failed `FAILURES_BEFORE_RERESOLVE` dials in a row (reth `peers.rs`, `trusted_peers_resolver.rs`).
 * - propagation: every new pending pool transaction (sent over RPC or received from a peer) is sent
 *   to every session peer but its source; a newly opened session gets the whole pool.
 * - import: peers' transactions are ignored while gossip is disabled
 *   (`--rollup.disable-tx-pool-gossip`) or the node is in its initial sync (from start until its
 *   first new canonical head, reth `launch/engine.rs`); in both cases nothing is re-announced later.
 */
import { lookup } from "node:dns/promises";
import { createServer, Server } from "node:http";
import { info, warn } from "./log";
import { parseEnode } from "./p2p";
import { listen } from "./rpcServer";

/** Dial / re-dial period of trusted peers, in milliseconds. */
export const DIAL_INTERVAL_MS = 1000;
/** Periodic re-resolution of trusted peers that did not resolve, in milliseconds (reth: 1 hour). */
export const RESOLVE_INTERVAL_MS = 3_600_000;
/** Consecutive failed dials of a resolved trusted peer that trigger re-resolving all of them. */
export const FAILURES_BEFORE_RERESOLVE = 3;
/** Timeout of one stand-in P2P request, in milliseconds. */
const REQUEST_TIMEOUT_MS = 2000;

export interface TxGossipOptions {
  /** Listen address and port (`--addr`, `--port`). */
  host: string;
  port: number;
  /** Our address as peers dial it back: `--nat extaddr:<name>` and `--port`. */
  self: string;
  /** `--trusted-peers` enode URLs. */
  trustedPeers: string[];
  /** `--rollup.disable-tx-pool-gossip`. */
  disabled: boolean;
  /** Whether the node is still in its initial sync (peers' transactions are ignored then). */
  initiallySyncing: () => boolean;
  /** The raw transactions of the pool, to announce to a new session. */
  pooled: () => string[];
  /**
   * Offers a peer's raw transaction to the pool. Returns true when it was new and added (it is then
   * propagated further), false when known or invalid.
   */
  accept: (raw: string) => boolean;
}

interface TrustedPeer {
  host: string;
  port: number;
  /** `ip:port` once the name resolved. */
  addr?: string;
  failures: number;
}

export class TxGossip {
  /** Open sessions: peer address -> whether we dialed it (outbound). */
  readonly sessions = new Map<string, { outbound: boolean }>();
  private readonly trusted: TrustedPeer[];
  private server?: Server;
  private timers: NodeJS.Timeout[] = [];
  /** Raw transactions received from each peer (never sent back to it). */
  private readonly from = new Map<string, Set<string>>();

  constructor(private readonly o: TxGossipOptions) {
    this.trusted = o.trustedPeers.map((e) => {
      const p = parseEnode(e);
      return { host: p.host, port: p.port, failures: 0 };
    });
  }

  async start(): Promise<void> {
    this.server = createServer(async (req, res) => {
      let body = "";
      for await (const c of req) body += c;
      const done = (v: unknown) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(v));
      };
      try {
        const msg = body ? (JSON.parse(body) as { addr?: string; txs?: string[] }) : {};
        if (req.method === "POST" && req.url === "/p2p/hello" && msg.addr) {
          const fresh = !this.sessions.has(msg.addr);
          this.sessions.set(msg.addr, { outbound: this.sessions.get(msg.addr)?.outbound ?? false });
          if (fresh) void this.announcePool(msg.addr);
          return done({ addr: this.o.self });
        }
        if (req.method === "POST" && req.url === "/p2p/txs" && msg.addr && Array.isArray(msg.txs)) {
          if (!this.sessions.has(msg.addr)) this.sessions.set(msg.addr, { outbound: false });
          return done({ imported: this.import(msg.addr, msg.txs) });
        }
        res.writeHead(404);
        res.end();
      } catch (e) {
        res.writeHead(400);
        res.end((e as Error).message);
      }
    });
    await listen(this.server, this.o.port, this.o.host);
    await this.resolve();
    this.timers.push(setInterval(() => void this.dial(), DIAL_INTERVAL_MS));
    this.timers.push(setInterval(() => void this.resolve(), RESOLVE_INTERVAL_MS));
    void this.dial();
  }

  stop(): void {
    this.timers.forEach(clearInterval);
    this.server?.close();
  }

  /** Sends a new pending transaction to every session peer but `source`. */
  propagate(raw: string, source?: string): void {
    if (this.o.disabled) return;
    for (const addr of this.sessions.keys()) {
      if (addr === source || this.from.get(addr)?.has(raw)) continue;
      void this.send(addr, [raw]);
    }
  }

  /** Trusted peers whose names did not resolve (skipped until re-resolved). */
  unresolved(): string[] {
    return this.trusted.filter((t) => !t.addr).map((t) => `${t.host}:${t.port}`);
  }

  private import(source: string, txs: string[]): number {
    if (this.o.disabled || this.o.initiallySyncing()) return 0;
    let n = 0;
    const seen = this.from.get(source) ?? new Set<string>();
    this.from.set(source, seen);
    for (const raw of txs) {
      seen.add(raw);
      if (this.o.accept(raw)) {
        n++;
        this.propagate(raw, source);
      }
    }
    return n;
  }

  private async resolve(): Promise<void> {
    for (const t of this.trusted) {
      if (t.addr) continue;
      try {
        const { address } = await lookup(t.host, { family: 4 });
        t.addr = `${address}:${t.port}`;
        t.failures = 0;
      } catch (e) {
        warn("Failed to resolve trusted peer", { peer: `${t.host}:${t.port}`, err: (e as Error).message });
      }
    }
  }

  private async dial(): Promise<void> {
    for (const t of this.trusted) {
      if (!t.addr || this.sessions.has(t.addr)) continue;
      try {
        await this.post(t.addr, "/p2p/hello", { addr: this.o.self });
        this.sessions.set(t.addr, { outbound: true });
        t.failures = 0;
        info("trusted peer session established", { peer: t.addr });
        void this.announcePool(t.addr);
      } catch {
        if (++t.failures >= FAILURES_BEFORE_RERESOLVE) {
          // reth: repeated connection failures to a trusted peer reset the resolver's interval.
          // Re-resolves every trusted peer without an address (slots that did not resolve at start)
          // and this one (its container may have a new IP after a restart).
          t.failures = 0;
          t.addr = undefined;
          await this.resolve();
        }
      }
    }
  }

  /** A newly opened session gets the pool (unless syncing or gossip is off). */
  private async announcePool(addr: string): Promise<void> {
    if (this.o.disabled || this.o.initiallySyncing()) return;
    const txs = this.o.pooled();
    if (txs.length) await this.send(addr, txs);
  }

  private async send(addr: string, txs: string[]): Promise<void> {
    try {
      await this.post(addr, "/p2p/txs", { addr: this.o.self, txs });
    } catch {
      // The session is gone (the peer stopped): drop it; trusted peers are dialed again.
      this.sessions.delete(addr);
    }
  }

  private async post(addr: string, path: string, body: unknown): Promise<unknown> {
    const res = await fetch(`http://${addr}${path}`, { method: "POST", body: JSON.stringify(body), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`peer ${addr} ${path}: HTTP ${res.status}`);
    return res.json();
  }
}
