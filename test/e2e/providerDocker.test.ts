import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FullDiff } from "./provider-docker/diff";
import { call, inspect, socketPath } from "./provider-docker/dockerApi";
import { makeProvider, typeOf } from "./provider-docker/provider";
import { formatGoDuration, parseGoDuration } from "./provider-docker/container";
import { tar } from "./provider-docker/tar";
import { isSecret, Props, secret, UNKNOWN } from "./provider-docker/values";

/**
 * The stand-in docker resource provider (test/e2e/provider-docker), driven directly (no gRPC)
 * against the real Docker engine: network, volume, containers (uploads, healthcheck + wait, ports,
 * labels, secrets, one-shot jobs with attach/logs), RemoteImage local lookup, Check/Diff the way
 * the bridge decides, Read after `docker stop`, and Delete.
 */
const ROOT = join(__dirname, "..", "..");
const IMAGE = "kupcake-e2e/debian:bookworm";
const TAG = `kpd${process.pid}`;
const LABELS = [{ label: "kupcake.test", value: "provider-docker" }];
const T = {
  container: "docker:index/container:Container",
  network: "docker:index/network:Network",
  volume: "docker:index/volume:Volume",
  image: "docker:index/remoteImage:RemoteImage",
};
const urn = (type: string, name: string) => `urn:pulumi:test::kupcake::kupcake:index:Devnet$${type}::${name}`;
/** The provider as the gRPC server sees it: every request and result goes through a protobuf Struct. */
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(o: unknown): { toJavaScript(): any } } };
const wireTrip = (o: unknown) => (o === undefined ? undefined : Struct.fromJavaScript(o).toJavaScript());
const raw0 = makeProvider();
interface Created {
  id: string;
  outs: Props;
}
const p = {
  ...raw0,
  check: async (u: string, olds: Props, news: Props) => {
    const r = await raw0.check!(u, wireTrip(olds), wireTrip(news));
    return { ...r, inputs: wireTrip(r.inputs) };
  },
  diff: (id: string, u: string, olds: Props | undefined, news: Props) => raw0.diff!(id, u, wireTrip(olds), wireTrip(news)),
  create: async (u: string, inputs: Props) => {
    const r = await raw0.create!(u, wireTrip(inputs)).catch((e) => {
      if (e.properties) e.properties = wireTrip(e.properties);
      throw e;
    });
    return { id: r.id, outs: wireTrip(r.outs) } as Created;
  },
  read: async (id: string, u: string, props: Props) => {
    const r = await raw0.read!(id, u, wireTrip(props));
    return { id: r.id ?? "", props: wireTrip(r.props) as Props, inputs: wireTrip(r.inputs) as Props };
  },
  update: async (id: string, u: string, olds: Props, news: Props) => ({ outs: wireTrip((await raw0.update!(id, u, wireTrip(olds), wireTrip(news))).outs) as Props }),
  delete: (id: string, u: string, props: Props) => raw0.delete!(id, u, wireTrip(props)),
};

const checked = async (type: string, news: Props, olds: Props = {}) => {
  const r = await p.check!(urn(type, "x"), olds, news);
  assert.deepEqual(r.failures ?? [], [], JSON.stringify(r.failures));
  return r.inputs as Props;
};
const fullDiff = (type: string, olds: Props | undefined, news: Props) => p.diff("id", urn(type, "x"), olds, news) as Promise<FullDiff>;
const diffOf = async (type: string, olds: Props | undefined, news: Props) => {
  const { changes, replaces, deleteBeforeReplace } = await fullDiff(type, olds, news);
  return { changes, replaces, deleteBeforeReplace };
};

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Mode bits of a path in a container, from the archive endpoint's stat header. */
async function statMode(id: string, path: string): Promise<number> {
  const { raw } = await import("./provider-docker/dockerApi");
  const res = await raw("HEAD", `/containers/${id}/archive`, { query: { path } });
  assert.equal(res.status, 200, `stat ${path}`);
  const stat = JSON.parse(Buffer.from(String(res.headers["x-docker-container-path-stat"]), "base64").toString("utf8"));
  return stat.mode & 0o777;
}

/** Removes what this test (any run of it) left behind: labelled and named kpd<pid>-… */
async function cleanup(): Promise<void> {
  const ours = (name: string) => /^\/?kpd\d+-/.test(name);
  const filter = encodeURIComponent(JSON.stringify({ label: ["kupcake.test=provider-docker"] }));
  const containers = (await call<any[]>("GET", `/containers/json?all=1&filters=${filter}`)) ?? [];
  for (const c of containers.filter((c) => c.Names.some(ours))) await call("DELETE", `/containers/${c.Id}`, { query: { force: true, v: true }, ok: [404] });
  const vols = (await call<{ Volumes: any[] | null }>("GET", `/volumes?filters=${filter}`)).Volumes ?? [];
  for (const v of vols.filter((v) => ours(v.Name))) await call("DELETE", `/volumes/${v.Name}`, { query: { force: true }, ok: [404] });
  const nets = (await call<any[]>("GET", `/networks?filters=${filter}`)) ?? [];
  for (const n of nets.filter((n) => ours(n.Name))) await call("DELETE", `/networks/${n.Id}`, { ok: [404] });
}

describe("stand-in docker provider against the real engine", { timeout: 120_000 }, () => {
  before(async () => {
    if (!existsSync(socketPath())) throw new Error(`no Docker engine socket at ${socketPath()}: start one (as root: bash test/e2e/engine.sh) or set DOCKER_HOST`);
    await cleanup();
  });
  after(cleanup);

  const state: { net?: { id: string; outs: Props }; vol?: { id: string; outs: Props }; svc?: { id: string; outs: Props; inputs: Props } } = {};
  let hostPort = 0;

  it("reads type tokens from URNs and formats Go durations like the real provider", () => {
    assert.equal(typeOf(urn(T.container, "a")), T.container);
    assert.equal(typeOf("urn:pulumi:s::p::docker:index/volume:Volume::v"), T.volume);
    for (const s of ["2s", "500ms", "1m30s", "1h0m0s", "1.5s", "0s"]) assert.equal(formatGoDuration(parseGoDuration(s)!), s);
    assert.equal(formatGoDuration(parseGoDuration("90s")!), "1m30s");
    assert.equal(parseGoDuration("2x"), undefined);
  });

  it("writes a ustar archive with long paths and modes", () => {
    const long = "/etc/" + "d".repeat(120) + "/file.txt";
    const t = tar([{ path: long, content: Buffer.from("x"), mode: 0o744 }]);
    assert.equal(t.length % 512, 0);
    assert.equal(t.subarray(257, 262).toString(), "ustar");
    assert.equal(t.subarray(100, 107).toString(), "0000744");
  });

  it("Check applies the schema defaults, auto-names and reports failures like the bridge", async () => {
    const c = await checked(T.container, { image: IMAGE, name: "n", ports: [{ internal: 80, external: 8080 }], healthcheck: { tests: ["CMD", "true"] }, uploads: [{ file: "/a", content: "x" }] });
    assert.equal(c.restart, "no");
    assert.equal(c.mustRun, true);
    assert.equal(c.start, true);
    assert.equal(c.wait, false);
    assert.equal(c.waitTimeout, 60);
    assert.equal(c.attach, false);
    assert.equal(c.logs, false);
    assert.equal(c.removeVolumes, true);
    assert.equal(c.networkMode, "bridge");
    assert.deepEqual(c.ports, [{ internal: 80, external: 8080, ip: "0.0.0.0", protocol: "tcp" }]);
    assert.deepEqual(c.healthcheck, { tests: ["CMD", "true"], interval: "0s", timeout: "0s", startPeriod: "0s", startInterval: "0s", retries: 0 });
    assert.deepEqual(c.uploads, [{ file: "/a", content: "x", executable: false }]);

    const auto = await p.check!(urn(T.container, "svc"), {}, { image: IMAGE });
    assert.match(String((auto.inputs as Props).name), /^svc-[0-9a-f]{7}$/);
    const again = await p.check!(urn(T.container, "svc"), auto.inputs as Props, { image: IMAGE });
    assert.equal((again.inputs as Props).name, (auto.inputs as Props).name, "auto-name is stable");

    const bad = await p.check!(urn(T.container, "x"), {}, { name: "n", restart: "sometimes", privileged: true, healthcheck: { interval: "2 s" } });
    const props = (bad.failures ?? []).map((f) => f.property).sort();
    assert.deepEqual(props, ["healthcheck.interval", "image", "privileged", "restart"]);
    const img = await p.check!(urn(T.image, "x"), {}, { keepLocally: true });
    assert.deepEqual((img.failures ?? []).map((f) => f.property), ["name"]);
  });

  it("creates a network and a volume whose state diffs clean", async () => {
    const netIn = await checked(T.network, { name: `${TAG}-net`, driver: "bridge", labels: LABELS });
    state.net = await p.create!(urn(T.network, "net"), netIn);
    assert.equal(state.net.outs.name, `${TAG}-net`);
    assert.match(state.net.id, /^[0-9a-f]{64}$/);
    assert.equal((await diffOf(T.network, state.net.outs, netIn)).changes, false);
    assert.deepEqual((await diffOf(T.network, state.net.outs, { ...netIn, driver: "overlay" })).replaces, ["driver"]);

    const volIn = await checked(T.volume, { name: `${TAG}-vol`, labels: LABELS });
    state.vol = await p.create!(urn(T.volume, "vol"), volIn);
    assert.equal(state.vol.id, `${TAG}-vol`);
    assert.match(String(state.vol.outs.mountpoint), /\/volumes\//);
    assert.equal((await diffOf(T.volume, state.vol.outs, volIn)).changes, false);
    const relabel = await diffOf(T.volume, state.vol.outs, { ...volIn, labels: [...LABELS, { label: "x", value: "y" }] });
    assert.deepEqual(relabel.replaces, ["labels"]);
  });

  it("creates a service container: uploads before start, healthcheck + wait, 127.0.0.1 ports, labels, secret env", async () => {
    hostPort = await freePort();
    const name = `${TAG}-svc`;
    const inputs = await checked(T.container, {
      name,
      image: IMAGE,
      command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.2; done"],
      user: "root",
      envs: ["PLAIN=1", secret("TOKEN=s3cret")],
      labels: [...LABELS, { label: "kupcake.role", value: "svc" }],
      logDriver: "json-file",
      logOpts: { "max-size": "1m" },
      networksAdvanced: [{ name: `${TAG}-net`, aliases: [name, "svc-alias"] }],
      ports: [
        { internal: 8081, external: hostPort + 1 === 65536 ? hostPort - 1 : hostPort + 1, ip: "127.0.0.1", protocol: "tcp" },
        { internal: 8080, external: hostPort, ip: "127.0.0.1" },
      ],
      mounts: [{ type: "volume", source: `${TAG}-vol`, target: "/data" }],
      uploads: [
        { file: "/etc/kupcake/deep/dir/hello.txt", content: "hello" },
        { file: "/opt/kupcake/run.sh", content: "#!/bin/sh\necho hi\n", executable: true },
        { file: "/run/kupcake/jwt.hex", content: secret("ab".repeat(32)), permissions: "0444" },
      ],
      healthcheck: { tests: ["CMD-SHELL", "test -f /etc/kupcake/deep/dir/hello.txt && test -d /data"], interval: "1s", timeout: "2s", retries: 5 },
      wait: true,
      waitTimeout: 30,
      restart: "unless-stopped",
      stopTimeout: 5,
      destroyGraceSeconds: 5,
    });
    const created = await p.create!(urn(T.container, "svc"), inputs);
    state.svc = { ...created, inputs };
    const outs = created.outs;
    assert.equal(outs.name, name);
    assert.equal(outs.image, IMAGE);
    assert.equal(outs.logDriver, "json-file");
    assert.ok(isSecret((outs.envs as unknown[])[1]), "secret env stays secret in state");
    assert.ok(isSecret((outs.uploads as Props[])[2].content), "secret upload content stays secret in state");
    assert.equal(outs.exitCode, undefined, "running: no exit code");

    const c = await call("GET", `/containers/${created.id}/json`);
    assert.equal(c.State.Health.Status, "healthy");
    assert.equal(c.Config.Labels["kupcake.test"], "provider-docker");
    assert.equal(c.Config.Labels["kupcake.role"], "svc");
    assert.ok(c.Config.Env.includes("TOKEN=s3cret"));
    assert.equal(c.HostConfig.RestartPolicy.Name, "unless-stopped");
    assert.equal(c.HostConfig.LogConfig.Type, "json-file");
    assert.equal(c.HostConfig.LogConfig.Config["max-size"], "1m");
    assert.equal(c.HostConfig.NetworkMode, "bridge");
    assert.deepEqual(c.HostConfig.PortBindings["8080/tcp"], [{ HostIp: "127.0.0.1", HostPort: String(hostPort) }]);
    assert.deepEqual(c.NetworkSettings.Ports["8080/tcp"], [{ HostIp: "127.0.0.1", HostPort: String(hostPort) }]);
    assert.deepEqual(Object.keys(c.NetworkSettings.Networks), [`${TAG}-net`], "moved off the default bridge");
    assert.ok(c.NetworkSettings.Networks[`${TAG}-net`].Aliases.includes("svc-alias"));
    assert.equal(c.Mounts[0].Name, `${TAG}-vol`);
    assert.equal(c.Config.StopTimeout, 5);
    assert.equal(await statMode(created.id, "/etc/kupcake/deep/dir/hello.txt"), 0o644);
    assert.equal(await statMode(created.id, "/opt/kupcake/run.sh"), 0o744);
    assert.equal(await statMode(created.id, "/run/kupcake/jwt.hex"), 0o444);
  });

  it("diffs like the bridge: same inputs no change, ForceNew replace, in-place update, state-only", async () => {
    const { outs, inputs } = state.svc!;
    const again = await checked(T.container, inputs, inputs);
    assert.deepEqual(await diffOf(T.container, outs, again), { changes: false, replaces: [], deleteBeforeReplace: undefined });
    // port order does not matter (the ports DiffSuppressFunc), set order neither
    const reordered = { ...again, ports: [...(again.ports as Props[])].reverse(), labels: [...(again.labels as Props[])].reverse(), envs: [...(again.envs as unknown[])].reverse() };
    assert.equal((await diffOf(T.container, outs, reordered)).changes, false);

    const cmd = await diffOf(T.container, outs, { ...again, command: ["sh", "-c", "sleep 1"] });
    assert.deepEqual(cmd, { changes: true, replaces: ["command"], deleteBeforeReplace: true });
    const secretChanged = await diffOf(T.container, outs, { ...again, envs: ["PLAIN=1", secret("TOKEN=other")] });
    assert.deepEqual(secretChanged.replaces, ["envs"]);
    const unknown = await diffOf(T.container, outs, { ...again, image: UNKNOWN });
    assert.deepEqual(unknown.replaces, ["image"]);
    const port = await diffOf(T.container, outs, { ...again, ports: [(again.ports as Props[])[0]] });
    assert.deepEqual(port.replaces, ["ports"]);
    const restart = await diffOf(T.container, outs, { ...again, restart: "always" });
    assert.deepEqual(restart, { changes: true, replaces: [], deleteBeforeReplace: undefined });
    const hc = await diffOf(T.container, outs, { ...again, healthcheck: { ...(again.healthcheck as Props), interval: "3s" } });
    assert.deepEqual([hc.changes, hc.replaces], [true, []], "healthcheck is state-only");
    const hcFull = await fullDiff(T.container, outs, { ...again, healthcheck: { ...(again.healthcheck as Props), interval: "3s" } });
    assert.deepEqual([hcFull.changed, hcFull.detailed], [["healthcheck"], { healthcheck: "update" }], "changed keys feed replaceOnChanges");
    const { destroyGraceSeconds: _g, ...noGrace } = again;
    const cmdFull = await fullDiff(T.container, outs, { ...noGrace, command: ["x"] });
    assert.deepEqual(cmdFull.detailed, { command: "update-replace", destroyGraceSeconds: "delete" });
    const grace = await diffOf(T.container, outs, { ...again, destroyGraceSeconds: 9, waitTimeout: 99 });
    assert.deepEqual([grace.changes, grace.replaces], [true, []]);
    const user = await diffOf(T.container, outs, { ...again, user: "" });
    assert.equal(user.changes, false, "user: an empty new value is no change");
    // Seen on the real engine: the image's WORKDIR/USER read back into state, input not set.
    const { user: _u, workingDir: _w, ...unset } = again as Props;
    const readBack = await diffOf(T.container, { ...outs, user: "nobody", workingDir: "/prometheus" }, unset);
    assert.equal(readBack.changes, false, "user/workingDir read back from the image, not set as inputs: no change");
    const { logOpts: _drop, ...noLogOpts } = again;
    assert.deepEqual((await diffOf(T.container, outs, noLogOpts)).replaces, ["logOpts"], "removing a non-computed input is a change");
    const { command: _c, entrypoints: _e, ...noCmd } = again;
    assert.equal((await diffOf(T.container, outs, noCmd)).changes, false, "computed inputs left out keep their state");

    const updated = await p.update!(state.svc!.id, urn(T.container, "svc"), outs, { ...again, restart: "always" });
    const c = await call("GET", `/containers/${state.svc!.id}/json`);
    assert.equal(c.HostConfig.RestartPolicy.Name, "always");
    assert.equal(c.State.Running, true);
    assert.equal((await diffOf(T.container, updated.outs, { ...again, restart: "always" })).changes, false);
    state.svc = { ...state.svc!, outs: updated.outs, inputs: { ...again, restart: "always" } };
  });

  it("Read refreshes a running container without a diff, and a stopped one only flips mustRun (update, not replace)", async () => {
    const { id, outs, inputs } = state.svc!;
    const r1 = await p.read!(id, urn(T.container, "svc"), outs);
    assert.equal(r1.id, id);
    assert.equal((await diffOf(T.container, r1.props, inputs)).changes, false);

    await call("POST", `/containers/${id}/stop`, { query: { t: 5 } });
    const r2 = await p.read!(id, urn(T.container, "svc"), r1.props);
    assert.equal(r2.props!.exitCode, 0);
    assert.equal(r2.props!.mustRun, false);
    assert.deepEqual(r2.props!.ports, r1.props!.ports, "ports of a stopped container are not rewritten");
    assert.equal((r1.props!.ports as Props[]).length, 2);
    const d = await diffOf(T.container, r2.props, inputs);
    assert.deepEqual(d, { changes: true, replaces: [], deleteBeforeReplace: undefined });
    const up = await p.update!(id, urn(T.container, "svc"), r2.props, inputs);
    assert.equal((await call("GET", `/containers/${id}/json`)).State.Running, true, "update started it again");
    assert.equal((await diffOf(T.container, up.outs, inputs)).changes, false);
    state.svc = { ...state.svc!, outs: up.outs };
  });

  it("runs one-shot jobs with attach + logs: exit code and demultiplexed stdout/stderr", async () => {
    const job = async (name: string, script: string) => {
      const inputs = await checked(T.container, {
        name: `${TAG}-${name}`,
        image: IMAGE,
        command: ["sh", "-c", script],
        labels: LABELS,
        attach: true,
        logs: true,
        mustRun: false,
        restart: "no",
        networksAdvanced: [{ name: `${TAG}-net`, aliases: [`${TAG}-${name}`] }],
        mounts: [{ type: "volume", source: `${TAG}-vol`, target: "/data", readOnly: true }],
        uploads: [{ file: "/job/in.txt", content: "payload\n" }],
      });
      return { inputs, ...(await p.create!(urn(T.container, name), inputs)) };
    };
    const ok = await job("job-ok", "cat /job/in.txt; sleep 0.3; echo to-stderr >&2; sleep 0.3; echo done");
    assert.equal(ok.outs.exitCode, 0);
    assert.equal(ok.outs.containerLogs, "payload\nto-stderr\ndone\n");
    const failed = await job("job-fail", "echo failing >&2; exit 3");
    assert.equal(failed.outs.exitCode, 3);
    assert.equal(failed.outs.containerLogs, "failing\n");

    // an exited job (mustRun false) refreshes without any diff
    const r = await p.read!(failed.id, urn(T.container, "job-fail"), failed.outs);
    assert.equal(r.props!.exitCode, 3);
    assert.equal((await diffOf(T.container, r.props, failed.inputs)).changes, false);
    assert.equal((await diffOf(T.container, failed.outs, await checked(T.container, failed.inputs, failed.inputs))).changes, false);
    for (const j of [ok, failed]) {
      await p.delete!(j.id, urn(T.container, "job"), j.outs);
      assert.equal(await inspect(`/containers/${j.id}/json`), undefined);
    }
  });

  it("fails a wait on a container that can never become healthy with its last log lines, keeping it in state", async () => {
    const inputs = await checked(T.container, {
      name: `${TAG}-sick`,
      image: IMAGE,
      command: ["sh", "-c", "echo cannot-start-because-reasons >&2; exit 78"],
      labels: LABELS,
      healthcheck: { tests: ["CMD", "false"], interval: "1s", retries: 1 },
      wait: true,
      waitTimeout: 20,
    });
    const started = Date.now();
    const err = (await p.create!(urn(T.container, "sick"), inputs).then(
      () => assert.fail("create should fail"),
      (e) => e,
    )) as Error & { id?: string; properties?: Props };
    assert.match(err.message, /container failed to be in healthy state/);
    assert.match(err.message, /exit code 78/);
    assert.match(err.message, /cannot-start-because-reasons/);
    assert.ok(Date.now() - started < 15_000, "no need to sit out the timeout");
    assert.ok(err.id, "init failure carries the id");
    assert.equal(err.properties!.name, `${TAG}-sick`);
    await p.delete!(err.id!, urn(T.container, "sick"), err.properties!);
    assert.equal(await inspect(`/containers/${err.id}/json`), undefined);
  });

  it("RemoteImage uses a present local image without pulling, and fails clearly for an absent one", async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const inputs = await checked(T.image, { name: IMAGE, keepLocally: true });
    const img = await p.create!(urn(T.image, "debian"), inputs);
    const local = await call("GET", `/images/${encodeURIComponent(IMAGE)}/json`);
    assert.equal(img.outs.imageId, local.Id);
    assert.match(String(img.outs.imageId), /^sha256:[0-9a-f]{64}$/);
    assert.equal(img.id, local.Id + IMAGE);
    assert.equal(img.outs.name, IMAGE);
    assert.equal(img.outs.repoDigest, "");
    const until = Math.floor(Date.now() / 1000) + 1;
    const events = await call("GET", `/events?since=${since}&until=${until}&filters=${encodeURIComponent(JSON.stringify({ type: ["image"], event: ["pull"] }))}`);
    assert.ok(!String(events ?? "").includes(IMAGE), "no pull for a present image");
    assert.equal((await diffOf(T.image, img.outs, inputs)).changes, false);
    assert.deepEqual((await diffOf(T.image, img.outs, { ...inputs, keepLocally: false })).replaces, []);
    assert.deepEqual((await diffOf(T.image, img.outs, { ...inputs, name: "kupcake-e2e/debian:trixie" })).replaces, ["name"]);
    const r = await p.read!(img.id, urn(T.image, "debian"), img.outs);
    assert.equal(r.id, img.id);
    assert.equal(r.props!.imageId, local.Id);
    await p.delete!(img.id, urn(T.image, "debian"), img.outs);
    assert.ok(await inspect(`/images/${encodeURIComponent(IMAGE)}/json`), "keepLocally keeps the image");

    const absent = "kupcake-e2e/definitely-absent:v0";
    await assert.rejects(p.create!(urn(T.image, "absent"), await checked(T.image, { name: absent })), (e: Error) => {
      assert.match(e.message, /kupcake-e2e\/definitely-absent:v0 is not present locally and pulling it failed/);
      return true;
    });
    const gone = await p.read!("x", urn(T.image, "absent"), { name: absent });
    assert.equal(gone.id, "");
  });

  it("deletes the container, volume and network; Read of a deleted resource drops it", async () => {
    const { id, outs } = state.svc!;
    const t0 = Date.now();
    await p.delete!(id, urn(T.container, "svc"), outs);
    assert.ok(Date.now() - t0 < 5_000, "the TERM trap stops it well within destroyGraceSeconds");
    assert.equal(await inspect(`/containers/${id}/json`), undefined);
    assert.equal((await p.read!(id, urn(T.container, "svc"), outs)).id, "");
    await p.delete!(state.vol!.id, urn(T.volume, "vol"), state.vol!.outs);
    assert.equal(await inspect(`/volumes/${state.vol!.id}`), undefined);
    assert.equal((await p.read!(state.vol!.id, urn(T.volume, "vol"), state.vol!.outs)).id, "");
    await p.delete!(state.net!.id, urn(T.network, "net"), state.net!.outs);
    assert.equal(await inspect(`/networks/${state.net!.id}`), undefined);
    assert.equal((await p.read!(state.net!.id, urn(T.network, "net"), state.net!.outs)).id, "");
  });

  it("main.ts starts as a plugin and prints only its port on stdout", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "test/e2e/provider-docker/main.ts")], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let buf = "";
        const timer = setTimeout(() => reject(new Error(`no port within 20s; stdout=${buf}`)), 20_000);
        child.stdout.on("data", (d: Buffer) => {
          buf += d.toString();
          if (buf.includes("\n")) {
            clearTimeout(timer);
            resolve(buf);
          }
        });
        child.on("exit", (code) => reject(new Error(`exited ${code}`)));
      });
      assert.match(out, /^\d+\n$/);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
