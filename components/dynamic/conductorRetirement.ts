import * as pulumi from "@pulumi/pulumi";
import { changedInputs, keepOutputs } from "./inputDiff";
import { rpcCall } from "./rpc";

/** What a stack with a single sequencer checks for leftovers of a conductor layer. */
export interface RetirementInputs {
  /** Container-name prefix of this devnet's conductors (`<network>-op-conductor-`): only they are paused. */
  conductorPrefix: string;
  /** Conductor RPCs on the host, for every index a conductor may have had (1..9). */
  conductorRpcUrls: string[];
  /** This devnet's L2 chain id: only sequencers of this chain are stopped. */
  l2ChainId: number;
  /** kona-node RPCs on the host of the sequencers that leave (2..9). */
  leavingSequencerRpcUrls: string[];
}

/** Output-only keys: what the create found and acted on. */
const OUTPUTS = ["paused", "stopped"] as const;
/** Per call: a port with nothing behind it refuses at once; a hung one must not hold `up`. */
const CALL_TIMEOUT_MS = 3000;

async function tryCall<T>(url: string, method: string): Promise<T | undefined> {
  try {
    return await rpcCall<T>(url, method, [], CALL_TIMEOUT_MS);
  } catch {
    return undefined; // nothing there (the usual case on a stack that never had conductors)
  }
}

/**
 * Retires a conductor layer that is leaving (going from several sequencers to one) BEFORE the lone
 * sequencer's kona-node replacement starts. The engine deletes removed resources only after every
 * create and replace, so without this the old conductors keep running during the update: the
 * follower conductor stops the new lone sequencer (same container name), and the old leader's
 * sequencer keeps producing blocks. Found on the real engine (2 -> 1 sequencers hung in readiness).
 * It pauses this devnet's conductors (a paused conductor takes no action) and stops the leaving
 * sequencers; their containers are deleted at the end of the same update. On a fresh stack it
 * finds nothing and does nothing.
 *
 * @returns the Raft server addresses paused and the sequencer RPCs stopped
 */
export async function retireConductorLayer(i: RetirementInputs): Promise<{ paused: string[]; stopped: string[] }> {
  const paused: string[] = [];
  const stopped: string[] = [];
  for (const url of i.conductorRpcUrls) {
    const m = await tryCall<{ servers: { addr: string }[] }>(url, "conductor_clusterMembership");
    // Another devnet's conductor on this port is never touched.
    if (!m?.servers?.some((s) => s.addr.startsWith(i.conductorPrefix))) continue;
    if ((await tryCall(url, "conductor_pause")) !== undefined || (await tryCall<boolean>(url, "conductor_paused"))) paused.push(url);
  }
  for (const url of i.leavingSequencerRpcUrls) {
    const rollup = await tryCall<{ l2_chain_id: number }>(url, "optimism_rollupConfig");
    if (Number(rollup?.l2_chain_id) !== i.l2ChainId) continue;
    if ((await tryCall<boolean>(url, "admin_sequencerActive")) && (await tryCall(url, "admin_stopSequencer")) !== undefined) stopped.push(url);
  }
  return { paused, stopped };
}

export const retirementProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: RetirementInputs) {
    return { id: "conductor-layer-retired", outs: { ...inputs, ...(await retireConductorLayer(inputs)) } };
  },
  async diff(_id: string, olds: RetirementInputs, news: RetirementInputs) {
    return { changes: changedInputs(olds, news, OUTPUTS).length > 0 };
  },
  async update(_id: string, olds: RetirementInputs, news: RetirementInputs) {
    return { outs: { ...news, ...keepOutputs(olds, OUTPUTS) } };
  },
};

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** Present while the stack has one sequencer; the lone sequencer's kona-node is created after it. */
export class ConductorLayerRetirement extends pulumi.dynamic.Resource {
  constructor(name: string, args: Inputs<RetirementInputs>, opts?: pulumi.CustomResourceOptions) {
    super(retirementProvider, name, { paused: undefined, stopped: undefined, ...args }, opts, "kupcake", "ConductorLayerRetirement");
  }
}
