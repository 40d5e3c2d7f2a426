import * as pulumi from "@pulumi/pulumi";
import { DevnetConfig } from "../components/config/schema";
import { PROJECT, runProgram } from "../components/program";
import { PROJECT_DIR, planConfig, stackConfig } from "./config";
import { planMocks } from "./mocks";

/** One registered resource, as the plan prints it. */
export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  parent: string | null;
  custom: boolean;
  inputs: Record<string, unknown>;
  dependencies: string[];
}

export interface Plan {
  stack: string;
  config: DevnetConfig;
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
}

export const SECRET = "[secret]";
const SIG = pulumi.runtime.specialSigKey;
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

/** Replaces secrets by "[secret]", unknowns by "[unknown]", resource references by their URN. */
export function sanitize(value: unknown): unknown {
  if (value === pulumi.runtime.unknownValue) return "[unknown]";
  if (Array.isArray(value)) return value.map(sanitize);
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o[SIG] === SECRET_SIG) return SECRET;
    if (o[SIG] === RESOURCE_SIG) return o.urn;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      // A dynamic resource's serialized provider code: not an input a person reads.
      out[k] = k === "__provider" ? "[dynamic provider]" : sanitize(v);
    }
    return out;
  }
  return value;
}

// Reading the stack file lives in ./config (no Pulumi SDK, so a bad config fails fast); re-exported
// here for the tools that import it from this module.
export { PROJECT_DIR, planConfig, stackConfig, stackFilePath } from "./config";

/**
 * Runs the real program under Pulumi runtime mocks and records every registration. One plan per
 * process: the Pulumi runtime is global state.
 */
export async function runPlan(stack: string, sets: string[] = [], dir = PROJECT_DIR, configFile?: string): Promise<Plan> {
  const config = planConfig(stack, sets, dir, configFile); // throws ConfigError before anything is registered
  // The SDK records a stack trace on every promise it creates (for leak reports); with source
  // maps on, that dominates a large plan. The plan prints messages, never stacks.
  Error.stackTraceLimit = 0;
  const all = stackConfig(stack, sets, dir, configFile);
  pulumi.runtime.setAllConfig(all, []);
  await pulumi.runtime.setMocks(planMocks, PROJECT, stack, false);
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    newUrn(parent: string, type: string, name: string): string;
    registerResource(req: RegisterRequest, cb: unknown): Promise<void>;
  };
  const recorded: PlannedResource[] = [];
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const parent = req.getParent() || null;
    recorded.push({
      urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
      type: req.getType(),
      name: req.getName(),
      parent,
      custom: req.getCustom(),
      inputs: sanitize(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
      dependencies: [...new Set(req.getDependenciesList())].sort(),
    });
    return original(req, cb);
  };

  let errors: unknown[] = [];
  const onError = (e: unknown) => errors.push(e);
  process.on("unhandledRejection", onError);
  try {
    const outputs = runProgram();
    const serialized = await pulumi.runtime.serializeProperties("plan-outputs", outputs);
    // Internal but exported in 3.248: resolves once every registration RPC has finished.
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    if (errors.length > 0) throw errors[0];
    recorded.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
    return { stack, config, resources: recorded, outputs: sanitize(serialized) as Record<string, unknown> };
  } finally {
    process.off("unhandledRejection", onError);
    errors = [];
  }
}

interface RegisterRequest {
  getParent(): string;
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getDependenciesList(): string[];
}
