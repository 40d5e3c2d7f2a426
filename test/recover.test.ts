import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bootstrapCluster, joinCluster } from "../components/dynamic/conductorCluster";
import { NodeEndpoint } from "../ops/endpoints";
import { RecoverOptions, recoverSequencing } from "../ops/recover";
import { DevnetDouble } from "./double/devnetDouble";

const FAST = { timeoutMs: 3000, pollMs: 10 };
const OPTS: RecoverOptions = { stepTimeoutMs: 3000, pollMs: 10, stallMs: 200 };

async function cluster() {
  const d = await new DevnetDouble({ sequencers: 3, conductors: true, tickMs: 20 }).start();
  const refs = d.conds.map((c) => ({ serverId: c.id, raftAddr: c.addr, rpcUrl: d.conductorUrl(c.index) }));
  await bootstrapCluster({ conductor: refs[0], konaRpcUrl: d.konaUrl(1), ...FAST });
  for (let i = 1; i < refs.length; i++) await joinCluster({ member: refs[i], anchors: refs.slice(0, i), ...FAST });
  const seqs: NodeEndpoint[] = d.seqs.map((s) => ({
    role: "sequencer", index: s.index, opReth: `kup-op-reth-sequencer-${s.index}`, ws: "", konaNode: `kup-kona-node-sequencer-${s.index}`,
    rpc: d.rethUrl(s.index), kona: d.konaUrl(s.index), conductorRpc: d.conductorUrl(s.index), conductor: `kup-op-conductor-${s.index}`,
  }));
  return { d, seqs };
}

/** Every conductor refuses to start its node (as v0.9.4 does when Raft is behind the node); sequencer 2 holds the highest head. */
function stall(d: DevnetDouble) {
  const top = Math.max(...d.seqs.map((s) => s.unsafe));
  for (const s of d.seqs) {
    s.wedged = true;
    s.active = false;
    s.unsafe = top;
  }
  d.seqs[1].unsafe = top + 1;
  return top + 1;
}

describe("recovering a cluster whose Raft head is behind every node", () => {
  it("pauses the conductors, hands leadership to the highest head, starts it, resumes: one sequencer seals again", async () => {
    const { d, seqs } = await cluster();
    try {
      const top = stall(d);
      assert.equal(d.leader, "sequencer-1");
      const lines: string[] = [];
      const r = await recoverSequencing(seqs, { ...OPTS, log: (l) => lines.push(l) });
      assert.equal(r.outcome, "recovered");
      assert.equal(r.sequencer, 2);
      assert.ok(r.headAfter > top);
      const calls = d.calls.filter((c) => ["conductor_pause", "conductor_resume", "conductor_transferLeaderToServer", "admin_startSequencer"].includes(c.method)).map((c) => `${c.path} ${c.method}`);
      assert.deepEqual(calls.slice(-8), [
        "/conductor/1 conductor_pause", "/conductor/2 conductor_pause", "/conductor/3 conductor_pause",
        "/conductor/1 conductor_transferLeaderToServer",
        "/kona/2 admin_startSequencer",
        "/conductor/1 conductor_resume", "/conductor/2 conductor_resume", "/conductor/3 conductor_resume",
      ]);
      assert.equal(d.leader, "sequencer-2");
      assert.ok(d.conds.every((c) => !c.paused), "every conductor resumed");
      assert.match(lines.join("\n"), /handing Raft leadership from sequencer-1 to sequencer-2 \(the highest head/);
    } finally {
      await d.stop();
    }
  });

  it("a run interrupted earlier left conductors paused: they are resumed and reported, even on a healthy cluster", async () => {
    const { d, seqs } = await cluster();
    try {
      d.conds[1].paused = true;
      const lines: string[] = [];
      const r = await recoverSequencing(seqs, { ...OPTS, log: (l) => lines.push(l) });
      assert.equal(r.outcome, "sequencing");
      assert.ok(d.conds.every((c) => !c.paused));
      assert.match(lines.join("\n"), /resumed conductors found paused .*: sequencer-2/);
    } finally {
      await d.stop();
    }
  });

  it("refuses when a validator holds a block past every sequencer (starting one would fork it away)", async () => {
    const { d, seqs } = await cluster();
    try {
      const top = stall(d);
      const validator: NodeEndpoint = { ...seqs[0], role: "validator", index: 1, kona: d.url("/validator-kona") };
      // A stand-in validator endpoint two blocks ahead.
      const ahead = await import("node:http").then((http) => {
        const srv = http.createServer((req, res) => {
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: { unsafe_l2: { number: top + 2, hash: "0x" + "ab".repeat(32) } } }));
        });
        return new Promise<{ url: string; close: () => void }>((r) => srv.listen(0, "127.0.0.1", () => r({ url: `http://127.0.0.1:${(srv.address() as { port: number }).port}`, close: () => srv.close() })));
      });
      try {
        await assert.rejects(recoverSequencing(seqs, OPTS, [{ ...validator, kona: ahead.url }]), /validator-1 holds block \d+, past every sequencer/);
        assert.ok(d.conds.every((c) => !c.paused), "the refusal resumed every conductor");
      } finally {
        ahead.close();
      }
    } finally {
      await d.stop();
    }
  });

  it("touches nothing when a sequencer is sealing", async () => {
    const { d, seqs } = await cluster();
    try {
      const r = await recoverSequencing(seqs, OPTS);
      assert.equal(r.outcome, "sequencing");
      assert.equal(d.calls.filter((c) => c.method === "conductor_pause").length, 0);
    } finally {
      await d.stop();
    }
  });

  it("refuses while a sequencer is stopped (it may hold newer blocks) and pauses nothing", async () => {
    const { d, seqs } = await cluster();
    try {
      stall(d);
      d.stopNode(3);
      await assert.rejects(recoverSequencing(seqs, OPTS), /sequencer-3 does not answer .*start it first \(npm run start\)/);
      assert.equal(d.calls.filter((c) => c.method === "conductor_pause").length, 0);
    } finally {
      await d.stop();
    }
  });
});
