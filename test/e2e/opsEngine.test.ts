import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { LABEL } from "../../components/labels";
import { ownerLabel } from "../../components/owner";
import { docker } from "../../ops/dockerControl";
import { drillTargetsRefusal } from "../../ops/drill";
import { LifecycleDeps, LifecycleRefusal, StackContainer, StackIdentity, engineListArgs, expectedContainers, operateStack, parseEngineList } from "../../ops/lifecycle";
import { PlannedPort, engineIsLocal, preflight, tryBind } from "../../ops/preflight";
import { plan } from "../helpers/plan";
import { requireEngine } from "./harness";

/**
 * The operator scripts' docker-facing decisions against the real Docker engine: `npm run stop` /
 * `start` act only on the stack's own containers (kupcake.project) and refuse foreign ones; the
 * drill refuses sequencer containers another checkout owns; the port preflight names the container
 * holding a port and accepts the stack's own. Containers run `sleep` in kupcake-e2e/debian:bookworm,
 * carry a unique kupcake.test label and are removed afterwards.
 *   node --import tsx --test test/e2e/opsEngine.test.ts   (part of npm run test:e2e)
 */
const IMAGE = "kupcake-e2e/debian:bookworm";
const RUN = randomBytes(3).toString("hex");
const TEST_LABEL = `kupcake.test=ops-engine-${RUN}`;
const NETWORK = `kup-ops${RUN}`;
const ID: StackIdentity = { stack: "dev", network: NETWORK, owner: ownerLabel("dev") };

const d = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();
const labelArgs = (c: StackContainer, owner: string) => [
  "--label", TEST_LABEL,
  "--label", `${LABEL.network}=${NETWORK}`,
  "--label", `${LABEL.role}=${c.role}`,
  "--label", `${LABEL.service}=${c.service}`,
  ...(c.index !== undefined ? ["--label", `${LABEL.index}=${c.index}`] : []),
  ...(owner ? ["--label", `${LABEL.project}=${owner}`] : []),
];
/** A stand-in for one of the stack's containers: the L1 gets a healthcheck, so `start` can wait for it. */
function create(c: StackContainer, owner = ID.owner) {
  const health = c.role === "l1" ? ["--health-cmd", "true", "--health-interval", "1s", "--health-start-period", "0s"] : [];
  d("create", "--name", c.name, "--stop-timeout", "1", ...labelArgs(c, owner), ...health, IMAGE, "sleep", "600");
}
const state = (name: string) => d("inspect", "-f", "{{.State.Status}}", name);

function deps(lines: string[]): LifecycleDeps {
  return { docker, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), now: () => Date.now(), log: (l) => lines.push(l) };
}

let expected: StackContainer[] = [];

before(async () => {
  requireEngine(); // fails naming `bash test/e2e/engine.sh` when no engine answers
  d("image", "inspect", "--format", "{{.Id}}", IMAGE);
  expected = expectedContainers(await plan({ network: NETWORK }));
});
after(() => {
  const ids = d("ps", "-aq", "--filter", `label=${TEST_LABEL}`).split("\n").filter(Boolean);
  if (ids.length) d("rm", "-f", ...ids);
});

describe("operator scripts against the real Docker engine", () => {
  it("stop and start act on exactly the stack's own containers; a foreign container with its network label makes them refuse, touching nothing", async () => {
    assert.equal(expected.length, 22);
    for (const c of expected) create(c);
    const services = expected.filter((c) => c.role !== "job");
    d("start", ...services.map((c) => c.name));
    const bystander = `kup-ops${RUN}-bystander`;
    d("run", "-d", "--name", bystander, "--label", TEST_LABEL, IMAGE, "sleep", "600"); // no kupcake labels: never listed

    const lines: string[] = [];
    const stopped = await operateStack("stop", expected, ID, deps(lines));
    assert.equal(stopped.found.length, 22);
    assert.match(lines[0], new RegExp(`expected 22 containers \\(17 services \\+ 5 one-shot jobs\\), found 22$`));
    for (const c of services) assert.equal(state(c.name), "exited", c.name);
    assert.equal(state(bystander), "running", "an unrelated container is left alone");

    const started = await operateStack("start", expected, ID, deps(lines));
    assert.equal(started.found.length, 22);
    for (const c of services) assert.equal(state(c.name), "running", c.name);
    for (const c of expected.filter((x) => x.role === "job")) assert.equal(state(c.name), "created", `${c.name}: one-shot jobs are not started`);

    // The case: a foreign container that merely carries the stack's network label.
    const intruder = `kup-ops${RUN}-intruder`;
    d("run", "-d", "--name", intruder, "--label", TEST_LABEL, "--label", `${LABEL.network}=${NETWORK}`, IMAGE, "sleep", "600");
    const refused = await operateStack("stop", expected, ID, deps([])).catch((e: Error) => e);
    assert.ok(refused instanceof LifecycleRefusal, String(refused));
    assert.match(refused.message, new RegExp(`foreign \\(1\\):\\n  ${intruder} carries kupcake.network=${NETWORK} but belongs to no Kupcake checkout`));
    for (const c of services) assert.equal(state(c.name), "running", `${c.name} untouched by the refused stop`);
    d("rm", "-f", intruder);
  });

  it("a second checkout's container under one of the stack's names: stop refuses and the drill refuses to stop it", async () => {
    const victim = expected.find((c) => c.service === "op-reth" && c.role === "sequencer" && c.index === 2)!;
    d("rm", "-f", victim.name);
    create(victim, "dev@0123456789ab");
    const refused = await operateStack("stop", expected, ID, deps([])).catch((e: Error) => e);
    assert.ok(refused instanceof LifecycleRefusal, String(refused));
    assert.match(refused.message, new RegExp(`missing \\(1\\): ${victim.name}`));
    assert.match(refused.message, new RegExp(`${victim.name} has the name of a container of stack dev but belongs to another checkout or stack \\(kupcake.project=dev@0123456789ab\\)`));

    const listed = parseEngineList(await docker(engineListArgs()));
    const seqs = [1, 2].map((i) => ({ opReth: `${NETWORK}-op-reth-sequencer-${i}`, konaNode: `${NETWORK}-kona-node-sequencer-${i}` })) as never[];
    assert.match(drillTargetsRefusal(seqs, listed, ID)!, new RegExp(`${victim.name} belongs to kupcake.project=dev@0123456789ab`));
    assert.equal(drillTargetsRefusal(seqs.slice(0, 1), listed, ID), undefined, "sequencer 1 is ours");
  });

  it("port preflight: a container publishing the port is named; the stack's own container on it is fine", async () => {
    assert.ok(engineIsLocal(), "this test expects a local engine");
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const planned: PlannedPort[] = [{ ip: "127.0.0.1", port, internal: 9090, container: `${NETWORK}-prometheus`, service: "prometheus", role: "monitoring" }];
    const engine = { docker, bind: tryBind, local: true };

    assert.deepEqual((await preflight(planned, ID.owner, engine)).conflicts, [], "free");
    const other = `kup-ops${RUN}-other-devnet`;
    d("run", "-d", "--name", other, "--label", TEST_LABEL, "--label", `${LABEL.project}=dev@0123456789ab`, "-p", `127.0.0.1:${port}:80`, IMAGE, "sleep", "600");
    const held = await preflight(planned, ID.owner, engine);
    assert.deepEqual(held.conflicts.map((c) => [c.planned.port, c.holders.map((h) => [h.name, h.owner])]), [[port, [[other, "dev@0123456789ab"]]]]);
    d("rm", "-f", other);

    const mine = `kup-ops${RUN}-prometheus-mine`;
    d("run", "-d", "--name", mine, "--label", TEST_LABEL, "--label", `${LABEL.project}=${ID.owner}`, "-p", `0.0.0.0:${port}:80`, IMAGE, "sleep", "600");
    assert.deepEqual((await preflight(planned, ID.owner, engine)).conflicts, [], "held by the stack's own container: a re-up");
    d("rm", "-f", mine);
  });
});
