import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { L1_READY_FILE } from "../../components/builders/anvil";
import { sleep } from "../../components/dynamic/rpc";
import { L1Command, L1Node, STATE_FILE, dumpedHeadOf, freePort } from "../helpers/l1Process";
import { MissingPrerequisite, REPO, requireEngine, run } from "./harness";
import { call, demux, raw } from "./provider-docker/dockerApi";

/**
 * The L1 container of the plan run for real: the plan's image (the local build of the pinned
 * foundry release, test/e2e/images.sh), entrypoint, command and user, its /data volume a bind
 * mount the test can read, its RPC port published on 127.0.0.1. Kills, stops and starts go
 * through the Docker Engine API (`POST /containers/{id}/kill|stop|start`), as `docker kill`,
 * `docker stop`, a restart policy or `npm run start` do.
 */

/** Label on every container this runner creates, so a crashed run's leftovers can be found. */
const LABEL = "kupcake-e2e.l1-container";
const created = new Set<string>();
const root = mkdtempSync(join(tmpdir(), "kupcake-anvil-container-"));
after(async () => {
  for (const id of created) await raw("DELETE", `/containers/${id}`, { query: { force: true, v: true } }).catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

let anvilImage: Promise<string> | undefined;
/** The local image that stands for the pinned foundry image (built or reused by test/e2e/images.sh). */
function image(): Promise<string> {
  anvilImage ??= (async () => {
    requireEngine();
    const out = join(root, "images.json");
    const r = await run(["bash", join(REPO, "test/e2e/images.sh"), "--out", out], { cwd: REPO });
    if (r.code !== 0) throw new MissingPrerequisite(`test/e2e/images.sh failed (exit ${r.code}): ${r.stderr.slice(-2000)}`);
    const map = JSON.parse(readFileSync(out, "utf8")) as Record<string, string>;
    assert.ok(map.anvil, "images.sh maps the anvil service to a local image");
    return map.anvil;
  })();
  return anvilImage;
}

/** Exit code of a one-off command inside the running container (`docker exec`). */
async function exec(id: string, cmd: string[]): Promise<number> {
  const { Id } = await call<{ Id: string }>("POST", `/containers/${id}/exec`, { json: { Cmd: cmd, AttachStdout: false, AttachStderr: false } });
  await call("POST", `/exec/${Id}/start`, { json: { Detach: false, Tty: false } });
  // Without an attached stream the start may return before the command ends (ExitCode null then).
  for (let i = 0; ; i++) {
    const r = await call<{ Running: boolean; ExitCode: number | null }>("GET", `/exec/${Id}/json`);
    if (!r.Running && r.ExitCode !== null) return r.ExitCode;
    if (i >= 200) throw new Error(`docker exec ${cmd.join(" ")} did not finish within 10 s`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

const state = (id: string) => call<{ State: { Running: boolean; ExitCode: number; StartedAt: string } }>("GET", `/containers/${id}/json`).then((c) => c.State);

/** An L1 in a real container; same contract as the host runner (test/helpers/l1Process.ts). */
export class ContainerL1 implements L1Node {
  readonly url: string;
  private startedAt = 0;
  private constructor(
    readonly id: string,
    readonly dir: string,
    port: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Creates (not starts) the container with the plan's exact entrypoint, command and user. */
  static async create(name: string, cmd: L1Command, user = "root"): Promise<ContainerL1> {
    const img = await image();
    const dir = mkdtempSync(join(root, `${name}-`));
    chmodSync(dir, 0o777);
    const port = await freePort();
    const { Id } = await call<{ Id: string }>("POST", "/containers/create", {
      query: { name: `kupcake-e2e-l1-${name}-${process.pid}` },
      json: {
        Image: img,
        Entrypoint: cmd.entrypoints,
        Cmd: cmd.command,
        User: user,
        Labels: { [LABEL]: String(process.pid) },
        ExposedPorts: { "8545/tcp": {} },
        HostConfig: { Binds: [`${dir}:/data`], PortBindings: { "8545/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }] } },
      },
    });
    created.add(Id);
    return new ContainerL1(Id, dir, port);
  }

  file(name: string): string {
    return join(this.dir, name);
  }

  inside(name: string): string {
    return `/data/${name}`;
  }

  async log(): Promise<string> {
    // Since the last start only, like the host runner's stderr of the current process.
    const r = await raw("GET", `/containers/${this.id}/logs`, { query: { stdout: 1, stderr: 1, since: (this.startedAt / 1000).toFixed(3) } });
    return r.status === 200 ? demux(r.body) : `(docker logs answered ${r.status})`;
  }

  /** `POST /containers/{id}/start`; resolves with the engine's StartedAt of this start. */
  private async boot(): Promise<string> {
    this.startedAt = Date.now(); // the engine runs on this host: one clock
    await call("POST", `/containers/${this.id}/start`, { ok: [304] });
    return (await state(this.id)).StartedAt;
  }

  async start(readyWithinMs = 30_000): Promise<number> {
    const t0 = Date.now();
    await this.boot();
    for (;;) {
      const s = await state(this.id);
      if (!s.Running) assert.fail(`the L1 container exited ${s.ExitCode}: ${await this.log()}`);
      // The plan's healthcheck tests this file first; /dev/shm is a fresh tmpfs at every container start.
      if ((await exec(this.id, ["test", "-f", L1_READY_FILE])) === 0) return Date.now() - t0;
      if (Date.now() - t0 > readyWithinMs) assert.fail(`L1 container not ready after ${readyWithinMs} ms: ${await this.log()}`);
      await sleep(100);
    }
  }

  async startExpectingExit(): Promise<number> {
    const startedAt = await this.boot();
    const t0 = Date.now();
    for (;;) {
      const s = await state(this.id);
      if (!s.Running && s.StartedAt === startedAt) return s.ExitCode;
      if ((await exec(this.id, ["test", "-f", L1_READY_FILE]).catch(() => 1)) === 0) assert.fail("the L1 became ready");
      if (Date.now() - t0 > 20_000) assert.fail(`the L1 container did not exit within 20 s: ${await this.log()}`);
      await sleep(100);
    }
  }

  async kill(): Promise<void> {
    if (!(await state(this.id)).Running) return;
    await call("POST", `/containers/${this.id}/kill`, { query: { signal: "SIGKILL" }, ok: [409] });
    await call("POST", `/containers/${this.id}/wait`, { query: { condition: "not-running" } });
  }

  async stop(): Promise<number> {
    await call("POST", `/containers/${this.id}/stop`, { query: { t: 30 }, ok: [304] });
    return (await state(this.id)).ExitCode;
  }

  dumpedHead(name = STATE_FILE): number {
    return dumpedHeadOf(this.file(name));
  }

  async anvilStateDirs(): Promise<number> {
    // The count comes back as the exit code (the API's exec gives no output without attaching).
    return exec(this.id, ["/bin/sh", "-c", 'exit $(ls -A "$HOME/.foundry/anvil/tmp" 2>/dev/null | wc -l)']);
  }
}
