/**
 * The stand-in `docker` resource provider: dispatches Check/Diff/Create/Read/Update/Delete by the
 * type token in the URN to the resource modules. Version 5.2.0, like the @pulumi/docker SDK the
 * program uses.
 */
import type * as provider from "@pulumi/pulumi/provider";
import { checkContainer, createContainer, deleteContainer, readContainer, updateContainer } from "./container";
import { check, diff, FullDiff } from "./diff";
import { checkRemoteImage, createRemoteImage, deleteRemoteImage, readRemoteImage, updateRemoteImage } from "./image";
import { createNetwork, deleteNetwork, readNetwork } from "./network";
import { CONTAINER, NETWORK, REMOTE_IMAGE, SCHEMAS, VOLUME } from "./schema";
import { Props, wire } from "./values";
import { createVolume, deleteVolume, readVolume } from "./volume";

export const VERSION = "5.2.0";

/** The type token of a URN: urn:pulumi:<stack>::<project>::<parent$>type::<name>. */
export function typeOf(urn: string): string {
  const parts = urn.split("::");
  const qualified = parts[2] ?? "";
  return qualified.split("$").pop() ?? qualified;
}

function schemaOf(urn: string) {
  const s = SCHEMAS[typeOf(urn)];
  if (!s) throw new Error(`the kupcake docker stand-in provider does not implement resource type ${typeOf(urn)} (${urn})`);
  return s;
}

export function makeProvider(): provider.Provider {
  return {
    version: VERSION,

    async check(urn: string, olds: Props, news: Props): Promise<provider.CheckResult> {
      const s = schemaOf(urn);
      const res = s === CONTAINER ? checkContainer(urn, olds ?? {}, news ?? {}) : s === REMOTE_IMAGE ? checkRemoteImage(urn, olds ?? {}, news ?? {}) : check(s, urn, olds ?? {}, news ?? {});
      return { inputs: wire(res.inputs), failures: res.failures };
    },

    /** Also returns `changed` and `detailed` (see FullDiff): main.ts hands them to the engine. */
    async diff(_id: string, urn: string, olds: Props, news: Props): Promise<FullDiff> {
      return diff(schemaOf(urn), olds ?? {}, news ?? {});
    },

    async create(urn: string, inputs: Props): Promise<provider.CreateResult> {
      const s = schemaOf(urn);
      const res = s === CONTAINER ? await createContainer(inputs) : s === REMOTE_IMAGE ? await createRemoteImage(inputs) : s === NETWORK ? await createNetwork(inputs) : await createVolume(inputs);
      return { id: res.id, outs: wire(res.outs) };
    },

    async read(id: string, urn: string, props?: Props): Promise<provider.ReadResult> {
      const s = schemaOf(urn);
      const state = props ?? {};
      const res = s === CONTAINER ? await readContainer(id, state) : s === REMOTE_IMAGE ? await readRemoteImage(id, state) : s === NETWORK ? await readNetwork(id, state) : await readVolume(id, state);
      // No inputs: the engine keeps the resource's current inputs (only outputs are refreshed).
      return { id: res.id, props: wire(res.props) };
    },

    async update(id: string, urn: string, olds: Props, news: Props): Promise<provider.UpdateResult> {
      const s = schemaOf(urn);
      if (s === CONTAINER) return { outs: wire(await updateContainer(id, olds, news)) };
      if (s === REMOTE_IMAGE) return { outs: wire(await updateRemoteImage(id, olds, news)) };
      if (s === VOLUME || s === NETWORK) {
        // Nothing of the supported subset updates in place: keep state, take the new inputs.
        return { outs: wire({ ...olds, ...news }) };
      }
      throw new Error(`update not supported for ${urn}`);
    },

    async delete(id: string, urn: string, props: Props): Promise<void> {
      const s = schemaOf(urn);
      if (s === CONTAINER) return deleteContainer(id, props ?? {});
      if (s === REMOTE_IMAGE) return deleteRemoteImage(id, props ?? {});
      if (s === NETWORK) return deleteNetwork(id);
      return deleteVolume(id);
    },
  };
}
