import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { CHAIN_DEFINING_KEYS, ChainIdentity, PRE_CHAIN_PARAMS_VALUES, chainChanges, chainIdentity } from "../components/chainIdentity";
import { CONFIG_KEYS } from "../components/config/schema";
import { validateConfig } from "../components/config/validate";
import { chainIdentityProvider } from "../components/dynamic/chainIdentity";
import { diffPlans } from "../plan/diff";
import { plan, planProcess } from "./helpers/plan";

const FIRST_GUARD = {
  stack: "dev",
  l1ChainId: 88709,
  l2ChainId: 88710,
  blockTime: 4,
  l2BlockTime: 2,
  opDeployerImage: "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-deployer:v0.7.1",
};
/** A devnet deployed with today's defaults (the chain parameters as an empty stack config resolves them). */
const DEPLOYED: ChainIdentity & { stack: string } = { ...chainIdentity(validateConfig("dev", {})), ...FIRST_GUARD };

/** A different valid value for every chain-defining field, and the `--set` that produces it. */
const CHANGED: Record<keyof ChainIdentity, [unknown, string]> = {
  l1ChainId: [1337, "l1ChainId=1337"],
  l2ChainId: [4242, "l2ChainId=4242"],
  blockTime: [6, "blockTime=6"],
  l2BlockTime: [1, "l2BlockTime=1"],
  opDeployerImage: ["op-deployer:v0.8.0", 'images={"opDeployer":"us-docker.pkg.dev/oplabs-tools-artifacts/images/op-deployer:v0.7.2"}'],
  hardforkEcotone: [1, 'hardforks={"ecotone":2,"fjord":4,"granite":6,"holocene":8,"isthmus":10,"jovian":12}'],
  hardforkFjord: [2, 'hardforks={"fjord":4,"granite":6,"holocene":8,"isthmus":10,"jovian":12}'],
  hardforkGranite: [3, 'hardforks={"granite":6,"holocene":8,"isthmus":10,"jovian":12}'],
  hardforkHolocene: [4, 'hardforks={"holocene":8,"isthmus":10,"jovian":12}'],
  hardforkIsthmus: [5, 'hardforks={"isthmus":10,"jovian":12}'],
  hardforkJovian: [6, 'hardforks={"jovian":12}'],
  hardforkKarst: [7, 'hardforks={"karst":60}'],
  l2GasLimit: [30_000_000, "l2GasLimit=30000000"],
  eip1559DenominatorCanyon: [100, "eip1559DenominatorCanyon=100"],
  eip1559Elasticity: [2, "eip1559Elasticity=2"],
  sequencerWindowSize: [100, "sequencerWindowSize=100"],
  channelTimeout: [40, "channelTimeout=40"],
  proofMaturityDelaySeconds: [60, "proofMaturityDelaySeconds=60"],
  disputeGameFinalityDelaySeconds: [60, "disputeGameFinalityDelaySeconds=60"],
  faultGameClockExtension: [4, "faultGameClockExtension=4"],
  faultGameMaxClockDuration: [60, "faultGameMaxClockDuration=60"],
  preimageOracleChallengePeriod: [5, "preimageOracleChallengePeriod=5"],
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
    for (const [field, [value]] of Object.entries(CHANGED) as [keyof ChainIdentity, [unknown, string]][]) {
      const { failures } = await p.check!(DEPLOYED, { ...DEPLOYED, [field]: value });
      assert.equal(failures?.length, 1, field);
      assert.equal(failures![0].property, field);
      const reason = failures![0].reason;
      assert.ok(reason.includes(`${CHAIN_DEFINING_KEYS[field]} ${String(DEPLOYED[field])} -> ${value}`), `${field}: names key and both values: ${reason}`);
      assert.match(reason, /Fix: put the deployed value back \(pulumi config set (--path )?kupcake:\S+ \S+\), or start a new chain: npm run destroy -- --stack dev, then npm run up -- --stack dev/);
    }
  });

  it("every chain-defining key of the config contract is guarded, under the key users write", () => {
    const guarded = new Set(Object.values(CHAIN_DEFINING_KEYS).map((k) => k.replace(/^kupcake:/, "").split(".")[0]));
    for (const k of ["hardforks", "l2GasLimit", "eip1559DenominatorCanyon", "eip1559Elasticity", "sequencerWindowSize", "channelTimeout", "proofMaturityDelaySeconds", "disputeGameFinalityDelaySeconds", "faultGameClockExtension", "faultGameMaxClockDuration", "preimageOracleChallengePeriod"]) {
      assert.ok(k in CONFIG_KEYS, `${k} is a config key`);
      assert.ok(guarded.has(k), `${k} is chain-defining`);
    }
    // Each hardfork has its own field, and a user-set schedule reaches the identity.
    const id = chainIdentity(validateConfig("dev", { hardforks: { jovian: 60, karst: 120 } }));
    assert.equal(id.hardforkJovian, 60);
    assert.equal(id.hardforkKarst, 120);
    assert.equal(DEPLOYED.hardforkKarst, "off", "Karst is not scheduled by default");
  });

  it("a guard from before the chain-parameter keys stands for op-deployer's standard withdrawal timing: moving to the devnet defaults is refused with the values to restore", () => {
    const changes = chainChanges(FIRST_GUARD, DEPLOYED);
    assert.deepEqual(changes.map((c) => c.key), [
      "kupcake:proofMaturityDelaySeconds",
      "kupcake:disputeGameFinalityDelaySeconds",
      "kupcake:faultGameClockExtension",
      "kupcake:faultGameMaxClockDuration",
      "kupcake:preimageOracleChallengePeriod",
    ]);
    assert.deepEqual(changes.map((c) => c.from), [604800, 302400, 10800, 302400, 86400]);
    // Restoring those values (what the refusal says) makes the old devnet's config acceptable again.
    const restored = chainIdentity(validateConfig("dev", { proofMaturityDelaySeconds: 604800, disputeGameFinalityDelaySeconds: 302400, faultGameClockExtension: 10800, faultGameMaxClockDuration: 302400, preimageOracleChallengePeriod: 86400 }));
    assert.deepEqual(chainChanges(FIRST_GUARD, { ...restored, ...FIRST_GUARD }), []);
    assert.equal(PRE_CHAIN_PARAMS_VALUES.hardforkKarst, "off");
  });

  it("lists every changed value at once, and ignores fields a stack deployed before the check never recorded", () => {
    const both = chainChanges(DEPLOYED, { ...DEPLOYED, blockTime: 2, l2BlockTime: 1 });
    assert.deepEqual(both.map((c) => c.key), ["kupcake:blockTime", "kupcake:l2BlockTime"]);
    assert.deepEqual(chainChanges({ l1ChainId: 88709 }, { ...DEPLOYED, l2BlockTime: 1 }), []);
  });

  it("plan --diff shows the refusal and exits 1 for each chain-defining key; other keys diff as before", async () => {
    // The original keys and one of each new kind (every field goes through check above); three plan processes at a time.
    const sets = (["l1ChainId", "l2ChainId", "blockTime", "l2BlockTime", "opDeployerImage", "hardforkJovian", "l2GasLimit", "proofMaturityDelaySeconds"] as const).map((f) => CHANGED[f][1]);
    const runs: [string, Awaited<ReturnType<typeof planProcess>>][] = [];
    for (let i = 0; i < sets.length; i += 3) runs.push(...(await Promise.all(sets.slice(i, i + 3).map(async (set) => [set, await planProcess(["--diff", "--set", set])] as [string, Awaited<ReturnType<typeof planProcess>>]))));
    for (const [set, r] of runs) {
      assert.equal(r.code, 1, `${set}: ${r.stderr}`);
      assert.match(r.stdout, /✖ pulumi preview and up stop here; nothing would change:\n  refusing to change the chain of the live devnet "dev": kupcake:/, set);
      const key = set.split("=")[0];
      assert.ok(r.stdout.includes(`kupcake:${key}`), `${set}: names kupcake:${key}...: ${r.stdout}`);
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
