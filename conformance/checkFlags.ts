/**
 * Project-owned flag conformance check: every long option (`--x`) the plan hands an upstream
 * binary must be one that binary accepts, according to conformance/flags.json (the same data the
 * e2e stand-ins parse with), and every flag the binary requires must be given.
 *
 * Flags are attributed to the program that actually receives them. A container either runs a
 * binary directly (exec form: entrypoint + command, or the image's own entrypoint when the command
 * starts with flags or a subcommand) or runs a shell script (`sh -c SCRIPT [$0 [$@...]]`). Scripts
 * are split into simple commands (newlines, `;`, `&&`, `||`, `|`, `&`, `( )`, `$( )`, backticks,
 * keywords), and each simple command's flags belong only to the binary that starts it: in the L1
 * start script `cast rpc --rpc-timeout 60 ...` is checked against cast, never against anvil.
 *
 * Only long options are checked; short options (`-j`, `-f`) and urfave's single-dash long form are
 * not. Words that are values (quoted strings such as the mnemonic, `$var` expansions) never count
 * as flags.
 */
import spec from "./flags.json";
import type { Plan, PlannedResource } from "../plan/run";

/** One binary's entry in conformance/flags.json (`services[...]`), the fields this check reads. */
interface FlagSpec {
  style: string;
  flags?: string[];
  aliases?: Record<string, string>;
  required_flags?: string[];
  bool_flags?: string[];
  global_flags?: string[];
  global_anywhere?: string[];
  subcommands?: Record<string, string[]>;
  subcommand_aliases?: Record<string, string>;
  env_prefix?: string;
}

const SPECS = (spec as unknown as { services: Record<string, FlagSpec> }).services;

/** `kupcake.service` label value -> the binary that service runs. */
const SERVICE_BINARY: Record<string, string> = {
  anvil: "anvil",
  "op-deployer": "op-deployer",
  "op-reth": "op-reth",
  "kona-node": "kona-node",
  "op-node": "op-node",
  "op-conductor": "op-conductor",
  "op-batcher": "op-batcher",
  "op-proposer": "op-proposer",
  "op-challenger": "op-challenger",
  prometheus: "prometheus",
  grafana: "grafana",
};

const SHELLS = new Set(["sh", "bash", "dash", "ash"]);
/** Words that open, continue or close a compound command (never a program). */
const KEYWORDS = new Set(["if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time"]);
/** Compound commands whose words are not a program's argv (patterns, loop lists). */
const SKIP_COMMANDS = new Set(["for", "case", "esac", "in", "select"]);
/** Prefixes that run the following words as the command. */
const PREFIXES = new Set(["exec", "command", "nohup"]);

/** Stands for an expansion (`$x`, `${x}`, `$(...)`, `$((...))`): a value, never a flag. */
const EXPANSION = "\u0000";
/** Stands for an unquoted or double-quoted `$@` / `"$@"`: the script's positional arguments. */
const ALL_ARGS = "\u0001@";

/** A program invocation found in a container: the binary's name and its argv (without the name). */
export interface Invocation {
  binary: string;
  args: string[];
}

/**
 * Checks every container of `plan` against conformance/flags.json.
 *
 * @returns `checked`: the number of binary invocations checked against a flags.json entry;
 *   `problems`: one line per unknown flag (`<container name> (<binary>): unknown flag --x`), missing
 *   required flag (`... missing required flag --x`), unknown or uncovered subcommand, and container
 *   that never starts its service's binary, each distinct line once per container (the L1 script
 *   starts anvil on three branches). `<binary>` is the program the flag was given to, which is the
 *   container's service except for helper programs run by its script (e.g. `cast`).
 */
export function checkPlanFlags(plan: Plan): { checked: number; problems: string[] } {
  let checked = 0;
  const problems: string[] = [];
  for (const res of plan.resources) {
    if (res.type !== "docker:index/container:Container") continue;
    const name = String(res.inputs.name ?? res.name);
    const service = labelOf(res, "kupcake.service") ?? "";
    const serviceBinary = SERVICE_BINARY[service];
    const mine = new Set<string>();
    let ranServiceBinary = false;
    for (const inv of invocations(res, serviceBinary)) {
      const s = SPECS[inv.binary];
      if (!s) continue;
      checked++;
      if (inv.binary === serviceBinary) ranServiceBinary = true;
      for (const p of checkInvocation(inv, s, envsOf(res))) mine.add(`${name} (${inv.binary}): ${p}`);
    }
    const s = serviceBinary ? SPECS[serviceBinary] : undefined;
    if (s && s.style !== "env" && !ranServiceBinary) mine.add(`${name} (${service}): never runs ${serviceBinary}`);
    problems.push(...mine);
  }
  return { checked, problems };
}

/** The value of a container label (`labels: [{label, value}]`), if set. */
function labelOf(res: PlannedResource, key: string): string | undefined {
  const labels = (res.inputs.labels ?? []) as { label: string; value: string }[];
  return labels.find((l) => l.label === key)?.value;
}

/** The container's environment as a name -> value map (secret entries are skipped). */
function envsOf(res: PlannedResource): Map<string, string> {
  const out = new Map<string, string>();
  for (const kv of (res.inputs.envs ?? []) as unknown[]) {
    if (typeof kv !== "string" || !kv.includes("=")) continue;
    out.set(kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1));
  }
  return out;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const basename = (w: string) => w.slice(w.lastIndexOf("/") + 1);

/**
 * The programs a container runs. `entrypoints + command` is the process argv when the plan sets an
 * entrypoint; otherwise the command runs under the image's entrypoint, which is the service's
 * binary when the command does not name a program itself (it starts with a flag or a subcommand).
 */
export function invocations(res: PlannedResource, serviceBinary: string | undefined): Invocation[] {
  const entry = strings(res.inputs.entrypoints);
  const cmd = strings(res.inputs.command);
  let argv = [...entry, ...cmd];
  if (argv.length === 0) return [];
  if (entry.length === 0 && serviceBinary && !SPECS[basename(argv[0])] && !SHELLS.has(basename(argv[0]))) {
    argv = [serviceBinary, ...argv];
  }
  return argvInvocations(argv);
}

/** Invocations for one exec-form argv: a shell running a script, or a binary and its arguments. */
function argvInvocations(argv: string[]): Invocation[] {
  const [prog, ...rest] = argv;
  const bin = basename(prog);
  if (SHELLS.has(bin)) {
    // sh [-opts] -c SCRIPT [$0 [$1 ...]]
    let i = 0;
    while (i < rest.length && /^-[a-z]*$/.test(rest[i]) && !/c/.test(rest[i])) i++;
    if (i < rest.length && /^-[a-z]*c[a-z]*$/.test(rest[i]) && i + 1 < rest.length) {
      return scriptInvocations(rest[i + 1], rest.slice(i + 3));
    }
    return [];
  }
  return [{ binary: bin, args: rest }];
}

/**
 * Invocations in a shell script: one per simple command whose program (after `VAR=value`
 * assignments, keywords and `exec`) is a binary; `"$@"` becomes `positional`.
 */
export function scriptInvocations(script: string, positional: string[] = []): Invocation[] {
  const out: Invocation[] = [];
  for (const words of simpleCommands(script)) {
    let i = 0;
    while (i < words.length && KEYWORDS.has(words[i])) i++;
    if (i < words.length && SKIP_COMMANDS.has(words[i])) continue;
    while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i])) i++;
    while (i < words.length && PREFIXES.has(words[i])) i++;
    if (i >= words.length || words[i].includes(EXPANSION) || words[i] === ALL_ARGS) continue;
    const args = words.slice(i + 1).flatMap((w) => (w === ALL_ARGS ? positional : [w]));
    out.push({ binary: basename(words[i]), args });
  }
  return out;
}

/**
 * Splits a POSIX shell script into simple commands, each a list of words with quotes removed.
 * Separators: newline, `;`, `&`, `|` (so `&&`, `||`, `;;`), `(`, `)`; redirections and their targets
 * are dropped; comments are skipped; `$(...)` and backquoted substitutions (also inside double
 * quotes and arithmetic) contribute their own simple commands and stand as a value in the word.
 */
export function simpleCommands(script: string): string[][] {
  const commands: string[][] = [];
  parseList(script, 0, false, commands);
  return commands;
}

/**
 * Parses from `i` until the end (or, with `nested`, the `)` closing a `$(`), appending simple
 * commands to `out`; returns the index after the closing `)`.
 */
function parseList(s: string, i: number, nested: boolean, out: string[][]): number {
  let words: string[] = [];
  let word: string | null = null;
  let redirect = false; // the next word is a redirection target
  let depth = 0; // open subshell parentheses inside this list
  const endWord = () => {
    if (word !== null) {
      if (redirect) redirect = false;
      else words.push(word);
    }
    word = null;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) out.push(words);
    words = [];
  };
  const append = (t: string) => {
    word = (word ?? "") + t;
  };
  while (i < s.length) {
    const c = s[i];
    if (c === " " || c === "\t") {
      endWord();
      i++;
    } else if (c === "\n" || c === ";" || c === "&" || c === "|") {
      endCommand();
      i++;
    } else if (c === "(") {
      endCommand();
      depth++;
      i++;
    } else if (c === ")") {
      endCommand();
      i++;
      if (depth > 0) depth--;
      else if (nested) return i;
      // an unbalanced `)` at top level: a case pattern terminator
    } else if (c === "#" && word === null) {
      while (i < s.length && s[i] !== "\n") i++;
    } else if (c === "\\") {
      if (s[i + 1] !== "\n") append(s[i + 1] ?? "");
      i += 2;
    } else if (c === "'") {
      const j = s.indexOf("'", i + 1);
      const end = j < 0 ? s.length : j;
      append(s.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      i = doubleQuoted(s, i + 1, out, append);
    } else if (c === "$") {
      i = dollar(s, i, out, append);
    } else if (c === "`") {
      i = backquoted(s, i + 1, out);
      append(EXPANSION);
    } else if (c === "<" || c === ">") {
      if (word !== null && /^\d+$/.test(word)) word = null; // `2>`: the fd number is not a word
      endWord();
      i++;
      while (i < s.length && (s[i] === ">" || s[i] === "<" || s[i] === "&" || s[i] === "|")) i++;
      redirect = true;
    } else {
      append(c);
      i++;
    }
  }
  endCommand();
  return i;
}

/** Reads a double-quoted string from `i` (after the opening quote); returns the index after it. */
function doubleQuoted(s: string, i: number, out: string[][], append: (t: string) => void): number {
  let text = "";
  while (i < s.length && s[i] !== '"') {
    const c = s[i];
    if (c === "\\" && i + 1 < s.length && '"\\$`\n'.includes(s[i + 1])) {
      if (s[i + 1] !== "\n") text += s[i + 1];
      i += 2;
    } else if (c === "$") {
      let piece = "";
      i = dollar(s, i, out, (t) => (piece += t));
      text += piece;
    } else if (c === "`") {
      i = backquoted(s, i + 1, out);
      text += EXPANSION;
    } else {
      text += c;
      i++;
    }
  }
  append(text);
  return i + 1;
}

/**
 * Reads an expansion starting at the `$` at `i`: `$(...)` (its commands go to `out`), `$((...))`
 * (commands substituted inside it too), `${...}`, `$name`, `$@`, `$1`. Appends a placeholder.
 */
function dollar(s: string, i: number, out: string[][], append: (t: string) => void): number {
  const n = s[i + 1];
  if (n === "(" && s[i + 2] === "(") {
    // arithmetic: scan to the matching `))`, parsing any `$(...)` inside
    let d = 2;
    let j = i + 3;
    while (j < s.length && d > 0) {
      if (s[j] === "$" && s[j + 1] === "(" && s[j + 2] !== "(") j = parseList(s, j + 2, true, out);
      else {
        if (s[j] === "(") d++;
        else if (s[j] === ")") d--;
        j++;
      }
    }
    append(EXPANSION);
    return j;
  }
  if (n === "(") {
    const j = parseList(s, i + 2, true, out);
    append(EXPANSION);
    return j;
  }
  if (n === "{") {
    const j = s.indexOf("}", i + 2);
    append(EXPANSION);
    return j < 0 ? s.length : j + 1;
  }
  if (n === "@") {
    append(ALL_ARGS);
    return i + 2;
  }
  const m = /^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9*#?$!-])/.exec(s.slice(i + 1));
  if (m) {
    append(EXPANSION);
    return i + 1 + m[0].length;
  }
  append("$");
  return i + 1;
}

/** Reads a backquoted command substitution from `i` (after the opening backquote). */
function backquoted(s: string, i: number, out: string[][]): number {
  let j = i;
  while (j < s.length && s[j] !== "`") j += s[j] === "\\" ? 2 : 1;
  parseList(s.slice(i, j), 0, false, out);
  return j + 1;
}

/**
 * Checks one invocation's argv against its spec: unknown long options (with `--x=value` split),
 * subcommands (global flags before the subcommand, the subcommand's own flags and the global-anywhere
 * ones after it) and required flags (given as a flag, an alias, or the binary's env variable).
 */
export function checkInvocation(inv: Invocation, s: FlagSpec, env: Map<string, string> = new Map()): string[] {
  const problems: string[] = [];
  const aliases = s.aliases ?? {};
  const bools = new Set(s.bool_flags ?? []);
  const given = new Set<string>();
  const hasSubs = !!s.subcommands;
  let allowed = new Set(hasSubs ? (s.global_flags ?? []) : (s.flags ?? []));
  let sub: string | undefined;
  let expectValue = false;
  let endOfFlags = false;
  for (const a of inv.args) {
    if (endOfFlags) continue;
    if (a === "--") {
      endOfFlags = true;
      continue;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const flag = eq >= 0 ? a.slice(0, eq) : a;
      given.add(aliases[flag] ?? flag);
      if (!allowed.has(flag)) {
        const where = hasSubs && sub === undefined && Object.values(s.subcommands!).some((l) => l.includes(flag)) ? ` (only accepted after a subcommand)` : "";
        problems.push(`unknown flag ${flag}${where}`);
      }
      expectValue = eq < 0 && !bools.has(flag) && !bools.has(aliases[flag] ?? flag);
      continue;
    }
    if (expectValue) {
      expectValue = false;
      continue;
    }
    if (hasSubs && sub === undefined && !a.includes(EXPANSION)) {
      const name = s.subcommand_aliases?.[a] ?? a;
      const list = s.subcommands![name];
      if (!list) {
        problems.push(`unknown subcommand ${a} (not covered by conformance/flags.json)`);
        return problems;
      }
      sub = name;
      allowed = new Set([...list, ...(s.global_anywhere ?? [])]);
    }
  }
  if (!hasSubs || sub !== undefined) {
    const prefix = (s.env_prefix ?? "").split(" ")[0];
    for (const req of s.required_flags ?? []) {
      const names = [req, ...Object.entries(aliases).filter(([, p]) => p === req).map(([al]) => al)];
      const byFlag = names.some((f) => given.has(f));
      const byEnv = prefix.endsWith("_") && env.has(prefix + req.replace(/^--/, "").replace(/[.-]/g, "_").toUpperCase());
      if (!byFlag && !byEnv) problems.push(`missing required flag ${req}`);
    }
  }
  return problems;
}
