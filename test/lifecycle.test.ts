import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LABEL } from "../components/labels";
import { L1_HEALTHY_TIMEOUT_MS, LifecycleDeps, StackContainer, healthArgs, lifecycleWaves, parsePs, psArgs, runLifecycle } from "../ops/lifecycle";
import { containers, label, plan } from "./helpers/plan";

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

  it("finds the stack's containers by its network label and parses docker's listing", () => {
    assert.deepEqual(psArgs("kup-dev").slice(0, 4), ["ps", "-a", "--filter", "label=kupcake.network=kup-dev"]);
    assert.deepEqual(parsePs("kup-dev-anvil\tl1\tanvil\t\nkup-dev-op-reth-sequencer-1\tsequencer\top-reth\t1\n"), [
      { name: "kup-dev-anvil", role: "l1", service: "anvil" },
      { name: "kup-dev-op-reth-sequencer-1", role: "sequencer", service: "op-reth", index: 1 },
    ]);
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
