import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { L1_ADDRESSES_MARKER, L1_CONTRACTS } from "../components/builders/opDeployer";

/**
 * Fake provider answers for the offline plan: deterministic, so two plans of the same stack
 * print the same bytes. An image's id is its reference, random values are hashes of their
 * resource name, and every job exits 0 (the inspect job prints fake contract addresses).
 */
const digest = (text: string) => createHash("sha256").update(text).digest();

/** A fake but well-formed address per contract name. */
export const fakeAddress = (name: string) => "0x" + digest(`address:${name}`).subarray(0, 20).toString("hex");

function fakeJobLogs(inputs: Record<string, unknown>): string {
  const command = JSON.stringify(inputs.command ?? []);
  if (!command.includes(L1_ADDRESSES_MARKER)) return "";
  const addresses = Object.fromEntries(L1_CONTRACTS.map((c) => [c, fakeAddress(c)]));
  return `${L1_ADDRESSES_MARKER} ${JSON.stringify(addresses)}\n`;
}

export const planMocks: pulumi.runtime.Mocks = {
  newResource(args) {
    const inputs = args.inputs as Record<string, unknown>;
    const state: Record<string, unknown> = { ...inputs };
    switch (args.type) {
      case "docker:index/remoteImage:RemoteImage":
        state.imageId = inputs.name;
        state.repoDigest = inputs.name;
        break;
      case "docker:index/container:Container":
        state.exitCode = 0;
        state.containerLogs = fakeJobLogs(inputs);
        break;
      case "random:index/randomBytes:RandomBytes": {
        const bytes = Buffer.concat([digest(`bytes:${args.name}`), digest(`bytes2:${args.name}`)]).subarray(0, Number(inputs.length ?? 32));
        state.hex = bytes.toString("hex");
        state.base64 = bytes.toString("base64");
        break;
      }
      case "random:index/randomPassword:RandomPassword":
        state.result = digest(`password:${args.name}`).toString("base64url").slice(0, Number(inputs.length ?? 24));
        break;
      default:
        break;
    }
    if (args.type.startsWith("pulumi-nodejs:dynamic/kupcake:DevnetReadiness")) {
      state.report = { activeSequencer: "(plan)", unsafeHead: 0, safeHead: 0 };
    }
    return { id: `${args.name}-id`, state };
  },
  call(args) {
    throw new Error(`the offline plan does not expect provider function calls (got ${args.token})`);
  },
};
