import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DEFAULT_PORTS } from "../components/config/schema";
import { ownerLabel } from "../components/owner";
import { conflictMessage, parsePortBindings, plannedPorts, portConflicts, PlannedPort, tryBind } from "../ops/preflight";
import { ROOT, plan } from "./helpers/plan";

// The wrapper's own decisions (usage, stack selection, engine check) with recording stand-ins for
// the `pulumi` and `docker` executables; the real CLI runs in the e2e suite (npm run test:e2e).
// The `pulumi` stand-in keeps a list of existing stacks and answers `stack select NAME` without
// --create the way the real CLI does for a missing stack ("error: no stack named 'x' found", exit 6).
const bin = mkdtempSync(join(tmpdir(), "kupcake-wrapper-"));
const log = join(bin, "calls.log");
const stacks = join(bin, "stacks");
const tool = (name: string, body: string) => {
  writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> ${log}\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
};
tool(
  "pulumi",
  `if [ "$1 $2" = "stack select" ]; then
  if [ "$3" = "--create" ]; then echo "$4" >> ${stacks}; exit 0; fi
  grep -qx "$3" ${stacks} 2>/dev/null || { echo "error: no stack named '$3' found" >&2; exit 6; }
fi
exit 0`,
);
after(() => rmSync(bin, { recursive: true, force: true }));

function wrapper(args: string[], dockerAnswers: boolean, env: Record<string, string> = {}, existing: string[] = []) {
  tool("docker", dockerAnswers ? "echo 1.41" : "echo 'Cannot connect to the Docker daemon' >&2; exit 1");
  writeFileSync(log, "");
  writeFileSync(stacks, existing.map((s) => s + "\n").join(""));
  const r = spawnSync("bash", ["scripts/pulumi.sh", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, PULUMI_BACKEND_URL: `file://${bin}`, KUPCAKE_POLICIES: "off", KUPCAKE_PREFLIGHT: "off", DOCKER_HOST: "unix:///nowhere/docker.sock", KUPCAKE_STACK: "", ...env },
  });
  const calls = readFileSync(log, "utf8").trim().split("\n").filter(Boolean);
  return { ...r, calls, pulumi: calls.filter((c) => c.startsWith("pulumi")) };
}

describe("scripts/pulumi.sh", () => {
  it("fails with a clear message, before calling pulumi, when no Docker engine answers (preview and destroy too)", () => {
    for (const cmd of ["up", "preview", "destroy"]) {
      const r = wrapper([cmd], false);
      assert.equal(r.status, 1, cmd);
      assert.match(r.stderr, /no Docker engine answers at unix:\/\/\/nowhere\/docker\.sock; start Docker/);
      assert.deepEqual(r.pulumi, [], `${cmd}: pulumi not run`);
    }
  });

  it("-s NAME, --stack NAME, --stack=NAME and -s=NAME select exactly one stack", () => {
    for (const flag of [["-s", "multi-sequencer"], ["--stack", "multi-sequencer"], ["--stack=multi-sequencer"], ["-s=multi-sequencer"]]) {
      for (const cmd of ["preview", "up"]) {
        const r = wrapper([cmd, ...flag, "--diff"], true);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(r.pulumi, ["pulumi stack select --create multi-sequencer", `pulumi ${cmd} --stack multi-sequencer --diff`], flag.join(" "));
      }
    }
    // Pulumi options with values pass through.
    const t = wrapper(["up", "--target", "urn:pulumi:dev::kupcake::x", "--yes"], true);
    assert.deepEqual(t.pulumi, ["pulumi stack select --create dev", "pulumi up --stack dev --target urn:pulumi:dev::kupcake::x --yes"]);
  });

  it("a stray stack name (npm run up -s NAME: npm ate the -s) and two different stacks are usage errors; pulumi never runs", () => {
    const stray = wrapper(["up", "multi-sequencer"], true, { npm_config_loglevel: "silent" });
    assert.equal(stray.status, 2);
    assert.match(stray.stderr, /unexpected argument 'multi-sequencer' \(npm took -s as its own --silent flag\)\. To pick a stack write: npm run up -- --stack multi-sequencer/);
    assert.deepEqual(stray.pulumi, []);
    const two = wrapper(["up", "--stack", "dev", "-s", "multi-sequencer"], true);
    assert.equal(two.status, 2);
    assert.match(two.stderr, /two stacks given \(--stack dev and -s multi-sequencer\); pick one/);
    assert.deepEqual(two.pulumi, []);
    // The same name twice is one stack.
    assert.equal(wrapper(["preview", "--stack", "dev", "-s", "dev"], true).status, 0);
  });

  it("destroy and refresh of a stack that does not exist refuse (exit 2) without creating it", () => {
    for (const cmd of ["destroy", "refresh"]) {
      const r = wrapper([cmd, "--stack", "nosuch", "--yes"], true, {}, ["dev"]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`there is no stack 'nosuch' in file://\\S+, so nothing to ${cmd} \\(nothing was created\\)`));
      assert.deepEqual(r.pulumi, ["pulumi stack select nosuch"], "no --create, no destroy");
      const ok = wrapper([cmd, "--stack", "dev", "--yes"], true, {}, ["dev"]);
      assert.equal(ok.status, 0, ok.stderr);
      assert.deepEqual(ok.pulumi, ["pulumi stack select dev", `pulumi ${cmd} --stack dev --yes`]);
    }
  });

  it("up and preview need the stack's file, like npm run plan: no Pulumi.<stack>.yaml, exit 2 with the fix, nothing created", () => {
    for (const cmd of ["up", "preview"]) {
      const r = wrapper([cmd, "--stack", "nosuch"], true);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /no stack file Pulumi\.nosuch\.yaml, so there is no stack 'nosuch' to (up|preview)/);
      assert.match(r.stderr, /Fix: create it from an example, e\.g\. cp Pulumi\.dev\.yaml Pulumi\.nosuch\.yaml .*or pick one of: .*dev/);
      assert.deepEqual(r.calls, [], "neither pulumi nor docker ran");
    }
    const plan = spawnSync(process.execPath, ["--import", "tsx", "scripts/plan.ts", "--stack", "nosuch"], { cwd: ROOT, encoding: "utf8" });
    assert.equal(plan.status, 2, "plan refuses the same stack");
    assert.match(plan.stderr, /Pulumi\.nosuch\.yaml/);
  });

  it("usage errors exit 2 with the usage on stderr; --help anywhere prints it on stdout, exits 0 and runs nothing", () => {
    for (const args of [["launch"], [], ["up", "--stack"], ["up", "--stack", "--yes"], ["up", "--stack="], ["up", "--stack", "../x"]]) {
      const r = wrapper(args, true);
      assert.equal(r.status, 2, args.join(" "));
      assert.match(r.stderr, /usage: npm run up\|preview\|destroy\|refresh/);
      assert.equal(r.stdout, "");
    }
    for (const args of [["--help"], ["-h"], ["up", "--help"], ["destroy", "--stack", "nosuch", "-h"]]) {
      const r = wrapper(args, true);
      assert.equal(r.status, 0, args.join(" "));
      assert.match(r.stdout, /^usage: npm run up\|preview\|destroy\|refresh/);
      assert.deepEqual(r.calls, [], "nothing ran");
    }
  });
});

describe("port preflight before npm run up", () => {
  it("reads docker's Ports column: IPv4, IPv6 (both spellings), ranges; unpublished and UDP ports are not host ports", () => {
    assert.deepEqual(parsePortBindings("127.0.0.1:8545->8545/tcp, 0.0.0.0:9090->9090/tcp, :::9090->9090/tcp, [::]:3000->3000/tcp, 7300/tcp, 0.0.0.0:30303->30303/udp, 0.0.0.0:8000-8002->8000-8002/tcp"), [
      { ip: "127.0.0.1", port: 8545 },
      { ip: "0.0.0.0", port: 9090 },
      { ip: "::", port: 9090 },
      { ip: "::", port: 3000 },
      { ip: "0.0.0.0", port: 8000 },
      { ip: "0.0.0.0", port: 8001 },
      { ip: "0.0.0.0", port: 8002 },
    ]);
  });

  it("takes the stack's host ports from its offline plan, each with its container and service", async () => {
    const ports = plannedPorts(await plan());
    assert.equal(ports.length, 22);
    assert.ok(ports.every((p) => p.ip === "127.0.0.1"));
    assert.deepEqual(ports.find((p) => p.port === 8545), { ip: "127.0.0.1", port: 8545, internal: 8545, container: "kup-dev-anvil", service: "anvil", role: "l1" });
    assert.deepEqual(ports.find((p) => p.port === 9645), { ip: "127.0.0.1", port: 9645, internal: 8545, container: "kup-dev-op-reth-sequencer-2", service: "op-reth", role: "sequencer", index: 2 });
  });

  it("a port held by this stack's own container is fine (re-up); by a foreign container or a process outside Docker it is a conflict", () => {
    const p = (port: number, ip = "127.0.0.1"): PlannedPort => ({ ip, port, internal: 8545, container: "kup-dev-anvil", service: "anvil", role: "l1" });
    const own = { name: "kup-dev-anvil", owner: "dev@aaaaaaaaaaaa", bindings: [{ ip: "127.0.0.1", port: 8545 }] };
    const other = { name: "other-anvil", owner: "dev@bbbbbbbbbbbb", bindings: [{ ip: "0.0.0.0", port: 9545 }] };
    const taken = (q: PlannedPort) => q.port !== 7545; // the bind probe: only 7545 is free
    const c = portConflicts([p(8545), p(9545), p(9546), p(7545), p(9545, "127.0.0.2")], [own, other], "dev@aaaaaaaaaaaa", (q) => !taken(q));
    assert.deepEqual(c.map((x) => [x.planned.ip, x.planned.port, x.holders.map((h) => h.name)]), [
      ["127.0.0.1", 9545, ["other-anvil"]], // a wildcard bind collides with loopback
      ["127.0.0.1", 9546, []], // nothing in docker ps, but it cannot be bound
      ["127.0.0.2", 9545, ["other-anvil"]],
    ]);
    const msg = conflictMessage(c, "dev", "kup-dev");
    assert.match(msg, /^kupcake: refusing npm run up of stack dev \(kup-dev\): 3 host port\(s\) it publishes are taken; nothing was pulled or created\./);
    assert.match(msg, /\n  127\.0\.0\.1:9545 for anvil of l1 \(kup-dev-anvil, port 8545 inside\) is held by container other-anvil \(kupcake.project=dev@bbbbbbbbbbbb\)/);
    assert.match(msg, /127\.0\.0\.1:9546 .* is held by a process outside Docker \(find it: ss -ltnp 'sport = :9546'/);
    assert.match(msg, /Fix: stop the other devnet .*set kupcake:portOffset/);
  });

  it("the bind probe tells a held port from a free one", async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as { port: number }).port;
    try {
      assert.equal(await tryBind("127.0.0.1", port), false);
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
    assert.equal(await tryBind("127.0.0.1", port), true);
  });

  describe("npm run up runs it before Pulumi creates anything", () => {
    // A project copy (symlinks to this checkout) with a stack whose host ports are shifted to free ones.
    const proj = mkdtempSync(join(tmpdir(), "kupcake-preflight-"));
    after(() => rmSync(proj, { recursive: true, force: true }));
    for (const entry of ["scripts", "ops", "components", "plan", "policies", "node_modules", "index.ts", "package.json", "tsconfig.json", "Pulumi.yaml"]) symlinkSync(join(ROOT, entry), join(proj, entry));
    let ports: number[] = [];

    async function freeShift(): Promise<number> {
      for (let attempt = 0; attempt < 20; attempt++) {
        const shift = 20000 + Math.floor(Math.random() * 200) * 100;
        const candidate = [...new Set(Object.values(DEFAULT_PORTS).flatMap((b) => [0, 1, 2, 100, 101, 102, 200, 201, 202].map((d) => b + shift + d)))];
        let free = true;
        for (const x of candidate) if ((await tryBind("127.0.0.1", x)) !== true) free = false;
        if (free) return shift;
      }
      throw new Error("no free port range found for the preflight test");
    }

    const run = (dockerPs: string, stack = "pf") => {
      writeFileSync(join(bin, "ps.out"), dockerPs);
      tool("docker", `if [ "$1" = ps ]; then cat ${join(bin, "ps.out")}; else echo 1.41; fi`);
      writeFileSync(log, "");
      writeFileSync(stacks, "");
      const r = spawnSync("bash", [join(proj, "scripts", "pulumi.sh"), "up", "--stack", stack], {
        cwd: proj,
        encoding: "utf8",
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, PULUMI_BACKEND_URL: `file://${bin}`, KUPCAKE_POLICIES: "off", DOCKER_HOST: "unix:///nowhere/docker.sock", KUPCAKE_STACK: "" },
      });
      return { ...r, pulumi: readFileSync(log, "utf8").trim().split("\n").filter((c) => c.startsWith("pulumi")) };
    };

    it("setup: a stack on free host ports", async () => {
      const shift = await freeShift();
      const shifted = Object.fromEntries(Object.entries(DEFAULT_PORTS).map(([k, v]) => [k, v + shift]));
      writeFileSync(join(proj, "Pulumi.pf.yaml"), `config:\n  kupcake:network: kup-pf-${process.pid}\n  kupcake:ports: ${JSON.stringify(shifted)}\n`);
      ports = [shifted.l1Rpc, shifted.sequencerRpc, shifted.grafana];
    });

    it("all free: up goes on to Pulumi", () => {
      const r = run("");
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /port preflight: the 22 host ports of stack pf are free or held by its own containers/);
      assert.deepEqual(r.pulumi, ["pulumi stack select --create pf", "pulumi up --stack pf"]);
    });

    it("a foreign container on a port: exit 1 naming port, service and container; Pulumi never runs (no stack created)", () => {
      const r = run(`someone-elses-anvil\tdev@0123456789ab\t0.0.0.0:${ports[0]}->8545/tcp, :::${ports[0]}->8545/tcp\n`);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${ports[0]} for anvil of l1 \\(kup-pf-\\d+-anvil, port 8545 inside\\) is held by container someones?-elses-anvil \\(kupcake.project=dev@0123456789ab\\)`));
      assert.match(r.stderr, /Fix: stop the other devnet/);
      assert.deepEqual(r.pulumi, []);
    });

    it("this stack's own running containers on its ports (a re-up): fine", () => {
      const r = run(`kup-pf-anvil\t${ownerLabel("pf")}\t127.0.0.1:${ports[0]}->8545/tcp\n`);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.pulumi, ["pulumi stack select --create pf", "pulumi up --stack pf"]);
    });

    it("a process outside Docker on a port: exit 1 with how to find it", async () => {
      const srv: Server = createServer();
      await new Promise<void>((r) => srv.listen(ports[1], "127.0.0.1", r));
      try {
        const r = run("");
        assert.equal(r.status, 1, r.stderr);
        assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${ports[1]} for op-reth of sequencer 1 \\(kup-pf-\\d+-op-reth-sequencer-1, port 8545 inside\\) is held by a process outside Docker`));
        assert.deepEqual(r.pulumi, []);
      } finally {
        await new Promise<void>((r) => srv.close(() => r()));
      }
    });
  });
});
