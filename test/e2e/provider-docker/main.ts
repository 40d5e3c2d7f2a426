/**
 * Entry point of the stand-in `pulumi-resource-docker` plugin:
 *   node --import tsx test/e2e/provider-docker/main.ts [engine-address]
 * Serves the provider over gRPC with @pulumi/pulumi/provider and prints only its port on stdout
 * (the engine reads it); everything else goes to stderr.
 *
 * The Node provider server sends only changes/replaces/deleteBeforeReplace in a DiffResponse. The
 * real (bridged) provider also sends the changed keys and a detailed diff, and the engine needs the
 * changed keys to apply `replaceOnChanges` (the program sets it on healthchecks) and to display
 * what changed. So the provider's diff result travels to the response in a carrier object in
 * `deleteBeforeReplace` (the one field the server copies only when truthy, right after the call),
 * and a patched DiffResponse.setDeletebeforereplace unpacks it into diffs/detailedDiff.
 */
import * as provider from "@pulumi/pulumi/provider";
import type { FullDiff, PropertyDiffKind } from "./diff";
import { makeProvider } from "./provider";

const CARRIER = Symbol.for("kupcake.provider-docker.diff");
interface Carrier {
  [CARRIER]: true;
  deleteBeforeReplace: boolean;
  changed: string[];
  detailed: Record<string, PropertyDiffKind>;
}

function installDiffHook(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pb = require("@pulumi/pulumi/proto/provider_pb");
  const proto = pb.DiffResponse.prototype;
  const original = proto.setDeletebeforereplace;
  const kinds: Record<PropertyDiffKind, number> = {
    add: pb.PropertyDiff.Kind.ADD,
    "add-replace": pb.PropertyDiff.Kind.ADD_REPLACE,
    delete: pb.PropertyDiff.Kind.DELETE,
    "delete-replace": pb.PropertyDiff.Kind.DELETE_REPLACE,
    update: pb.PropertyDiff.Kind.UPDATE,
    "update-replace": pb.PropertyDiff.Kind.UPDATE_REPLACE,
  };
  proto.setDeletebeforereplace = function (this: any, value: unknown) {
    if (value && typeof value === "object" && CARRIER in value) {
      const c = value as Carrier;
      this.setDiffsList(c.changed);
      const map = this.getDetaileddiffMap();
      for (const [k, kind] of Object.entries(c.detailed)) {
        const d = new pb.PropertyDiff();
        d.setKind(kinds[kind]);
        d.setInputdiff(false);
        map.set(k, d);
      }
      this.setHasdetaileddiff(true);
      return original.call(this, c.deleteBeforeReplace);
    }
    return original.call(this, value);
  };
}

function servedProvider(): provider.Provider {
  const p = makeProvider();
  const diff = p.diff!.bind(p);
  return {
    ...p,
    async diff(id, urn, olds, news) {
      const d = (await diff(id, urn, olds, news)) as FullDiff;
      const carrier: Carrier = { [CARRIER]: true, deleteBeforeReplace: d.deleteBeforeReplace === true, changed: d.changed, detailed: d.detailed };
      return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: carrier as unknown as boolean };
    },
  };
}

async function main(): Promise<void> {
  installDiffHook();
  // provider.main prints the port with console.log; anything else logged goes to stderr.
  const toStderr = (...args: unknown[]) => process.stderr.write(args.map(String).join(" ") + "\n");
  let printed = false;
  console.log = (...args: unknown[]) => {
    if (!printed && args.length === 1 && /^\d+$/.test(String(args[0]))) {
      printed = true;
      process.stdout.write(`${args[0]}\n`);
      return;
    }
    toStderr(...args);
  };
  await provider.main(servedProvider(), process.argv.slice(2));
}

main().catch((e) => {
  process.stderr.write(`pulumi-resource-docker (kupcake stand-in): ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
