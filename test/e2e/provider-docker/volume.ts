/**
 * docker:index/volume:Volume as terraform-provider-docker v4.5.0's docker_volume
 * (internal/provider/resource_docker_volume.go): create (id = volume name), Read back name,
 * labels, driver, options and mountpoint (gone -> dropped), remove with force, retrying while the
 * volume is still in use.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { call, inspect, isNotFound } from "./dockerApi";
import { asSecretAs, Props, reveal } from "./values";

function observe(v: any, state: Props): Props {
  const o: Props = {
    name: v.Name,
    labels: Object.entries((v.Labels ?? {}) as Record<string, string>).map(([label, value]) => ({ label, value })),
    driver: v.Driver,
    driverOpts: v.Options ?? null,
    mountpoint: v.Mountpoint,
  };
  for (const k of Object.keys(o)) o[k] = asSecretAs(state[k], o[k]);
  return o;
}

export async function createVolume(inputs: Props): Promise<{ id: string; outs: Props }> {
  const p = reveal(inputs) as Props;
  const body: Props = {};
  if (p.name) body.Name = p.name;
  if (Array.isArray(p.labels) && p.labels.length) body.Labels = Object.fromEntries(p.labels.map((l: Props) => [l.label, l.value]));
  if (p.driver) body.Driver = p.driver;
  if (p.driverOpts && Object.keys(p.driverOpts).length) body.DriverOpts = p.driverOpts;
  let v: any;
  try {
    v = await call("POST", "/volumes/create", { json: body });
  } catch (e) {
    throw new Error(`Unable to create volume: ${(e as Error).message}`);
  }
  return { id: v.Name, outs: { ...inputs, ...observe(v, inputs) } };
}

export async function readVolume(id: string, state: Props): Promise<{ id: string; props: Props }> {
  const v = await inspect(`/volumes/${encodeURIComponent(id)}`);
  if (!v) return { id: "", props: {} };
  const props = { ...state, ...observe(v, state) };
  return { id: v.Name, props };
}

export async function deleteVolume(id: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await call("DELETE", `/volumes/${encodeURIComponent(id)}`, { query: { force: true } });
      return;
    } catch (e) {
      if (isNotFound(e)) return;
      if (!/volume is in use/.test((e as Error).message) || Date.now() > deadline) throw new Error(`Unable to remove volume ${id}: ${(e as Error).message}`);
      await sleep(2000);
    }
  }
}
