import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LABEL } from "../components/labels";
import { checkoutId, ownerLabel } from "../components/owner";
import {
  EngineContainer,
  L1_HEALTHY_TIMEOUT_MS,
  LifecycleDeps,
  LifecycleRefusal,
  StackContainer,
  StackIdentity,
  engineListArgs,
  expectedContainers,
  healthArgs,
  lifecycleWaves,
  operateStack,
  parseEngineList,
  reconcile,
  refusal,
  runLifecycle,
} from "../ops/lifecycle";
import { ROOT, containers, label, plan } from "./helpers/plan";

/** The containers `docker ps` would list for a plan, with their labels. */
async function stackContainers(sets: Record<string, unknown> = {}): Promise<StackContainer[]> {
  const p = await plan(sets);
  return containers(p).map((c) => ({ name: String(c.inputs.name), role: label(c, LABEL.role)!, service: label(c, LABEL.service)!, ...(label(c, LABEL.index) ? { index: Number(label(c, LABEL.index)) } : {}) }));
}

describe("npm run stop / start", () => {
  it("starts L1 first, then conductors, sequencers, validators, services, monitoring; jobs are left alone", async () => {
    const waves = lifecycleWaves(await stackContainers({ sequencerCount: 2, l2Nodes: 3 }), "start");
    assert.deepEqual(waves, [
      ["kup-dev-anvil"],
      ["kup-dev-op-conductor-1", "kup-dev-op-conductor-2"],
      ["kup-dev-op-reth-sequencer-1", "kup-dev-kona-node-sequencer-1", "kup-dev-op-reth-sequencer-2", "kup-dev-kona-node-sequencer-2"],
      ["kup-dev-op-reth-validator-1", "kup-dev-kona-node-validator-1"],
      ["kup-dev-op-batcher", "kup-dev-op-proposer"],
      ["kup-dev-grafana", "kup-dev-prometheus"],
    ]);
  });

  it("stops in the reverse order, L1 last", async () => {
    const start = lifecycleWaves(await stackContainers(), "start");
    const stop = lifecycleWaves(await stackContainers(), "stop");
    assert.deepEqual(stop, start.reverse().map((w) => [...w].reverse()));
    assert.deepEqual(stop[stop.length - 1], ["kup-dev-anvil"]);
    // A sequencer stopping after its conductor would seal blocks Raft never commits (restart wedge).
    const at = (name: string) => stop.findIndex((w) => w.includes(name));
    for (const i of [1, 2]) assert.ok(at(`kup-dev-kona-node-sequencer-${i}`) < at(`kup-dev-op-conductor-${i}`), `sequencer ${i} stops before its conductor`);
    assert.ok(!stop.flat().some((n) => n.includes("op-deployer")), "one-shot jobs are not started again");
  });

  it("refuses containers with a role it does not know", () => {
    assert.throws(() => lifecycleWaves([{ name: "x", role: "mystery", service: "y" }], "start"), /unknown kupcake.role: x \(mystery\)/);
  });

  it("nothing rotates: two plans of the same stack are identical, every stateful service is on a named volume", async () => {
    const { planProcess } = await import("./helpers/plan");
    const [a, b] = await Promise.all([planProcess(["--json", "--stack", "multi-sequencer"]), planProcess(["--json", "--stack", "multi-sequencer"])]);
    assert.equal(a.stdout, b.stdout);
    const p = JSON.parse(a.stdout);
    const stateful: Record<string, string> = { anvil: "/data", "op-reth": "/data", "op-conductor": "/raft", prometheus: "/prometheus", grafana: "/var/lib/grafana" };
    for (const c of containers(p)) {
      const dir = stateful[label(c, LABEL.service)!];
      if (!dir) continue;
      const m = (c.inputs.mounts as { type: string; source: string; target: string }[]).find((x) => x.target === dir);
      assert.equal(m?.type, "volume", `${c.inputs.name} keeps ${dir} on a named volume`);
    }
  });
});

/** A fake docker CLI and clock: `inspect` answers from `health(n)` (n = inspections so far). */
function fakeDocker(health: (n: number) => string) {
  const calls: string[] = [];
  let clock = 0;
  let inspections = 0;
  const deps: LifecycleDeps = {
    async docker(args) {
      calls.push(args[0] === "inspect" ? `inspect ${args[args.length - 1]}` : args.join(" "));
      return args[0] === "inspect" ? `${health(inspections++)}\n` : "";
    },
    async sleep(ms) {
      clock += ms;
    },
    now: () => clock,
    log: () => {},
  };
  return { calls, deps, elapsed: () => clock };
}

describe("npm run start waits for the L1 healthcheck", () => {
  it("starts the sequencers only after docker inspect reports the L1 healthy", async () => {
    const stack = await stackContainers({ sequencerCount: 2 });
    const fake = fakeDocker((n) => (n < 5 ? "starting running" : "healthy running"));
    await runLifecycle(stack, "start", fake.deps);
    const firstL1Start = fake.calls.indexOf("start kup-dev-anvil");
    const healthy = fake.calls.lastIndexOf("inspect kup-dev-anvil");
    const sequencers = fake.calls.findIndex((c) => c.startsWith("start ") && c.includes("sequencer"));
    assert.equal(firstL1Start, 0, "the L1 starts first");
    assert.equal(fake.calls.filter((c) => c === "inspect kup-dev-anvil").length, 6, "polled until healthy");
    assert.ok(sequencers > healthy, "sequencers start after the L1 is healthy");
    assert.deepEqual(healthArgs("kup-dev-anvil").slice(0, 2), ["inspect", "-f"]);
    assert.ok(!fake.calls.some((c) => c.startsWith("inspect") && !c.endsWith("kup-dev-anvil")), "only the L1 is health-gated");
  });

  it("gives up with a clear message, starting nothing else, when the L1 is not healthy in time", async () => {
    const stack = await stackContainers();
    const fake = fakeDocker(() => "starting running");
    await assert.rejects(runLifecycle(stack, "start", fake.deps), /kup-dev-anvil did not become healthy within 120s \(health=starting, status=running\); later waves were not started; see: docker logs kup-dev-anvil/);
    assert.ok(fake.elapsed() >= L1_HEALTHY_TIMEOUT_MS && fake.elapsed() < L1_HEALTHY_TIMEOUT_MS + 5000);
    assert.deepEqual(fake.calls.filter((c) => !c.startsWith("inspect")), ["start kup-dev-anvil"]);
  });

  it("fails fast when the L1 exits or turns unhealthy; stop does not wait for health", async () => {
    const stack = await stackContainers();
    await assert.rejects(runLifecycle(stack, "start", fakeDocker(() => "starting exited").deps), /kup-dev-anvil is exited instead of becoming healthy/);
    await assert.rejects(runLifecycle(stack, "start", fakeDocker(() => "unhealthy running").deps), /kup-dev-anvil is unhealthy/);
    const stop = fakeDocker(() => "starting running");
    await runLifecycle(stack, "stop", stop.deps);
    assert.ok(!stop.calls.some((c) => c.startsWith("inspect")));
    assert.equal(stop.calls[stop.calls.length - 1], "stop kup-dev-anvil");
  });
});

describe("ownership: every container, volume and network carries kupcake.project = stack @ checkout id", () => {
  it("the same value on every labelled resource, equal across topologies, from this checkout's directory", async () => {
    const [a, b, multi] = await Promise.all([plan({ sequencerCount: 1, l2Nodes: 1 }), plan({ sequencerCount: 3, l2Nodes: 7 }), plan({}, "multi-sequencer")]);
    for (const [p, stack] of [[a, "dev"], [b, "dev"], [multi, "multi-sequencer"]] as const) {
      const labelled = p.resources.filter((r) => Array.isArray(r.inputs.labels) && (r.inputs.labels as unknown[]).length > 0);
      const types = new Set(labelled.map((r) => r.type));
      for (const t of ["docker:index/container:Container", "docker:index/volume:Volume", "docker:index/network:Network"]) assert.ok(types.has(t), `${t} is labelled`);
      for (const r of labelled) assert.equal(label(r, LABEL.project), `${stack}@${checkoutId(ROOT)}`, `${r.name}`);
    }
    assert.equal(ownerLabel("dev", ROOT), `dev@${checkoutId(ROOT)}`);
    assert.match(checkoutId(ROOT), /^[0-9a-f]{12}$/);
    assert.notEqual(checkoutId("/some/other/clone"), checkoutId(ROOT), "a second clone gets another id");
    assert.equal(checkoutId(ROOT + "/"), checkoutId(ROOT), "the same directory, however written");
  });
});

const ID: StackIdentity = { stack: "dev", network: "kup-dev", owner: "dev@aaaaaaaaaaaa" };
/** The engine listing of the plan's containers, all owned by `owner`, all running. */
const listing = (cs: StackContainer[], owner = ID.owner): EngineContainer[] => cs.map((c) => ({ ...c, owner, network: ID.network, state: "running" }));
const foreignBox: EngineContainer = { name: "someones-box", role: "", service: "", owner: "", network: "kup-dev", state: "running" };

describe("npm run stop / start act only on the stack's own containers", () => {
  it("the issue's case: a foreign container with the stack's network label, no devnet: refuses, naming 22 expected and what is missing and foreign", async () => {
    const expected = expectedContainers(await plan());
    assert.equal(expected.length, 22);
    const r = reconcile(expected, [foreignBox], ID);
    assert.equal(r.found.length, 0);
    assert.equal(r.missing.length, 17);
    const why = refusal(r, ID)!;
    assert.match(why, /refusing: .*nothing was started or stopped/);
    assert.match(why, /missing \(17\): kup-dev-op-batcher, /);
    assert.match(why, /foreign \(1\):\n  someones-box carries kupcake.network=kup-dev but belongs to no Kupcake checkout/);
  });

  it("exactly the plan's containers of this checkout: acts; a foreign one next to them: refuses", async () => {
    const expected = expectedContainers(await plan());
    assert.equal(refusal(reconcile(expected, listing(expected), ID), ID), undefined);
    const why = refusal(reconcile(expected, [...listing(expected), foreignBox], ID), ID)!;
    assert.match(why, /foreign \(1\)/);
    assert.doesNotMatch(why, /missing/);
  });

  it("two checkouts, one stack name: the other checkout's devnet is foreign, never ours", async () => {
    const expected = expectedContainers(await plan());
    const theirs = listing(expected, "dev@bbbbbbbbbbbb");
    const r = reconcile(expected, theirs, ID);
    assert.equal(r.found.length, 0);
    assert.equal(r.foreign.length, 22);
    assert.match(refusal(r, ID)!, /kup-dev-anvil has the name of a container of stack dev but belongs to another checkout or stack \(kupcake.project=dev@bbbbbbbbbbbb\)/);
    // Containers from before ownership labels count as foreign too, with the reason.
    assert.match(refusal(reconcile(expected, listing(expected, ""), ID), ID)!, /no kupcake.project label/);
  });

  it("a container of this checkout that the plan no longer has (config changed) and a missing node: refuses with the fix", async () => {
    const expected = expectedContainers(await plan());
    const stale = { ...listing(expected)[0], name: "kup-dev-op-reth-validator-9" };
    const r = reconcile(expected, [...listing(expected.filter((c) => c.name !== "kup-dev-op-reth-validator-3")), stale], ID);
    const why = refusal(r, ID)!;
    assert.match(why, /missing \(1\): kup-dev-op-reth-validator-3/);
    assert.match(why, /kup-dev-op-reth-validator-9 belongs to this checkout's stack dev but is not in its plan/);
    assert.match(why, /Fix: run npm run up -- --stack dev/);
  });

  it("missing one-shot jobs (pruned) do not block stop and start", async () => {
    const expected = expectedContainers(await plan());
    const r = reconcile(expected, listing(expected.filter((c) => c.role !== "job")), ID);
    assert.equal(r.missingJobs.length, 5);
    assert.equal(refusal(r, ID), undefined);
  });

  it("operateStack: lists the engine once, says expected and found, refuses before any stop, or stops the 17 services", async () => {
    const expected = expectedContainers(await plan());
    const run = async (rows: EngineContainer[]) => {
      const calls: string[][] = [];
      const lines: string[] = [];
      const deps: LifecycleDeps = {
        async docker(args) {
          calls.push(args);
          return args[0] === "ps" ? rows.map((c) => [c.name, c.state, c.owner, c.network, c.role, c.service, c.index ?? ""].join("\t")).join("\n") + "\n" : "";
        },
        sleep: async () => {},
        now: () => 0,
        log: (l) => lines.push(l),
      };
      const result = await operateStack("stop", expected, ID, deps).then(() => undefined, (e: Error) => e);
      return { calls, lines, result };
    };
    const refused = await run([foreignBox]);
    assert.ok(refused.result instanceof LifecycleRefusal);
    assert.deepEqual(refused.calls, [engineListArgs()], "nothing but the listing ran");
    assert.match(refused.lines[0], /^stack dev \(kup-dev, kupcake.project=dev@aaaaaaaaaaaa\): expected 22 containers \(17 services \+ 5 one-shot jobs\), found 0$/);
    const ok = await run(listing(expected));
    assert.equal(ok.result, undefined);
    assert.equal(ok.calls.filter((c) => c[0] === "stop").flatMap((c) => c.slice(1)).length, 17);
    assert.match(ok.lines[ok.lines.length - 1], /stopped 17 of 17 service containers of kup-dev/);
  });

  it("parses docker's listing of every container with its state and ownership labels", () => {
    const args = engineListArgs();
    assert.deepEqual(args.slice(0, 3), ["ps", "-a", "--no-trunc"]);
    assert.match(args[args.length - 1], /\{\{\.Label "kupcake\.project"\}\}/);
    assert.deepEqual(parseEngineList("kup-dev-anvil\trunning\tdev@x\tkup-dev\tl1\tanvil\t\nplain\texited\t\t\t\t\t\n"), [
      { name: "kup-dev-anvil", state: "running", owner: "dev@x", network: "kup-dev", role: "l1", service: "anvil" },
      { name: "plain", state: "exited", owner: "", network: "", role: "", service: "" },
    ]);
  });
});
