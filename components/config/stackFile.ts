import * as yaml from "js-yaml";
import { ConfigError, distance } from "./validate";

/**
 * Reading `Pulumi.<stack>.yaml` without the Pulumi CLI (the offline plan, `npm run status`, ...).
 * The CLI rejects a malformed stack file before the program runs, with messages that name neither
 * the file nor the fix (`invalid YAML file: yaml: line 4: ...`); here every such problem becomes a
 * `ConfigError` naming the file, the line or key, and the fix.
 */

/** The top-level keys a Pulumi stack file may have (pulumi/sdk `ProjectStack`). */
export const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"] as const;

const EXAMPLE = "one indented `kupcake:<key>: <value>` line per setting under a top-level `config:` (see Pulumi.dev.yaml)";

/** A short description of a YAML value's kind and contents, for messages. */
function describe(v: unknown): string {
  const kind = Array.isArray(v) ? "a list" : v === null ? "empty" : typeof v === "object" ? "a mapping" : `a ${typeof v}`;
  let text = JSON.stringify(v) ?? String(v);
  if (text.length > 60) text = `${text.slice(0, 57)}...`;
  return `${text} (${kind})`;
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Parses a stack file's text (`name`: the file as the user knows it) into its `config:` entries, keys as written (`kupcake:l2Nodes`,
 * `docker:host`, or bare `l2Nodes`), values as YAML typed them. Throws a `ConfigError` for a YAML
 * syntax error (with file and line), a document or `config:` that is not a mapping, and a
 * top-level key that looks like a misspelt `config` (the CLI silently ignores those).
 */
export function parseStackFile(text: string, name: string, stack: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = yaml.load(text, { filename: name });
  } catch (e) {
    if (!(e instanceof yaml.YAMLException)) throw e;
    const line = e.mark?.line ?? 0;
    const source = text.split(/\r?\n/)[line] ?? "";
    throw new ConfigError(stack, [
      `${name} line ${line + 1}, column ${(e.mark?.column ?? 0) + 1}: not valid YAML (${e.reason}): ${JSON.stringify(source.trimEnd())}. ` +
        `Fix: correct that line (or the one before it): ${EXAMPLE}; quote values that contain \`: \` or \` #\`.`,
    ]);
  }
  if (doc === undefined || doc === null) return {}; // an empty file: no settings, all defaults
  if (!isMapping(doc)) {
    throw new ConfigError(stack, [`${name} = ${describe(doc)}: a stack file must be a YAML mapping with a \`config:\` key. Fix: write ${EXAMPLE}.`]);
  }
  const problems: string[] = [];
  for (const key of Object.keys(doc)) {
    if ((STACK_FILE_KEYS as readonly string[]).includes(key)) continue;
    const close = STACK_FILE_KEYS.find((k) => distance(key, k) <= 2 || key.toLowerCase().startsWith(k));
    if (close) {
      problems.push(
        `${name}: top-level key \`${key}\` is not \`${close}\`, so Pulumi silently ignores everything under it. Fix: rename it to \`${close}:\`.`,
      );
    }
  }
  const config = doc.config;
  if (config !== undefined && config !== null && !isMapping(config)) {
    problems.push(`${name}: config = ${describe(config)}: \`config:\` must be a mapping of \`kupcake:<key>: <value>\` entries. Fix: write ${EXAMPLE}.`);
  }
  if (problems.length > 0) throw new ConfigError(stack, problems);
  return isMapping(config) ? config : {};
}

/** Whether a stack-file value is Pulumi's encrypted form `{ secure: "v1:..." }`. */
export function isSecure(v: unknown): boolean {
  return isMapping(v) && Object.keys(v).length === 1 && typeof v.secure === "string";
}

/**
 * The `<project>:*` keys (dotted paths for nested values) whose values are encrypted in the stack
 * file. Only the Pulumi CLI, with the stack's passphrase or secrets provider, can decrypt them.
 */
export function encryptedKeys(values: Record<string, unknown>, project = "kupcake"): string[] {
  const found: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (isSecure(v)) found.push(path);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (isMapping(v)) for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  for (const [k, v] of Object.entries(values)) if (k.startsWith(`${project}:`)) walk(v, k);
  return found;
}

/** The message for encrypted values the offline tools cannot read: what happened and what to do instead. */
export function encryptedProblems(keys: string[], name: string, project = "kupcake"): string[] {
  return keys.map((k) => {
    const bare = k.slice(project.length + 1);
    return (
      `${k} = [encrypted \`secure:\` value in ${name}]: the offline plan runs without the Pulumi CLI, so it cannot decrypt secrets (the value itself may be fine). ` +
      `Fix: use the Pulumi CLI, which decrypts it (\`npm run preview\`), or give the offline run a plain value with \`--set ${bare}=<value>\`.`
    );
  });
}
