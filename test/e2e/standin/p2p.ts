/**
 * The P2P stand-in between kona-nodes: plain HTTP on the --p2p.listen.tcp port instead of libp2p
 * gossip. A node serves its published unsafe chain (GET /p2p/head, GET /p2p/blocks?from=N&count=M),
 * learns peers from POST /p2p/hello, announces itself to its bootnodes by its --p2p.advertise.ip
 * name, and pulls blocks from whichever peer is ahead.
 */
import { createServer, Server } from "node:http";
import { Payload } from "./chain";
import { listen } from "./rpcServer";

export interface PeerInfo {
  addr: string;
  nodeId?: string;
  lastSeen: number;
}

/** Parses `enode://<id>@host:port` (or plain host:port) into a peer address. */
export function parseEnode(e: string): { nodeId?: string; host: string; port: number } {
  const m = /^enode:\/\/([0-9a-fA-F]+)@([^:/?]+):(\d+)/.exec(e.trim());
  if (m) return { nodeId: m[1], host: m[2], port: Number(m[3]) };
  const [host, port] = e.trim().split(":");
  if (!host || !port) throw new Error(`invalid bootnode ${e}`);
  return { host, port: Number(port) };
}

export interface P2PSource {
  nodeId: string;
  head(): { number: number; hash: string };
  blocks(from: number, count: number): Promise<Payload[]>;
}

/** The peer table: who we know, and who we heard from recently. */
export class Peers {
  readonly known = new Map<string, PeerInfo>();
  add(addr: string, nodeId?: string, seen = false) {
    const p = this.known.get(addr) ?? { addr, nodeId, lastSeen: 0 };
    if (nodeId) p.nodeId = nodeId;
    if (seen) p.lastSeen = Date.now();
    this.known.set(addr, p);
  }
  seen(addr: string) {
    const p = this.known.get(addr);
    if (p) p.lastSeen = Date.now();
  }
  /** Peers heard from within `windowMs` (default 10 s). */
  connected(windowMs = 10_000): PeerInfo[] {
    return [...this.known.values()].filter((p) => Date.now() - p.lastSeen < windowMs);
  }
}

/** Serves the P2P stand-in endpoints for `src`; records peers that say hello. */
export function serveP2P(host: string, port: number, src: P2PSource, peers: Peers): Promise<Server> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const json = (v: unknown) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(v));
    };
    try {
      if (req.method === "POST" && url.pathname === "/p2p/hello") {
        let body = "";
        for await (const c of req) body += c;
        const hello = JSON.parse(body) as { addr?: string; nodeId?: string };
        if (hello.addr) peers.add(hello.addr, hello.nodeId, true);
        return json({ nodeId: src.nodeId, head: src.head() });
      }
      if (url.pathname === "/p2p/head") return json({ nodeId: src.nodeId, ...src.head() });
      if (url.pathname === "/p2p/blocks") {
        const from = Number(url.searchParams.get("from") ?? "1");
        const count = Math.min(Number(url.searchParams.get("count") ?? "64"), 256);
        return json(await src.blocks(from, count));
      }
      res.writeHead(404);
      res.end();
    } catch (e) {
      res.writeHead(500);
      res.end((e as Error).message);
    }
  });
  return listen(server, port, host);
}

/** GETs JSON from a peer with a short timeout. */
export async function peerGet<T>(addr: string, path: string, timeoutMs = 2000): Promise<T> {
  const res = await fetch(`http://${addr}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`peer ${addr} ${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Announces ourselves to a peer. */
export async function sayHello(addr: string, me: { addr: string; nodeId: string }): Promise<{ nodeId: string }> {
  const res = await fetch(`http://${addr}/p2p/hello`, { method: "POST", body: JSON.stringify(me), signal: AbortSignal.timeout(2000) });
  if (!res.ok) throw new Error(`hello to ${addr}: HTTP ${res.status}`);
  return (await res.json()) as { nodeId: string };
}
