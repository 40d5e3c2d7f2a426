import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { conductorRef } from "../components/conductor";
import { DevnetConfig } from "../components/config/schema";
import { hostUrl } from "../components/containers";
import { namesFor } from "../components/naming";
import { nodeHostPorts } from "../components/ports";
import { nodeHostEndpoints } from "../components/sequencerSet";
import { planConfig } from "../plan/run";

/** One L2 node as the operator scripts reach it from the host. */
export interface NodeEndpoint {
  role: "sequencer" | "validator";
  index: number;
  opReth: string;
  konaNode: string;
  /** op-reth RPC on the host. */
  rpc: string;
  /** op-reth WebSocket on the host. */
  ws: string;
  /** kona-node RPC on the host. */
  kona: string;
  /** Conductor RPC on the host (sequencers with conductors only). */
  conductorRpc?: string;
  conductor?: string;
}

export interface DevnetEndpoints {
  network: string;
  l1Rpc: string;
  sequencers: NodeEndpoint[];
  validators: NodeEndpoint[];
  /** Where the endpoints came from: the stack outputs, or the stack config when no state is readable. */
  source: "stack outputs" | "stack config";
}

/** Endpoints derived from the validated config: the same rules the program uses for ports and names. */
export function endpointsFromConfig(cfg: DevnetConfig): DevnetEndpoints {
  const n = namesFor(cfg.network);
  const node = (role: "sequencer" | "validator", index: number): NodeEndpoint => {
    const h = nodeHostEndpoints(cfg, { role, index, opRethName: n.opReth(role, index) });
    const withConductor = role === "sequencer" && cfg.sequencerCount > 1;
    return {
      role,
      index,
      opReth: n.opReth(role, index),
      konaNode: n.konaNode(role, index),
      rpc: h.rpc,
      ws: h.ws,
      kona: hostUrl(cfg.bindAddress, nodeHostPorts(cfg, role, index).konaRpc),
      ...(withConductor ? { conductor: n.conductor(index), conductorRpc: conductorRef(cfg, index).rpcUrl } : {}),
    };
  };
  return {
    network: cfg.network,
    l1Rpc: hostUrl(cfg.bindAddress, cfg.ports.l1Rpc),
    sequencers: Array.from({ length: cfg.sequencerCount }, (_, i) => node("sequencer", i + 1)),
    validators: Array.from({ length: cfg.validatorCount }, (_, k) => node("validator", k + 1)),
    source: "stack config",
  };
}

/** A node as the stack outputs list it (its role is the list it is in). */
type OutputNode = Omit<NodeEndpoint, "role">;

/** Endpoints from `pulumi stack output --json`. */
export function endpointsFromOutputs(o: { network: string; l1Rpc: string; sequencers: OutputNode[]; validators: OutputNode[] }): DevnetEndpoints {
  const node = (role: "sequencer" | "validator") => (x: OutputNode): NodeEndpoint => ({ role, ...x });
  return { network: o.network, l1Rpc: o.l1Rpc, sequencers: o.sequencers.map(node("sequencer")), validators: o.validators.map(node("validator")), source: "stack outputs" };
}

const exec = promisify(execFile);
const ROOT = join(__dirname, "..");

/**
 * The running stack's endpoints: its outputs when the Pulumi CLI can read the state (same backend
 * rules as `npm run up`), else the stack config, which yields the same names and ports.
 */
export async function loadEndpoints(stack: string): Promise<DevnetEndpoints> {
  const env = { ...process.env };
  if (!env.PULUMI_BACKEND_URL && existsSync(join(ROOT, ".pulumi"))) env.PULUMI_BACKEND_URL = `file://${join(ROOT, ".pulumi")}`;
  env.PULUMI_CONFIG_PASSPHRASE ??= "";
  try {
    const { stdout } = await exec("pulumi", ["stack", "output", "--json", "--stack", stack], { cwd: ROOT, env });
    const outputs = JSON.parse(stdout);
    if (outputs?.sequencers) return endpointsFromOutputs(outputs);
  } catch {
    /* no CLI or no state: fall back to the config */
  }
  return endpointsFromConfig(planConfig(stack));
}
