// The stack's config as the offline tools read it (the plan, status, stop/start, the drill):
// `Pulumi.<stack>.yaml` parsed and validated without the Pulumi CLI or SDK, so a bad config is
// reported in well under a second, before anything heavy loads.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DevnetConfig, PROJECT } from "../components/config/schema";
import { encryptedKeys, encryptedProblems, isSecure, parseStackFile } from "../components/config/stackFile";
import { ConfigError, validateAllConfig } from "../components/config/validate";

/** The project directory: where Pulumi.yaml and the stack files live. */
export const PROJECT_DIR = join(__dirname, "..");

/** The stack file the offline tools read: `configFile` when given (like `pulumi --config-file`), else `Pulumi.<stack>.yaml` in `dir`. */
export function stackFilePath(stack: string, dir = PROJECT_DIR, configFile?: string): string {
  return configFile ? resolve(configFile) : join(dir, `Pulumi.${stack}.yaml`);
}

/**
 * Reads `Pulumi.<stack>.yaml` (or `configFile`) as the Pulumi CLI would and returns the flat
 * `<ns>:<key>` map of string values it hands the program (objects as JSON). `sets` override keys
 * (`key=value`, `images.opReth=...` for a nested key); a value is parsed as JSON when it parses.
 * A malformed file, or an encrypted `kupcake:` value no `--set` replaces, is a `ConfigError`.
 */
export function stackConfig(stack: string, sets: string[] = [], dir = PROJECT_DIR, configFile?: string): Record<string, string> {
  const file = stackFilePath(stack, dir, configFile);
  if (!existsSync(file)) {
    throw new ConfigError(stack, [
      configFile
        ? `--config-file ${file}: no such file. Fix: pass the path of an existing stack file.`
        : `no stack file ${file}. Fix: create it (see Pulumi.dev.yaml) or pick another --stack.`,
    ]);
  }
  const name = configFile ?? `Pulumi.${stack}.yaml`;
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parseStackFile(readFileSync(file, "utf8"), name, stack))) values[k.includes(":") ? k : `${PROJECT}:${k}`] = v;
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
      const obj = (existing && typeof existing === "object" && !isSecure(existing) ? structuredClone(existing) : {}) as Record<string, unknown>;
      let cur = obj;
      for (const p of path.slice(0, -1)) cur = (cur[p] = cur[p] && typeof cur[p] === "object" && !isSecure(cur[p]) ? cur[p] : {}) as Record<string, unknown>;
      cur[path[path.length - 1]] = value;
      values[top] = obj;
    }
  }
  const encrypted = encryptedKeys(values, PROJECT);
  if (encrypted.length > 0) throw new ConfigError(stack, encryptedProblems(encrypted, name, PROJECT));
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** Validates a stack's config exactly as `pulumi up` does (same function, same messages). */
export function planConfig(stack: string, sets: string[] = [], dir = PROJECT_DIR, configFile?: string): DevnetConfig {
  return validateAllConfig(stack, stackConfig(stack, sets, dir, configFile), PROJECT);
}

