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
  /** The consensus client's container (kona-node, or op-node for op-node sequencers). */
  konaNode: string;
  /** op-reth RPC on the host. */
  rpc: string;
  /** op-reth WebSocket on the host. */
  ws: string;
  /** The consensus client's RPC on the host. */
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
  /** The chain ids the stack's config defines: what every node of this stack must report. */
  l1ChainId?: number;
  l2ChainId?: number;
  /** L1 and L2 block times of the stack's config, in seconds: how fast the heads must move. */
  blockTime?: number;
  l2BlockTime?: number;
  /** L1 contract addresses (stack outputs only; the config alone cannot know them). */
  contracts?: Record<string, string>;
  /** Host URL of op-batcher's RPC. */
  batcherRpc?: string;
  /** Host URL of op-proposer's RPC, when the stack runs one. */
  proposerRpc?: string;
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
      konaNode: n.consensusNode(role, index, cfg.sequencerClient),
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
    l1ChainId: cfg.l1ChainId,
    l2ChainId: cfg.l2ChainId,
    blockTime: cfg.blockTime,
    l2BlockTime: cfg.l2BlockTime,
    batcherRpc: hostUrl(cfg.bindAddress, cfg.ports.batcherRpc),
    ...(cfg.proposer ? { proposerRpc: hostUrl(cfg.bindAddress, cfg.ports.proposerRpc) } : {}),
  };
}

/** A node as the stack outputs list it (its role is the list it is in). */
type OutputNode = Omit<NodeEndpoint, "role">;

/** The stack outputs the operator scripts read. */
export interface StackOutputs {
  network: string;
  l1Rpc: string;
  sequencers: OutputNode[];
  validators: OutputNode[];
  l1ChainId?: number;
  l2ChainId?: number;
  batcherRpc?: string;
  proposerRpc?: string;
  contracts?: Record<string, string>;
}

/** Endpoints from `pulumi stack output --json`. */
export function endpointsFromOutputs(o: StackOutputs): DevnetEndpoints {
  const node = (role: "sequencer" | "validator") => (x: OutputNode): NodeEndpoint => ({ role, ...x });
  const address = (v: unknown) => typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v);
  const contracts = o.contracts && typeof o.contracts === "object" ? Object.fromEntries(Object.entries(o.contracts).filter(([, v]) => address(v))) : {};
  return {
    network: o.network,
    l1Rpc: o.l1Rpc,
    sequencers: o.sequencers.map(node("sequencer")),
    validators: o.validators.map(node("validator")),
    source: "stack outputs",
    ...(typeof o.l1ChainId === "number" ? { l1ChainId: o.l1ChainId } : {}),
    ...(typeof o.l2ChainId === "number" ? { l2ChainId: o.l2ChainId } : {}),
    ...(o.batcherRpc ? { batcherRpc: o.batcherRpc } : {}),
    ...(o.proposerRpc ? { proposerRpc: o.proposerRpc } : {}),
    ...(Object.keys(contracts).length ? { contracts } : {}),
  };
}

const exec = promisify(execFile);
const ROOT = join(__dirname, "..");

/**
 * The running stack's endpoints: its outputs when the Pulumi CLI can read the state (same backend
 * rules as `npm run up`), else the stack config, which yields the same names and ports. The stack
 * config is validated first, so an unknown stack or a bad config throws `ConfigError` (exit 2 in the
 * scripts) before anything is contacted; the chain ids every node must report come from it.
 */
export async function loadEndpoints(stack: string): Promise<DevnetEndpoints> {
  const cfg = planConfig(stack);
  const fromConfig = endpointsFromConfig(cfg);
  const env = { ...process.env };
  if (!env.PULUMI_BACKEND_URL && existsSync(join(ROOT, ".pulumi"))) env.PULUMI_BACKEND_URL = `file://${join(ROOT, ".pulumi")}`;
  env.PULUMI_CONFIG_PASSPHRASE ??= "";
  try {
    const { stdout } = await exec("pulumi", ["stack", "output", "--json", "--stack", stack], { cwd: ROOT, env });
    const outputs = JSON.parse(stdout);
    if (outputs?.sequencers) {
      // The config defines the chain; outputs of a deployment that disagree are reported by status.
      return { ...endpointsFromOutputs(outputs), l1ChainId: cfg.l1ChainId, l2ChainId: cfg.l2ChainId, blockTime: cfg.blockTime, l2BlockTime: cfg.l2BlockTime };
    }
  } catch {
    /* no CLI or no state: fall back to the config */
  }
  return fromConfig;
}
