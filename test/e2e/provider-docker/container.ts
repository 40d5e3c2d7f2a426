/**
 * docker:index/container:Container with the lifecycle of terraform-provider-docker v4.5.0's
 * docker_container (internal/provider/resource_docker_container_funcs.go): the image is looked up
 * (pulled when absent), the container created on the default bridge, moved to its
 * networksAdvanced, files uploaded before start, started, then optionally waited for `healthy`
 * (wait) and/or for its end (attach, logs); state is the checked inputs plus what the provider's
 * Read observes. Update applies restart policy changes with `docker update` and starts a stopped
 * container when mustRun goes false -> true; everything else is replace or state-only (schema.ts).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { CheckFailure } from "@pulumi/pulumi/provider";
import { call, containerLogs, DockerError, inspect, isNotFound } from "./dockerApi";
import { check, diff } from "./diff";
import { findImage } from "./image";
import { CONTAINER } from "./schema";
import { tar } from "./tar";
import { asSecretAs, containsUnknown, Props, reveal, UNKNOWN, wire } from "./values";

const log = (msg: string) => process.stderr.write(`[docker stand-in] ${msg}\n`);

// ---- Go durations (healthcheck strings are time.ParseDuration input, stored as Duration.String()) --

const UNITS: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

export function parseGoDuration(s: string): number | undefined {
  if (s === "0") return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let i = 0;
  let total = 0;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    sign = s[0] === "-" ? -1 : 1;
    i = 1;
  }
  if (i >= s.length) return undefined;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNITS[m[2]];
    i = re.lastIndex;
  }
  return Math.round(sign * total);
}

export function formatGoDuration(ns: number): string {
  if (ns === 0) return "0s";
  const neg = ns < 0 ? "-" : "";
  let u = Math.abs(Math.round(ns));
  const frac = (v: number, digits: number) => {
    const whole = Math.floor(v / 10 ** digits);
    const rest = (v % 10 ** digits).toString().padStart(digits, "0").replace(/0+$/, "");
    return rest ? `${whole}.${rest}` : `${whole}`;
  };
  if (u < 1e3) return `${neg}${u}ns`;
  if (u < 1e6) return `${neg}${frac(u, 3)}µs`;
  if (u < 1e9) return `${neg}${frac(u, 6)}ms`;
  const h = Math.floor(u / 3600e9);
  u -= h * 3600e9;
  const m = Math.floor(u / 60e9);
  u -= m * 60e9;
  return `${neg}${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${frac(u, 9)}s`;
}

// ---- Check ------------------------------------------------------------------------------------

export function checkContainer(urn: string, olds: Props, news: Props): { inputs: Props; failures: CheckFailure[] } {
  const res = check(CONTAINER, urn, olds, news);
  const f = res.failures;
  const hc = reveal(res.inputs.healthcheck) as Props | undefined;
  if (hc && typeof hc === "object") {
    for (const k of ["interval", "timeout", "startPeriod", "startInterval"]) {
      const v = hc[k];
      if (typeof v === "string" && v !== UNKNOWN && (parseGoDuration(v) === undefined || parseGoDuration(v)! < 0)) {
        f.push({ property: `healthcheck.${k}`, reason: `"${v}" is not a duration >= 0 (e.g. "2s", "500ms", "1m30s")` });
      }
    }
  }
  const uploads = reveal(res.inputs.uploads);
  if (Array.isArray(uploads)) {
    uploads.forEach((u: Props, i: number) => {
      if (containsUnknown(u) || typeof u !== "object" || u === null) return;
      if (!u.file) f.push({ property: `uploads[${i}].file`, reason: "Missing required property 'file'" });
      const given = ["content", "contentBase64", "source"].filter((k) => typeof u[k] === "string" && u[k] !== "");
      if (given.length > 1) f.push({ property: `uploads[${i}]`, reason: "only one of 'content', 'content_base64', or 'source' can be set" });
      if (u.permissions !== undefined && u.permissions !== null && !/^0[0-7]{3}$/.test(String(u.permissions))) {
        f.push({ property: `uploads[${i}].permissions`, reason: `"${u.permissions}" must match ^0[0-7]{3}$` });
      }
      if (u.owner !== undefined || u.group !== undefined) f.push({ property: `uploads[${i}]`, reason: "owner/group are not implemented by the kupcake docker stand-in provider" });
    });
  }
  const mounts = reveal(res.inputs.mounts);
  if (Array.isArray(mounts)) {
    mounts.forEach((m: Props, i: number) => {
      if (containsUnknown(m) || typeof m !== "object" || m === null) return;
      if (!/^(bind|volume|tmpfs)$/.test(String(m.type))) f.push({ property: `mounts[${i}].type`, reason: `"${m.type}" must be one of bind, volume, tmpfs` });
      if (!m.target) f.push({ property: `mounts[${i}].target`, reason: "Missing required property 'target'" });
      for (const k of ["bindOptions", "volumeOptions", "tmpfsOptions"]) {
        if (m[k] !== undefined && m[k] !== null) f.push({ property: `mounts[${i}].${k}`, reason: `"${k}" is not implemented by the kupcake docker stand-in provider` });
      }
    });
  }
  return res;
}

// ---- Docker payloads --------------------------------------------------------------------------

function labelMap(labels: unknown): Record<string, string> | undefined {
  if (!Array.isArray(labels) || labels.length === 0) return undefined;
  return Object.fromEntries(labels.map((l: Props) => [String(l.label), String(l.value)]));
}

function createBody(p: Props): Props {
  const config: Props = {
    Image: p.image,
    Hostname: p.hostname ?? "",
    Domainname: "",
    Tty: p.tty === true,
    OpenStdin: p.stdinOpen === true,
    StopSignal: "",
  };
  if (typeof p.stopTimeout === "number" && p.stopTimeout !== 0) config.StopTimeout = p.stopTimeout;
  if (Array.isArray(p.envs) && p.envs.length) config.Env = p.envs;
  if (Array.isArray(p.command) && p.command.length) {
    if (p.command.some((c) => c === "")) throw new Error("values for command may not be empty");
    config.Cmd = p.command;
  }
  if (Array.isArray(p.entrypoints) && p.entrypoints.length) config.Entrypoint = p.entrypoints;
  if (typeof p.user === "string" && p.user) config.User = p.user;
  const exposed: Props = {};
  const bindings: Record<string, Props[]> = {};
  for (const port of (p.ports as Props[] | undefined) ?? []) {
    const key = `${port.internal}/${port.protocol ?? "tcp"}`;
    exposed[key] = {};
    const b: Props = {};
    if (typeof port.external === "number") b.HostPort = String(port.external);
    if (typeof port.ip === "string") b.HostIp = port.ip;
    if (Object.keys(b).length) (bindings[key] ??= []).push(b);
  }
  if (Object.keys(exposed).length) config.ExposedPorts = exposed;
  const labels = labelMap(p.labels);
  if (labels) config.Labels = labels;
  const hc = p.healthcheck as Props | undefined;
  if (hc && typeof hc === "object" && Object.keys(hc).length) {
    config.Healthcheck = {
      Test: Array.isArray(hc.tests) ? hc.tests : undefined,
      Interval: parseGoDuration(String(hc.interval ?? "0s")) ?? 0,
      Timeout: parseGoDuration(String(hc.timeout ?? "0s")) ?? 0,
      StartPeriod: parseGoDuration(String(hc.startPeriod ?? "0s")) ?? 0,
      StartInterval: parseGoDuration(String(hc.startInterval ?? "0s")) ?? 0,
      Retries: typeof hc.retries === "number" ? hc.retries : 0,
    };
  }
  const mounts = ((p.mounts as Props[] | undefined) ?? []).map((m) => ({
    Type: m.type,
    Target: m.target,
    Source: m.source ?? "",
    ...(m.readOnly !== undefined && m.readOnly !== null ? { ReadOnly: m.readOnly === true } : {}),
  }));
  const hostConfig: Props = {
    Privileged: false,
    PublishAllPorts: false,
    RestartPolicy: { Name: p.restart ?? "no", MaximumRetryCount: typeof p.maxRetryCount === "number" ? p.maxRetryCount : 0 },
    Runtime: "",
    Mounts: mounts,
    AutoRemove: p.rm === true,
    ReadonlyRootfs: p.readOnly === true,
    LogConfig: { Type: typeof p.logDriver === "string" ? p.logDriver : "", ...(p.logOpts && Object.keys(p.logOpts).length ? { Config: p.logOpts } : {}) },
    NetworkMode: typeof p.networkMode === "string" && p.networkMode ? p.networkMode : undefined,
    Init: false,
  };
  if (typeof p.memoryReservation === "number" && p.memoryReservation > 0) hostConfig.MemoryReservation = p.memoryReservation * 1024 * 1024;
  if (Object.keys(bindings).length) hostConfig.PortBindings = bindings;
  return { ...config, HostConfig: hostConfig, NetworkingConfig: {} };
}

function uploadMode(u: Props): number {
  if (typeof u.permissions === "string" && u.permissions !== "") return parseInt(u.permissions, 8);
  return u.executable === true ? 0o744 : 0o644;
}

async function uploadFiles(id: string, uploads: Props[]): Promise<void> {
  for (const u of uploads) {
    const given = ["content", "contentBase64", "source"].filter((k) => typeof u[k] === "string" && u[k] !== "");
    if (given.length === 0) throw new Error("error with upload content: one of 'content', 'content_base64', or 'source' must be set");
    if (given.length > 1) throw new Error("error with upload content: only one of 'content', 'content_base64', or 'source' can be set");
    let content: Buffer;
    if (given[0] === "content") content = Buffer.from(String(u.content), "utf8");
    else if (given[0] === "contentBase64") content = Buffer.from(String(u.contentBase64), "base64");
    else {
      const { readFileSync } = await import("node:fs");
      content = readFileSync(String(u.source));
    }
    const archive = tar([{ path: String(u.file), content, mode: uploadMode(u) }]);
    try {
      await call("PUT", `/containers/${id}/archive`, { query: { path: "/" }, body: archive, contentType: "application/x-tar" });
    } catch (e) {
      throw new Error(`Unable to upload volume content: ${(e as Error).message}`);
    }
  }
}

// ---- what the provider's Read observes --------------------------------------------------------

const MiB = 1024 * 1024;

function flattenPorts(ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null | undefined): Props[] {
  const keys = Object.keys(ports ?? {}).sort((a, b) => {
    const [pa, qa] = a.split("/");
    const [pb, qb] = b.split("/");
    return Number(pa) - Number(pb) || qa.localeCompare(qb);
  });
  const out: Props[] = [];
  for (const key of keys) {
    const [internal, protocol] = key.split("/");
    for (const b of ports?.[key] ?? []) out.push({ internal: Number(internal), external: Number(b.HostPort) || 0, ip: b.HostIp, protocol });
  }
  return out;
}

function nonEmpty(v: unknown): boolean {
  const r = reveal(v);
  if (r === undefined || r === null || r === "" || r === 0 || r === false) return false;
  if (Array.isArray(r)) return r.length > 0;
  if (typeof r === "object") return Object.keys(r).length > 0;
  return true;
}

/**
 * The properties the provider's Read sets from `docker inspect`, given the stored state.
 * Deliberate difference from v4.5.0: ports are re-read only while the container runs (v4.5.0 also
 * re-reads them for a stopped must_run container, which yields an empty list and a replace).
 */
export function observe(c: any, state: Props): Props {
  const hc = c.Config?.Healthcheck;
  const running = c.State?.Running === true;
  const o: Props = {
    name: String(c.Name ?? "").replace(/^\/+/, ""),
    rm: c.HostConfig?.AutoRemove === true,
    readOnly: c.HostConfig?.ReadonlyRootfs === true,
    image: String(reveal(state.image) ?? "").startsWith("sha256:") ? c.Image : c.Config?.Image,
    hostname: c.Config?.Hostname ?? "",
    domainname: c.Config?.Domainname ?? "",
    command: c.Config?.Cmd ?? [],
    entrypoints: c.Config?.Entrypoint ?? [],
    user: c.Config?.User ?? "",
    dns: c.HostConfig?.Dns ?? [],
    dnsOpts: c.HostConfig?.DnsOptions ?? [],
    securityOpts: c.HostConfig?.SecurityOpt ?? [],
    dnsSearches: c.HostConfig?.DnsSearch ?? [],
    publishAllPorts: c.HostConfig?.PublishAllPorts === true,
    restart: c.HostConfig?.RestartPolicy?.Name ?? "",
    maxRetryCount: c.HostConfig?.RestartPolicy?.MaximumRetryCount ?? 0,
    init: c.HostConfig?.Init ?? false,
    workingDir: c.Config?.WorkingDir ?? "",
    runtime: c.HostConfig?.Runtime ?? "",
    platform: c.Platform ?? "",
    mounts: ((c.HostConfig?.Mounts ?? []) as any[]).map((m) => ({ target: m.Target, source: m.Source ?? "", type: m.Type, readOnly: m.ReadOnly === true })),
    tmpfs: c.HostConfig?.Tmpfs ?? null,
    hosts: ((c.HostConfig?.ExtraHosts ?? []) as string[]).map((h) => {
      const i = h.indexOf(":");
      return { host: h.slice(0, i), ip: h.slice(i + 1) };
    }),
    privileged: c.HostConfig?.Privileged === true,
    memory: Math.floor((c.HostConfig?.Memory ?? 0) / MiB),
    memoryReservation: c.HostConfig?.MemoryReservation > 0 ? Math.floor(c.HostConfig.MemoryReservation / MiB) : (c.HostConfig?.MemoryReservation ?? 0),
    memorySwap: c.HostConfig?.MemorySwap > 0 ? Math.floor(c.HostConfig.MemorySwap / MiB) : (c.HostConfig?.MemorySwap ?? 0),
    shmSize: Math.floor((c.HostConfig?.ShmSize ?? 0) / MiB),
    cpuShares: c.HostConfig?.CpuShares ?? 0,
    cpuSet: c.HostConfig?.CpusetCpus ?? "",
    logDriver: c.HostConfig?.LogConfig?.Type ?? "",
    logOpts: nonEmpty(state.logOpts) ? (c.HostConfig?.LogConfig?.Config ?? null) : null,
    storageOpts: c.HostConfig?.StorageOpt ?? null,
    networkMode: c.HostConfig?.NetworkMode ?? "",
    usernsMode: c.HostConfig?.UsernsMode ?? "",
    sysctls: c.HostConfig?.Sysctls ?? null,
    ipcMode: c.HostConfig?.IpcMode ?? "",
    groupAdds: c.HostConfig?.GroupAdd ?? [],
    tty: c.Config?.Tty === true,
    stdinOpen: c.Config?.OpenStdin === true,
    stopSignal: c.Config?.StopSignal ?? "",
    stopTimeout: c.Config?.StopTimeout ?? null,
    bridge: c.NetworkSettings?.Bridge ?? "",
    networkDatas: Object.entries((c.NetworkSettings?.Networks ?? {}) as Record<string, any>).map(([networkName, n]) => ({
      networkName,
      ipAddress: n.IPAddress ?? "",
      ipPrefixLength: n.IPPrefixLen ?? 0,
      gateway: n.Gateway ?? "",
      globalIpv6Address: n.GlobalIPv6Address ?? "",
      globalIpv6PrefixLength: n.GlobalIPv6PrefixLen ?? 0,
      ipv6Gateway: n.IPv6Gateway ?? "",
      macAddress: n.MacAddress ?? "",
    })),
  };
  if (nonEmpty(state.pidMode)) o.pidMode = c.HostConfig?.PidMode ?? "";
  if (hc) {
    o.healthcheck = {
      tests: hc.Test ?? [],
      interval: formatGoDuration(hc.Interval ?? 0),
      timeout: formatGoDuration(hc.Timeout ?? 0),
      startPeriod: formatGoDuration(hc.StartPeriod ?? 0),
      startInterval: formatGoDuration(hc.StartInterval ?? 0),
      retries: hc.Retries ?? 0,
    };
  }
  if (running && nonEmpty(state.ports)) o.ports = flattenPorts(c.NetworkSettings?.Ports);
  if (!running) {
    o.exitCode = c.State?.ExitCode ?? 0;
    // A stopped container that must run: state says mustRun=false so the next up starts it (Update).
    if (reveal(state.mustRun) === true) o.mustRun = false;
  }
  // Observed values replacing inputs that held a secret stay secret.
  for (const k of Object.keys(o)) o[k] = asSecretAs(state[k], o[k]);
  return o;
}

// ---- lifecycle --------------------------------------------------------------------------------

class InitError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Props,
  ) {
    super(message);
  }
  get reasons(): string[] {
    return [this.message];
  }
}

async function lastLines(id: string, n = 20): Promise<string> {
  try {
    return (await containerLogs(id, n)).trimEnd();
  } catch {
    return "(logs unavailable)";
  }
}

async function waitHealthy(id: string, name: string, timeoutSeconds: number): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let c: any;
  for (;;) {
    c = await call("GET", `/containers/${id}/json`);
    const health = c.State?.Health;
    if (!health) {
      throw new Error("you have supplied a 'wait' argument, but the container does not have a healthcheck defined. Please remove the 'wait' argument or add a 'healthcheck' attribute");
    }
    if (health.Status === "healthy") return;
    // Stand-in shortcut: a container that stopped and will not be restarted can never become healthy.
    const gone = !c.State.Running && !c.State.Restarting && (c.HostConfig?.RestartPolicy?.Name ?? "no") === "no";
    if (gone || Date.now() >= deadline) break;
    await sleep(1000);
  }
  const health = c.State?.Health;
  const probe = health?.Log?.length ? String(health.Log[health.Log.length - 1].Output ?? "").trim() : "";
  const state = c.State?.Running ? `running, health ${health?.Status}` : `${c.State?.Status} (exit code ${c.State?.ExitCode})`;
  throw new Error(
    `container failed to be in healthy state: ${name} is ${state} after ${timeoutSeconds}s wait_timeout` +
      (probe ? `\nlast healthcheck output: ${probe}` : "") +
      `\nlast log lines:\n${await lastLines(id)}`,
  );
}

export async function createContainer(inputs: Props): Promise<{ id: string; outs: Props }> {
  const p = reveal(inputs) as Props;
  const image = String(p.image);
  try {
    await findImage(image, "");
  } catch (e) {
    throw new Error(`Unable to create container with image ${image}: ${(e as Error).message}`);
  }
  let id: string;
  try {
    const res = await call<{ Id: string }>("POST", "/containers/create", { query: { name: String(p.name) }, json: createBody(p) });
    id = res.Id;
  } catch (e) {
    throw new Error(`Unable to create container: ${(e as Error).message}`);
  }
  log(`created container ${p.name} (${id.slice(0, 12)})`);
  const outs: Props = { ...inputs };
  try {
    const networks = (p.networksAdvanced as Props[] | undefined) ?? [];
    if (networks.length) {
      try {
        await call("POST", "/networks/bridge/disconnect", { json: { Container: id, Force: false } });
      } catch (e) {
        if (!/is not connected to the network/.test((e as Error).message)) throw new Error(`Unable to disconnect the default network: ${(e as Error).message}`);
      }
      for (const n of networks) {
        const endpoint: Props = { IPAMConfig: {} };
        if (Array.isArray(n.aliases) && n.aliases.length) endpoint.Aliases = n.aliases;
        if (n.ipv4Address) (endpoint.IPAMConfig as Props).IPv4Address = n.ipv4Address;
        if (n.ipv6Address) (endpoint.IPAMConfig as Props).IPv6Address = n.ipv6Address;
        try {
          await call("POST", `/networks/${encodeURIComponent(String(n.name))}/connect`, { json: { Container: id, EndpointConfig: endpoint } });
        } catch (e) {
          throw new Error(`Unable to connect to network '${n.name}': ${(e as Error).message}`);
        }
      }
    }
    if (Array.isArray(p.uploads) && p.uploads.length) await uploadFiles(id, p.uploads as Props[]);
    if (p.start !== false) {
      try {
        await call("POST", `/containers/${id}/start`);
      } catch (e) {
        throw new Error(`Unable to start container: ${(e as Error).message}`);
      }
      if (p.wait === true) await waitHealthy(id, String(p.name), typeof p.waitTimeout === "number" ? p.waitTimeout : 60);
    }
    if (p.attach === true) {
      try {
        await call("POST", `/containers/${id}/wait`, { query: { condition: "not-running" } });
      } catch (e) {
        throw new Error(`Unable to wait container end of execution: ${(e as Error).message}`);
      }
      if (p.logs === true) outs.containerLogs = await containerLogs(id, undefined, p.tty === true);
    }
    const c = await inspect(`/containers/${id}/json`);
    if (c) Object.assign(outs, observe(c, outs));
    return { id, outs };
  } catch (e) {
    // The container exists: hand it to the engine as a resource that failed to initialise, so it
    // is in state (and destroyed/replaced later) instead of leaking with its fixed name.
    try {
      const c = await inspect(`/containers/${id}/json`);
      if (c) Object.assign(outs, observe(c, outs));
    } catch {
      /* best effort */
    }
    throw new InitError((e as Error).message, id, wire(outs));
  }
}

export async function readContainer(id: string, state: Props): Promise<{ id: string; props: Props }> {
  const c = await inspect(`/containers/${encodeURIComponent(id)}/json`);
  if (!c) return { id: "", props: {} };
  const props = { ...state, ...observe(c, state) };
  return { id: c.Id, props };
}

const IN_PLACE = ["restart", "maxRetryCount", "cpuShares", "memory", "memoryReservation", "cpuSet", "memorySwap", "deviceReadBps", "deviceReadIops", "deviceWriteBps", "deviceWriteIops"];

export async function updateContainer(id: string, olds: Props, news: Props): Promise<Props> {
  const d = diff(CONTAINER, olds, news);
  const n = reveal(news) as Props;
  if (d.changed.includes("mustRun") && reveal(olds.mustRun) === false && n.mustRun === true && n.start !== false) {
    try {
      await call("POST", `/containers/${id}/start`, { ok: [304] });
    } catch (e) {
      throw new Error(`Unable to start container: ${(e as Error).message}`);
    }
    log(`started container ${n.name} (mustRun false -> true)`);
  }
  if (d.changed.some((k) => IN_PLACE.includes(k))) {
    const body: Props = { RestartPolicy: { Name: n.restart ?? "no", MaximumRetryCount: typeof n.maxRetryCount === "number" ? n.maxRetryCount : 0 } };
    try {
      await call("POST", `/containers/${id}/update`, { json: body });
    } catch (e) {
      throw new Error(`Unable to update a container: ${(e as Error).message}`);
    }
  }
  const outs: Props = { ...olds };
  for (const [k, p] of Object.entries(CONTAINER.props)) {
    if (p.kind === "output") continue;
    if (news[k] !== undefined) outs[k] = news[k];
    else if (!p.computed) delete outs[k];
  }
  return outs;
}

const ignorable = (e: unknown, ...msgs: string[]) => isNotFound(e) || (e instanceof Error && msgs.some((m) => e.message.includes(m)));

export async function deleteContainer(id: string, state: Props): Promise<void> {
  const p = reveal(state) as Props;
  const cid = encodeURIComponent(id);
  if (p.attach !== true) {
    const t = typeof p.destroyGraceSeconds === "number" && p.destroyGraceSeconds > 0 ? p.destroyGraceSeconds : 0;
    try {
      await call("POST", `/containers/${cid}/stop`, { query: { t }, ok: [304] });
    } catch (e) {
      if (!ignorable(e, "No such container")) throw new Error(`Error stopping container ${id}: ${(e as Error).message}`);
    }
  }
  try {
    await call("DELETE", `/containers/${cid}`, { query: { force: true, v: p.removeVolumes !== false } });
  } catch (e) {
    if (!ignorable(e, "No such container", "is already in progress")) throw new Error(`Error deleting container ${id}: ${(e as Error).message}`);
  }
  try {
    await call("POST", `/containers/${cid}/wait`, { query: { condition: p.rm === true ? "removed" : "not-running" } });
  } catch (e) {
    if (!ignorable(e, "No such container", "is already in progress")) throw new Error(`Error waiting for container removal '${id}': ${(e as Error).message}`);
  }
  log(`removed container ${p.name ?? id}`);
}

export { DockerError };
