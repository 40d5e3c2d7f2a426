import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import { ConfigError, validateAllConfig } from "../components/config/validate";
import { DevnetConfig } from "../components/config/schema";
import { PROJECT, runProgram } from "../components/program";
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

/** The project directory: where Pulumi.yaml and the stack files live. */
export const PROJECT_DIR = join(__dirname, "..");

/**
 * Reads `Pulumi.<stack>.yaml` as the Pulumi CLI would and returns the flat `<ns>:<key>` map of
 * string values it hands the program (objects as JSON). `sets` override keys (`key=value`,
 * `images.opReth=...` for a nested key); a value is parsed as JSON when it parses.
 */
export function stackConfig(stack: string, sets: string[] = [], dir = PROJECT_DIR): Record<string, string> {
  const file = join(dir, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) throw new ConfigError(stack, [`no stack file ${file}. Fix: create it (see Pulumi.dev.yaml) or pick another --stack.`]);
  const doc = (yaml.load(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc.config ?? {})) values[k.includes(":") ? k : `${PROJECT}:${k}`] = v;
  for (const set of sets) {
    const eq = set.indexOf("=");
    if (eq <= 0) throw new ConfigError(stack, [`--set ${JSON.stringify(set)} is not KEY=VALUE. Fix: write e.g. --set sequencerCount=3.`]);
    const rawKey = set.slice(0, eq);
    const text = set.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    const full = rawKey.includes(":") ? rawKey : `${PROJECT}:${rawKey}`;
    const [top, ...path] = full.split(".");
    if (path.length === 0) values[top] = value;
    else {
      const existing = values[top];
      const obj = (existing && typeof existing === "object" ? structuredClone(existing) : {}) as Record<string, unknown>;
      let cur = obj;
      for (const p of path.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
      cur[path[path.length - 1]] = value;
      values[top] = obj;
    }
  }
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** Validates a stack's config exactly as `pulumi up` does (same function, same messages). */
export function planConfig(stack: string, sets: string[] = [], dir = PROJECT_DIR): DevnetConfig {
  return validateAllConfig(stack, stackConfig(stack, sets, dir), PROJECT);
}

/**
 * Runs the real program under Pulumi runtime mocks and records every registration. One plan per
 * process: the Pulumi runtime is global state.
 */
export async function runPlan(stack: string, sets: string[] = [], dir = PROJECT_DIR): Promise<Plan> {
  const config = planConfig(stack, sets, dir); // throws ConfigError before anything is registered
  // The SDK records a stack trace on every promise it creates (for leak reports); with source
  // maps on, that dominates a large plan. The plan prints messages, never stacks.
  Error.stackTraceLimit = 0;
  const all = stackConfig(stack, sets, dir);
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
