import * as pulumi from "@pulumi/pulumi";
import { ConfigError, validateAllConfig } from "./config/validate";
import { DevnetConfig, PROJECT } from "./config/schema";
import { Devnet } from "./devnet";

export { PROJECT };

/**
 * Reads and validates the stack's `kupcake:*` config. A violation becomes a `RunError`, which the
 * Pulumi CLI prints without a stack trace, before any resource is registered.
 */
export function loadConfig(): DevnetConfig {
  try {
    return validateAllConfig(pulumi.getStack(), pulumi.runtime.allConfig(), PROJECT);
  } catch (e) {
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

/** The program `pulumi up` and the offline plan both run: config, devnet, outputs. */
export function runProgram(): Record<string, unknown> {
  const config = loadConfig();
  return new Devnet("devnet", { config }).outputs;
}
