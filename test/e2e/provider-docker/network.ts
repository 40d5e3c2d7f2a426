/**
 * docker:index/network:Network as terraform-provider-docker v4.5.0's docker_network
 * (internal/provider/resource_docker_network_funcs.go): create, Read everything back from
 * `docker network inspect` (gone -> dropped), remove retrying while endpoints are still attached.
 * Every input forces replacement; there is no Update.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { call, inspect, isNotFound } from "./dockerApi";
import { asSecretAs, Props, reveal } from "./values";

const labelSet = (m: Record<string, string> | null | undefined) => Object.entries(m ?? {}).map(([label, value]) => ({ label, value }));

function observe(n: any, state: Props): Props {
  const o: Props = {
    name: n.Name,
    labels: labelSet(n.Labels),
    driver: n.Driver,
    internal: n.Internal === true,
    attachable: n.Attachable === true,
    ingress: n.Ingress === true,
    ipv6: n.EnableIPv6 === true,
    ipamDriver: n.IPAM?.Driver ?? "",
    ipamOptions: n.IPAM?.Options ?? null,
    scope: n.Scope,
    options: n.Options ?? {},
    ipamConfigs: ((n.IPAM?.Config ?? []) as any[]).map((c) => {
      const m: Props = {};
      if (c.Subnet) m.subnet = c.Subnet;
      if (c.IPRange) m.ipRange = c.IPRange;
      if (c.Gateway) m.gateway = c.Gateway;
      if (c.AuxiliaryAddresses && Object.keys(c.AuxiliaryAddresses).length) m.auxAddress = c.AuxiliaryAddresses;
      return m;
    }),
  };
  for (const k of Object.keys(o)) o[k] = asSecretAs(state[k], o[k]);
  return o;
}

export async function createNetwork(inputs: Props): Promise<{ id: string; outs: Props }> {
  const p = reveal(inputs) as Props;
  const body: Props = { Name: p.name, CheckDuplicate: true };
  if (Array.isArray(p.labels) && p.labels.length) body.Labels = Object.fromEntries(p.labels.map((l: Props) => [l.label, l.value]));
  if (p.driver) body.Driver = p.driver;
  if (p.options && Object.keys(p.options).length) body.Options = p.options;
  if (p.internal) body.Internal = true;
  if (p.attachable) body.Attachable = true;
  if (p.ingress) body.Ingress = true;
  if (p.ipv6) body.EnableIPv6 = true;
  const ipam: Props = {};
  if (p.ipamDriver) ipam.Driver = p.ipamDriver;
  if (Array.isArray(p.ipamConfigs) && p.ipamConfigs.length) {
    ipam.Config = p.ipamConfigs.map((c: Props) => ({ Subnet: c.subnet ?? "", IPRange: c.ipRange ?? "", Gateway: c.gateway ?? "", AuxiliaryAddresses: c.auxAddress ?? {} }));
  }
  if (p.ipamOptions && Object.keys(p.ipamOptions).length) ipam.Options = p.ipamOptions;
  if (Object.keys(ipam).length) body.IPAM = ipam;
  let id: string;
  try {
    id = (await call<{ Id: string }>("POST", "/networks/create", { json: body })).Id;
  } catch (e) {
    throw new Error(`Unable to create network: ${(e as Error).message}`);
  }
  const n = await call("GET", `/networks/${id}`);
  return { id, outs: { ...inputs, ...observe(n, inputs) } };
}

export async function readNetwork(id: string, state: Props): Promise<{ id: string; props: Props }> {
  const n = await inspect(`/networks/${encodeURIComponent(id)}`);
  if (!n) return { id: "", props: {} };
  const props = { ...state, ...observe(n, state) };
  return { id: n.Id, props };
}

export async function deleteNetwork(id: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await call("DELETE", `/networks/${encodeURIComponent(id)}`);
      return;
    } catch (e) {
      if (isNotFound(e)) return;
      if (!/has active endpoints/.test((e as Error).message) || Date.now() > deadline) throw new Error(`Unable to remove network ${id}: ${(e as Error).message}`);
      await sleep(1000);
    }
  }
}
