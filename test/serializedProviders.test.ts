import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { bootstrapProvider, memberProvider } from "../components/dynamic/conductorResources";
import { readinessProvider } from "../components/dynamic/readiness";
import { DevnetDouble } from "./double/devnetDouble";

/**
 * Pulumi runs dynamic providers from their serialized source in a separate host process. These
 * tests serialize each provider the way the SDK does, load the text as a fresh module, and drive
 * it against the JSON-RPC double: proof that the provider code is self-contained.
 */
async function load(provider: pulumi.dynamic.ResourceProvider): Promise<pulumi.dynamic.ResourceProvider> {
  // Exactly the SDK's dynamic/index.js: serialize `() => provider`, then the host calls `.handler()`.
  const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  const file = join(mkdtempSync(join(tmpdir(), "kupcake-provider-")), "provider.js");
  writeFileSync(file, sf.text);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file).handler();
}

const FAST = { timeoutMs: 3000, pollMs: 10 };

describe("dynamic providers, serialized as Pulumi ships them", () => {
  it("bootstrap, membership and readiness run from their serialized text", async () => {
    const d = await new DevnetDouble({ sequencers: 2, conductors: true }).start();
    try {
      const [boot, member, ready] = await Promise.all([load(bootstrapProvider), load(memberProvider), load(readinessProvider)]);
      const refs = d.conds.map((c) => ({ serverId: c.id, raftAddr: c.addr, rpcUrl: d.conductorUrl(c.index) }));
      const b = await boot.create({ conductor: refs[0], konaRpcUrl: d.konaUrl(1), ...FAST });
      assert.equal(b.outs.leaderAtCreate, "sequencer-1");
      const m = await member.create({ member: refs[1], anchors: [refs[0]], ...FAST });
      assert.equal(m.id, "raft-sequencer-2");
      const r = await ready.create({
        l1RpcUrl: d.url("/l1"),
        l1ChainId: 900,
        sequencers: d.seqs.map((s) => ({ name: `s${s.index}`, rpcUrl: d.rethUrl(s.index), konaRpcUrl: d.konaUrl(s.index) })),
        conductors: refs.map((c) => ({ serverId: c.serverId, rpcUrl: c.rpcUrl })),
        ...FAST,
      });
      assert.equal(r.outs.report.leader, "sequencer-1");
      await member.delete!("raft-sequencer-2", { member: refs[1], anchors: [refs[0]], ...FAST });
      assert.deepEqual(d.voters.map((v) => v.id), ["sequencer-1"]);
    } finally {
      await d.stop();
    }
  });
});
