import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { CHAIN_DEFINING_KEYS, ChainIdentity, chainChanges } from "../components/chainIdentity";
import { chainIdentityProvider } from "../components/dynamic/chainIdentity";
import { diffPlans } from "../plan/diff";
import { plan, planProcess } from "./helpers/plan";

const DEPLOYED: ChainIdentity & { stack: string } = {
  stack: "dev",
  l1ChainId: 88709,
  l2ChainId: 88710,
  blockTime: 4,
  l2BlockTime: 2,
  opDeployerImage: "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-deployer:v0.7.1",
};

/** The provider as the engine runs it: serialized, loaded as a fresh module (see serializedProviders.test.ts). */
async function serialized(): Promise<pulumi.dynamic.ResourceProvider> {
  const sf = await pulumi.runtime.serializeFunction(() => chainIdentityProvider, { allowSecrets: true });
  const file = join(mkdtempSync(join(tmpdir(), "kupcake-chain-")), "provider.js");
  writeFileSync(file, sf.text);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file).handler();
}

describe("chain-defining values cannot change on a live devnet", () => {
  it("check passes a new stack and an unchanged chain, and refuses each chain-defining change with key, values and fix", async () => {
    const p = await serialized();
    assert.deepEqual((await p.check!({}, DEPLOYED)).failures ?? [], [], "a new stack has no old inputs");
    assert.deepEqual((await p.check!({ ...DEPLOYED, __provider: "old text" } as never, DEPLOYED)).failures ?? [], [], "same chain");
    assert.deepEqual((await p.check!({ ...DEPLOYED, stack: "renamed" }, DEPLOYED)).failures ?? [], [], "the stack name is not chain-defining");
    const changed: Record<keyof ChainIdentity, unknown> = { l1ChainId: 1337, l2ChainId: 4242, blockTime: 6, l2BlockTime: 1, opDeployerImage: "op-deployer:v0.8.0" };
    for (const [field, value] of Object.entries(changed) as [keyof ChainIdentity, unknown][]) {
      const { failures } = await p.check!(DEPLOYED, { ...DEPLOYED, [field]: value });
      assert.equal(failures?.length, 1, field);
      assert.equal(failures![0].property, field);
      const reason = failures![0].reason;
      assert.ok(reason.includes(`${CHAIN_DEFINING_KEYS[field]} ${DEPLOYED[field]} -> ${value}`), `${field}: names key and both values: ${reason}`);
      assert.match(reason, /Fix: put the deployed value back \(pulumi config set (--path )?kupcake:\S+ \S+\), or start a new chain: npm run destroy -- --stack dev, then npm run up -- --stack dev/);
    }
  });

  it("lists every changed value at once, and ignores fields a stack deployed before the check never recorded", () => {
    const both = chainChanges(DEPLOYED, { ...DEPLOYED, blockTime: 2, l2BlockTime: 1 });
    assert.deepEqual(both.map((c) => c.key), ["kupcake:blockTime", "kupcake:l2BlockTime"]);
    assert.deepEqual(chainChanges({ l1ChainId: 88709 }, { ...DEPLOYED, l2BlockTime: 1 }), []);
  });

  it("plan --diff shows the refusal and exits 1 for each chain-defining key; other keys diff as before", async () => {
    for (const set of ["l1ChainId=1337", "l2ChainId=4242", "blockTime=6", "l2BlockTime=1", "images={\"opDeployer\":\"us-docker.pkg.dev/oplabs-tools-artifacts/images/op-deployer:v0.7.2\"}"]) {
      const r = await planProcess(["--diff", "--set", set]);
      assert.equal(r.code, 1, `${set}: ${r.stderr}`);
      assert.match(r.stdout, /✖ pulumi preview and up stop here; nothing would change:\n  refusing to change the chain of the live devnet "dev": kupcake:/, set);
    }
    const scale = await planProcess(["--diff", "--set", "sequencerCount=3", "--set", "l2Nodes=6"]);
    assert.equal(scale.code, 0, scale.stderr);
    assert.doesNotMatch(scale.stdout, /refusing/);
  });

  it("the guard is independent of the topology: scaling never changes it", async () => {
    const changes = diffPlans(await plan(), await plan({ sequencerCount: 3, l2Nodes: 7 }));
    assert.deepEqual(changes.filter((c) => c.type.endsWith(":ChainIdentity")), []);
    const guard = (await plan()).resources.filter((r) => r.type.endsWith(":ChainIdentity"));
    assert.equal(guard.length, 1, "one guard per stack");
  });
});
