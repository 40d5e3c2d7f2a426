// The end-to-end scenario on the real engines: the real Pulumi CLI, its Node.js language host and
// the docker/random providers (built by test/e2e/toolchain.sh), a real Docker Engine, real Anvil
// and Prometheus, stand-ins for the other services (test/e2e/images.sh). No mocks.
//   npm run test:e2e            (needs a Docker engine: as root, `bash test/e2e/engine.sh`)
// Steps follow Pulumi's ProgramTest lifecycle; each prints its wall time and the run ends with a
// table of them, also written as JSON to $KUPCAKE_E2E_REPORT (default: the run's log directory).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { L1_READY_LINE } from "../../components/builders/anvil";
import { rpcCall, waitFor } from "../../components/dynamic/rpc";
import { DEFAULT_IMAGES, parseImageRef } from "../../components/images";
import { mayChangeOnScale } from "../../components/stability";
import { endpointsFromOutputs } from "../../ops/endpoints";
import { Change, diffPlans } from "../../plan/diff";
import type { Plan } from "../../plan/run";
import { E2eRun, MissingPrerequisite, REPO, Ran, docker, requireEngine, run } from "./harness";

/** Operations `pulumi preview --json` reports that change something. */
const CHANGING = new Set(["create", "update", "replace", "delete"]);

/** `op name` for every changing step of a `pulumi preview --json` document. */
function previewChanges(previewJson: string): string[] {
  const doc = JSON.parse(previewJson) as { steps?: { op: string; urn: string }[] };
  return (doc.steps ?? [])
    .filter((s) => CHANGING.has(s.op))
    .map((s) => `${s.op} ${s.urn.slice(s.urn.lastIndexOf("::") + 2)}`)
    .sort();
}
const planChanges = (changes: Change[]) => changes.map((c) => `${c.op} ${c.name}`).sort();

async function prerequisites() {
  requireEngine();
  const toolchain = await run(["bash", join(REPO, "test/e2e/toolchain.sh")], { cwd: REPO });
  process.stderr.write(toolchain.stdout + toolchain.stderr);
  if (toolchain.code !== 0) throw new MissingPrerequisite(`test/e2e/toolchain.sh failed (exit ${toolchain.code}); see its output above`);
  const bin = (await run(["bash", join(REPO, "test/e2e/toolchain.sh"), "--print-bin"], { cwd: REPO })).stdout.trim();
  const imagesFile = join(tmpdir(), `kupcake-e2e-images-${process.pid}.json`);
  const images = await run(["bash", join(REPO, "test/e2e/images.sh"), "--out", imagesFile], { cwd: REPO });
  process.stderr.write(images.stdout + images.stderr);
  if (images.code !== 0) throw new MissingPrerequisite(`test/e2e/images.sh failed (exit ${images.code}); see its output above`);
  const map = JSON.parse(readFileSync(imagesFile, "utf8")) as Record<string, string>;
  // The conductors are the REAL op-conductor (built from the optimism Go module by
  // test/e2e/toolchain/op-conductor/build.sh) unless KUPCAKE_E2E_CONDUCTOR=standin.
  if (process.env.KUPCAKE_E2E_CONDUCTOR !== "standin") {
    const real = `kupcake-e2e/op-conductor:${parseImageRef(DEFAULT_IMAGES.opConductor)?.tag}-real`;
    if (docker(["image", "ls", "-q", real]).trim() === "") {
      throw new MissingPrerequisite(`the real op-conductor image ${real} is missing: test/e2e/images.sh builds it unless KUPCAKE_E2E_REAL_CONDUCTOR=0 (needs Go and the module proxy); or run the scenario with KUPCAKE_E2E_CONDUCTOR=standin`);
    }
    map.opConductor = real;
  }
  process.stderr.write(`e2e: conductor image ${map.opConductor}\n`);
  return { toolchainBin: bin, images: map };
}

test("e2e: preview, up, no-change, scale, operate, shrink, destroy on the real engines", { timeout: 75 * 60 * 1000 }, async () => {
  const setupStarted = Date.now();
  const pre = await prerequisites();
  const e = new E2eRun(pre);
  e.steps.push({ name: "toolchain and images (built or reused)", command: "test/e2e/toolchain.sh; test/e2e/images.sh", seconds: (Date.now() - setupStarted) / 1000, ok: true });
  process.stderr.write(`e2e: run ${e.runId}, network ${e.network}, project copy ${e.dir}, logs ${e.logDir}\n`);
  e.writeStackConfig();

  const npm = (name: string, script: string, args: string[] = [], opts?: { allowFailure?: boolean }): Promise<Ran> =>
    e.step(name, ["npm", "run", "--silent", script, "--", ...args], opts);
  const outputs = async () => JSON.parse((await e.pulumi("stack output --json", ["stack", "output", "--json", "--show-secrets"])).stdout);
  const plan = async (name: string): Promise<Plan> => JSON.parse((await npm(name, "plan", ["--json", "--stack", e.stack])).stdout);
  const setTopology = async (sequencerCount: number, l2Nodes: number) => {
    await e.pulumi(`config set sequencerCount=${sequencerCount}`, ["config", "set", "kupcake:sequencerCount", String(sequencerCount)]);
    await e.pulumi(`config set l2Nodes=${l2Nodes}`, ["config", "set", "kupcake:l2Nodes", String(l2Nodes)]);
  };
  const voters = async (o: { sequencers: { conductorRpc?: string }[] }) => {
    for (const s of o.sequencers) {
      if (!s.conductorRpc) continue;
      try {
        if (await rpcCall<boolean>(s.conductorRpc, "conductor_leader")) {
          return (await rpcCall<{ servers: { id: string }[] }>(s.conductorRpc, "conductor_clusterMembership")).servers.map((v) => v.id).sort();
        }
      } catch {
        // a stopped or follower conductor: ask the next one
      }
    }
    throw new Error("no conductor reports itself leader");
  };
  /** Scales, comparing `pulumi preview` with the offline plan's diff and the touched containers with the stability contract. */
  const scale = async (from: { s: number; n: number }, to: { s: number; n: number }) => {
    const label = `${from.s}->${to.s} sequencers`;
    const before = await plan(`plan before ${label}`);
    const containersBefore = e.containers();
    await setTopology(to.s, to.n);
    const after = await plan(`plan after ${label}`);
    const preview = await npm(`preview ${label}`, "preview", ["--json"]);
    await e.check(`preview equals plan --diff (${label})`, () => assert.deepEqual(previewChanges(preview.stdout), planChanges(diffPlans(before, after))));
    await npm(`up ${label}`, "up", ["--yes", "--skip-preview"]);
    await e.check(`only the scale-dependent set was touched (${label})`, () => {
      const containersAfter = e.containers();
      const byContainer = new Map(before.resources.filter((r) => r.type === "docker:index/container:Container").map((r) => [r.inputs.name as string, r.name.replace(/^devnet-/, "")]));
      const touched = [...containersBefore.entries()]
        .filter(([name, c]) => containersAfter.has(name) && containersAfter.get(name)!.id !== c.id)
        .map(([name]) => byContainer.get(name) ?? name);
      const unexpected = touched.filter((rel) => !mayChangeOnScale(rel, { sequencerCount: from.s }, { sequencerCount: to.s }));
      assert.deepEqual(unexpected, [], `containers replaced outside the scale-dependent set: ${unexpected.join(", ")}`);
    });
  };

  let failure: unknown;
  try {
    // 1. First preview and up of the default stack (2 sequencers + 3 validators), policies on.
    await npm("preview (new stack)", "preview");
    await npm("up (new stack)", "up", ["--yes", "--skip-preview"]);
    const o = await outputs();
    await e.check("stack outputs", () => {
      assert.equal(o.network, e.network);
      assert.equal(o.sequencers.length, 2);
      assert.equal(o.validators.length, 3);
      for (const k of ["DisputeGameFactoryProxy", "OptimismPortalProxy", "SystemConfigProxy"]) assert.match(o.contracts[k], /^0x[0-9a-fA-F]{40}$/, k);
    });
    await e.check("L1 and L2 answer on the published ports", async () => {
      assert.ok(Number(await rpcCall<string>(o.l1Rpc, "eth_blockNumber")) > 0);
      assert.ok(Number(await rpcCall<string>(o.sequencers[0].rpc, "eth_chainId")) === o.l2ChainId);
    });

    // 1b. The first hour: one L2 endpoint, funding an address on both layers, logs by role.
    await e.check("l2Rpc and l2Ws: one L2 endpoint that answers for the L2 chain", async () => {
      assert.equal(Number(await rpcCall<string>(o.l2Rpc, "eth_chainId")), o.l2ChainId);
      assert.match(o.l2Ws, /^ws:\/\/127\.0\.0\.1:\d+$/);
    });
    const FUNDED = "0x000000000000000000000000000000000000dEaD";
    const balance = async (url: string) => BigInt(await rpcCall<string>(url, "eth_getBalance", [FUNDED, "latest"]));
    for (const [layer, amount, url] of [["l1", "1.5", o.l1Rpc], ["l2", "2", o.l2Rpc]] as const) {
      const before = await balance(url);
      const r = await npm(`fund ${amount} ETH on ${layer.toUpperCase()}`, "fund", [FUNDED, amount, `--${layer}`, "--stack", e.stack]);
      e.sample(`npm run --silent fund -- ${FUNDED} ${amount} --${layer}`, r.stdout + r.stderr);
      await e.check(`fund --${layer}: the address holds ${amount} ETH more (read from ${layer === "l1" ? "the real Anvil" : "l2Rpc"})`, async () => {
        // On L2 the transfer goes to the active sequencer; l2Rpc (a validator) sees it once it follows that block.
        await waitFor(`the ${layer} balance of ${FUNDED} to grow by ${amount} ETH`, async () => (await balance(url)) - before === BigInt(Number(amount) * 10) * 10n ** 17n || undefined, { timeoutMs: 30_000, pollMs: 500 });
        assert.match(r.stdout, /tx 0x[0-9a-f]{64} included in block \d+/);
      });
    }
    for (const args of [["sequencer", "1", "--tail", "3"], ["batcher", "--tail", "3"]]) {
      const r = await npm(`logs ${args.join(" ")}`, "logs", [...args, "--stack", e.stack]);
      e.sample(`npm run --silent logs -- ${args.join(" ")}`, r.stderr + r.stdout);
      await e.check(`logs ${args[0]}: names its containers and prints their log`, () => {
        const names = args[0] === "sequencer" ? [`${e.network}-kona-node-sequencer-1`, `${e.network}-op-reth-sequencer-1`] : [`${e.network}-op-batcher`];
        for (const n of names) assert.match(r.stderr, new RegExp(`==> ${n} \\(running\\) <==`));
        // docker logs keeps the container's streams: these services log to stderr.
        const lines = (r.stdout + r.stderr).split("\n").filter((l) => l.trim() && !l.startsWith("==> "));
        assert.ok(lines.length >= names.length, `log lines of ${names.join(", ")}:\n${r.stdout}${r.stderr}`);
      });
    }

    // 2. Nothing to do on a converged stack.
    await npm("preview --expect-no-changes", "preview", ["--expect-no-changes"]);
    await npm("up --expect-no-changes", "up", ["--yes", "--expect-no-changes"]);

    // 2b. A chain-defining change on the live devnet is refused by preview and up; nothing changes.
    const offline = await npm("plan --diff refuses a chain change", "plan", ["--diff", "--stack", e.stack, "--set", "l2BlockTime=1"], { allowFailure: true });
    const containersBeforeRefusal = e.containers();
    await e.pulumi("config set l2BlockTime=1", ["config", "set", "kupcake:l2BlockTime", "1"]);
    const refusedPreview = await npm("preview refuses a chain change", "preview", [], { allowFailure: true });
    const refusedUp = await npm("up refuses a chain change", "up", ["--yes", "--skip-preview"], { allowFailure: true });
    await e.check("chain change refused: offline --diff, preview and up all stop, no container touched", () => {
      for (const [what, r] of [["plan --diff", offline], ["preview", refusedPreview], ["up", refusedUp]] as const) {
        assert.notEqual(r.code, 0, `${what} must fail`);
        assert.match(r.stdout + r.stderr, /refusing to change the chain of the live devnet "[^"]+": kupcake:l2BlockTime 2 -> 1/, `${what} names the key and both values`);
      }
      const after = e.containers();
      assert.deepEqual([...after.entries()].map(([n, c]) => `${n} ${c.id}`).sort(), [...containersBeforeRefusal.entries()].map(([n, c]) => `${n} ${c.id}`).sort());
    });
    await e.pulumi("config rm l2BlockTime", ["config", "rm", "kupcake:l2BlockTime"]);
    await npm("preview --expect-no-changes after the refused change", "preview", ["--expect-no-changes"]);

    // 3. Scale 2 -> 3 sequencers (one more node).
    await scale({ s: 2, n: 5 }, { s: 3, n: 6 });
    await e.check("cluster has 3 voters", async () => assert.deepEqual(await voters(await outputs()), ["sequencer-1", "sequencer-2", "sequencer-3"]));

    // 4. Operate: status, drill, stop/start, refresh, no changes.
    await npm("status", "status", ["--stack", e.stack]);
    const drill = await npm("drill:failover --rounds 5", "drill:failover", ["--stack", e.stack, "--rounds", "5"]);
    e.sample("npm run --silent drill:failover -- --rounds 5", drill.stdout + drill.stderr);
    await e.check("l2Rpc answers after the failovers and follows the chain", async () => {
      const a = Number(await rpcCall<string>(o.l2Rpc, "eth_blockNumber"));
      await waitFor("l2Rpc's head to advance", async () => Number(await rpcCall<string>(o.l2Rpc, "eth_blockNumber")) > a || undefined, { timeoutMs: 30_000, pollMs: 1000 });
    });
    // The recovery finds a sequencing cluster and touches nothing (its repair is tested in realConductor).
    const recover = await npm("recover on a healthy cluster", "recover", ["--stack", e.stack, "--stall", "5"]);
    await e.check("recover: a sequencer is sealing, nothing paused", () => {
      assert.match(recover.stdout, /OK: sequencer-\d is sequencing; nothing was touched/);
    });
    await npm("stop", "stop", ["--stack", e.stack]);
    await npm("start", "start", ["--stack", e.stack]);
    await e.check("start: sequencers started only after the L1 was ready", () => {
      const byRole = (role: string) => docker(["ps", "-q", "--filter", `label=kupcake.network=${e.network}`, "--filter", `label=kupcake.role=${role}`]).split("\n").filter(Boolean);
      const startedAt = (id: string) => Date.parse(JSON.parse(docker(["inspect", "--format", "{{json .State.StartedAt}}", id])));
      const [l1] = byRole("l1");
      // The start script logs this line right before it touches the healthcheck's ready file.
      // `docker logs` writes the container's stderr (where the script logs) to its own stderr.
      const r = spawnSync("docker", ["logs", "--timestamps", "--since", new Date(startedAt(l1)).toISOString(), l1], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
      const logs = `${r.stdout}\n${r.stderr}`;
      const ready = logs.split("\n").find((l) => L1_READY_LINE.test(l));
      assert.ok(ready, `the L1 logged its ready line after its last start:\n${logs.slice(-2000)}`);
      const readyAt = Date.parse(ready.split(" ")[0]);
      const sequencers = byRole("sequencer");
      assert.ok(sequencers.length >= 2, "sequencer containers found");
      for (const id of sequencers) assert.ok(startedAt(id) > readyAt, `sequencer container ${id} started ${startedAt(id) - readyAt} ms after the L1's ready line`);
      process.stderr.write(`e2e: ${sequencers.length} sequencer containers started ${Math.min(...sequencers.map(startedAt)) - readyAt} ms or more after the L1's ready line\n`);
    });
    // `start` returns once the containers run; the cluster re-elects and resumes by itself.
    await e.check("live again after start (status healthy within 60 s)", () =>
      waitFor("npm run status to report a healthy devnet after start", async () => {
        const r = await run(["npm", "run", "--silent", "status", "--", "--stack", e.stack], { cwd: e.dir, env: e.env, timeoutSeconds: 30 });
        if (r.code !== 0) throw new Error(r.stdout.split("\n").filter((l) => l.includes("- ")).join("; ") || r.stderr.trim());
        return true;
      }, { timeoutMs: 60_000, pollMs: 2000 }),
    );
    await e.pulumi("refresh", ["refresh", "--yes", "--skip-preview"]);
    await npm("up --expect-no-changes after refresh", "up", ["--yes", "--expect-no-changes"]);

    // 5. Shrink and regrow. Sequencer 3 leads first: the scale-down must move leadership off it.
    await e.check("sequencer 3 leads before 3->2", async () => {
      const seqs = (await outputs()).sequencers as { index: number; conductorRpc: string }[];
      const third = seqs.find((s) => s.index === 3)!;
      await waitFor("one conductor to lead", async () => {
        for (const s of seqs) {
          if (!(await rpcCall<boolean>(s.conductorRpc, "conductor_leader").catch(() => false))) continue;
          if (s.index === 3) return true;
          const m = await rpcCall<{ servers: { id: string; addr: string }[] }>(s.conductorRpc, "conductor_clusterMembership");
          const t = m.servers.find((v) => v.id === "sequencer-3")!;
          await rpcCall(s.conductorRpc, "conductor_transferLeaderToServer", [t.id, t.addr]);
        }
        return (await rpcCall<boolean>(third.conductorRpc, "conductor_leader").catch(() => false)) || undefined;
      }, { timeoutMs: 60_000, pollMs: 1000 });
    });
    await scale({ s: 3, n: 6 }, { s: 2, n: 5 });
    await e.check("cluster has 2 voters", async () => assert.deepEqual(await voters(await outputs()), ["sequencer-1", "sequencer-2"]));
    await scale({ s: 2, n: 5 }, { s: 1, n: 4 });
    await scale({ s: 1, n: 4 }, { s: 2, n: 5 });
  } catch (err) {
    failure = err;
  } finally {
    if (failure) process.stderr.write(`e2e: container logs kept in ${e.keepContainerLogs()}\n`);
    // 6. Destroy is armed from the first up: it runs whatever happened, then nothing may be left.
    const destroyed = await e.pulumi("destroy", ["destroy", "--yes", "--skip-preview"], { allowFailure: true });
    const left = e.sweep();
    const report = process.env.KUPCAKE_E2E_REPORT ?? join(e.logDir, "e2e-report.json");
    e.writeReport(report, `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${process.platform}`);
    process.stderr.write(`\n${e.table()}\n\nreport: ${report}\nlogs: ${e.logDir}\n`);
    if (!failure && destroyed.code !== 0) failure = new Error("pulumi destroy failed");
    if (!failure && left.length) failure = new Error(`destroy left ${left.join(", ")}`);
  }
  if (failure) throw failure;
});
