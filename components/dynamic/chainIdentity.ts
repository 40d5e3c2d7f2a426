import * as pulumi from "@pulumi/pulumi";
import { ChainIdentity, chainChangeMessage, chainChanges } from "../chainIdentity";
import { changedInputs } from "./inputDiff";

/** Inputs of the chain-identity guard: the chain-defining values, and the stack for the message. */
export interface ChainIdentityInputs extends ChainIdentity {
  stack: string;
}

/**
 * Refuses, in the engine's check phase, a change of a chain-defining value on a deployed stack.
 * `check` runs for every `preview` and `up` before any step of the update executes, and its
 * failure stops the whole update: nothing is replaced, nothing half-applied. On a new stack the
 * old inputs are empty and it passes. `destroy` never calls it.
 */
export const chainIdentityProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: Partial<ChainIdentityInputs>, news: ChainIdentityInputs) {
    const changes = chainChanges(olds ?? {}, news);
    if (changes.length === 0) return { inputs: news };
    return { inputs: news, failures: [{ property: changes[0].field, reason: chainChangeMessage(news.stack, changes) }] };
  },
  async create(inputs: ChainIdentityInputs) {
    return { id: `chain-${inputs.l1ChainId}-${inputs.l2ChainId}`, outs: inputs };
  },
  async diff(_id: string, olds: ChainIdentityInputs, news: ChainIdentityInputs) {
    return { changes: changedInputs(olds, news, []).length > 0 };
  },
  async update(_id: string, _olds: ChainIdentityInputs, news: ChainIdentityInputs) {
    return { outs: news };
  },
};

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** One per stack, registered before every other resource of the devnet. */
export class ChainIdentityGuard extends pulumi.dynamic.Resource {
  constructor(name: string, args: Inputs<ChainIdentityInputs>, opts?: pulumi.CustomResourceOptions) {
    super(chainIdentityProvider, name, args, opts, "kupcake", "ChainIdentity");
  }
}
