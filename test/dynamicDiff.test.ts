import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bootstrapProvider, memberProvider } from "../components/dynamic/conductorResources";
import { changedInputs } from "../components/dynamic/inputDiff";
import { readinessProvider } from "../components/dynamic/readiness";

// What the real engine passes as `olds`: the old outputs, i.e. the inputs plus the provider's
// computed keys plus the serialized provider text. (Pulumi mocks pass the old inputs instead.)
const engineOlds = <T extends object>(inputs: T, computed: object) => ({ ...inputs, ...computed, __provider: "exports.handler = /* serialized */ 1;" });

const ref = (i: number) => ({ serverId: `sequencer-${i}`, raftAddr: `kup-dev-op-conductor-${i}:50050`, rpcUrl: `http://127.0.0.1:${8547 + 100 * (i - 1)}` });
const WAIT = { timeoutMs: 1000, pollMs: 10 };

describe("dynamic providers diff what the engine gives them", () => {
  it("bootstrap: unchanged inputs are no change, whatever outputs and __provider hold", async () => {
    const inputs = { conductor: ref(1), konaRpcUrl: "http://127.0.0.1:7545", ...WAIT };
    const olds = engineOlds(inputs, { leaderAtCreate: "sequencer-1", startedSequencing: true });
    const d = await bootstrapProvider.diff!("raft-sequencer-1", olds, { ...inputs, leaderAtCreate: undefined, startedSequencing: undefined });
    assert.equal(d.changes, false);
    assert.deepEqual(d.replaces, []);
  });

  it("bootstrap: an update keeps the outputs computed at create", async () => {
    const inputs = { conductor: ref(1), konaRpcUrl: "http://127.0.0.1:7545", ...WAIT };
    const olds = engineOlds(inputs, { leaderAtCreate: "sequencer-1", startedSequencing: true });
    const news = { ...inputs, timeoutMs: 5000 };
    assert.equal((await bootstrapProvider.diff!("raft-sequencer-1", olds, news)).changes, true);
    const u = await bootstrapProvider.update!("raft-sequencer-1", olds, news);
    assert.equal(u.outs.leaderAtCreate, "sequencer-1");
    assert.equal(u.outs.startedSequencing, true);
    assert.equal(u.outs.timeoutMs, 5000);
  });

  it("membership: no change on engine-shaped olds; a new Raft address replaces; update keeps leaderAtJoin", async () => {
    const inputs = { member: ref(2), anchors: [ref(1)], ...WAIT };
    const olds = engineOlds(inputs, { leaderAtJoin: "sequencer-1" });
    assert.equal((await memberProvider.diff!("raft-sequencer-2", olds, { ...inputs, leaderAtJoin: undefined })).changes, false);
    const moved = await memberProvider.diff!("raft-sequencer-2", olds, { ...inputs, member: { ...ref(2), raftAddr: "x:50050" } });
    assert.deepEqual(moved.replaces, ["identity"]);
    const u = await memberProvider.update!("raft-sequencer-2", olds, { ...inputs, anchors: [ref(1), ref(3)] });
    assert.equal(u.outs.leaderAtJoin, "sequencer-1");
  });

  it("readiness: its report and __provider are not input changes; a new sequencer is", async () => {
    const inputs = { l1RpcUrl: "http://127.0.0.1:8545", l1ChainId: 900, sequencers: [{ name: "s1", rpcUrl: "u", konaRpcUrl: "k" }], conductors: [], timeoutMs: 1, pollMs: 1 };
    const olds = engineOlds(inputs, { report: { activeSequencer: "s1", unsafeHead: 9, safeHead: 3 } });
    assert.equal((await readinessProvider.diff!("devnet-ready", olds, { ...inputs, report: undefined })).changes, false);
    const grown = { ...inputs, sequencers: [...inputs.sequencers, { name: "s2", rpcUrl: "u2", konaRpcUrl: "k2" }] };
    assert.equal((await readinessProvider.diff!("devnet-ready", olds, grown)).changes, true);
  });

  it("changedInputs names keys, ignores engine keys, treats a missing key as undefined", () => {
    assert.deepEqual(changedInputs({ a: 1, b: { c: 2 }, __provider: "x", out: 5 }, { a: 1, b: { c: 3 }, out: undefined }, ["out"]), ["b"]);
    assert.deepEqual(changedInputs({ a: 1 }, { a: 1, extra: undefined }, []), []);
    assert.deepEqual(changedInputs({ a: 1 }, { a: 1, extra: 0 }, []), ["extra"]);
  });
});
