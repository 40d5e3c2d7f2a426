// The offline plan: runs the real program under Pulumi runtime mocks (no Pulumi CLI, no Docker)
// and prints what `pulumi up` would create. Usage:
//   npm run --silent plan -- [--json | --mermaid | --diff] [--stack NAME] [--config-file PATH] [--set KEY=VALUE]...
// --config-file reads that stack file instead of Pulumi.<stack>.yaml (as `pulumi --config-file` does).
// --diff compares the stack as configured with the stack after the --set overrides, the way
// `pulumi preview` would report it. Exit codes: 0 printed, 2 invalid config or arguments
// (message on stderr, nothing on stdout), 1 other errors.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ConfigError } from "../components/config/validate";
import { LABEL } from "../components/labels";
import { diffReport } from "../plan/diff";
import { planMermaid } from "../plan/mermaid";
import { planConfig } from "../plan/config";
import type { Plan } from "../plan/run";

interface Args {
  json: boolean;
  mermaid: boolean;
  diff: boolean;
  stack: string;
  configFile?: string;
  sets: string[];
}

function parseArgs(argv: string[]): Args {
  const a: Args = { json: false, mermaid: false, diff: false, stack: "dev", sets: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === "--json") a.json = true;
    else if (arg === "--mermaid") a.mermaid = true;
    else if (arg === "--diff") a.diff = true;
    else if (arg === "--stack") a.stack = value();
    else if (arg.startsWith("--stack=")) a.stack = arg.slice(8);
    else if (arg === "--config-file") a.configFile = value();
    else if (arg.startsWith("--config-file=")) a.configFile = arg.slice(14);
    else if (arg === "--set") a.sets.push(value());
    else if (arg.startsWith("--set=")) a.sets.push(arg.slice(6));
    else if (arg === "--help" || arg === "-h") throw new UsageError("");
    else throw new UsageError(`unknown argument ${arg}`);
  }
  return a;
}

class UsageError extends Error {}

const USAGE = "usage: npm run --silent plan -- [--json | --mermaid | --diff] [--stack NAME] [--config-file PATH] [--set KEY=VALUE]...";

/** The plan of the stack as configured (no overrides), from a fresh process: one plan per process. */
async function basePlan(stack: string, configFile?: string): Promise<Plan> {
  const file = configFile ? ["--config-file", configFile] : [];
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", __filename, "--json", "--stack", stack, ...file], { maxBuffer: 512 * 1024 * 1024 });
  return JSON.parse(stdout) as Plan;
}

/** A readable table: one row per container with its role, image and host ports. */
export function planTable(plan: Plan): string {
  const rows = plan.resources
    .filter((r) => r.type === "docker:index/container:Container")
    .map((r) => {
      const labels = (r.inputs.labels as { label: string; value: string }[] | undefined) ?? [];
      const label = (k: string) => labels.find((l) => l.label === k)?.value ?? "";
      const ports = ((r.inputs.ports as { external: number; ip: string }[] | undefined) ?? []).map((p) => `${p.ip}:${p.external}`).join(" ");
      const index = label(LABEL.index);
      return [String(r.inputs.name), label(LABEL.role) + (index && label(LABEL.role) !== "job" ? ` ${index}` : ""), String(r.inputs.image), ports];
    });
  const header = ["CONTAINER", "ROLE", "IMAGE", "HOST PORTS"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  const c = plan.config;
  return [
    `stack ${plan.stack}: network ${c.network}, L1 chain ${c.l1ChainId}, L2 chain ${c.l2ChainId}, ${c.sequencerCount} sequencer(s) + ${c.validatorCount} validator(s)`,
    `${plan.resources.length} resources, ${rows.length} containers`,
    "",
    line(header),
    ...rows.map(line),
  ].join("\n");
}

async function main() {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      // --help: usage on stdout, exit 0; a usage error: message and usage on stderr, exit 2.
      if (!e.message) {
        console.log(USAGE);
        process.exit(0);
      }
      console.error(`${e.message}\n${USAGE}`);
      process.exit(2);
    }
    throw e;
  }
  try {
    if ([args.json, args.mermaid, args.diff].filter(Boolean).length > 1) throw new UsageError("--json, --mermaid and --diff exclude each other");
    // Config first, before the Pulumi SDK loads: a bad config exits 2 in well under a second.
    // With --diff the stack as configured must be valid too, so its message is the contract's.
    if (args.diff) planConfig(args.stack, [], undefined, args.configFile);
    planConfig(args.stack, args.sets, undefined, args.configFile);
    const { runPlan } = await import("../plan/run");
    const before = args.diff ? basePlan(args.stack, args.configFile) : undefined;
    before?.catch(() => undefined); // awaited below
    const plan = await runPlan(args.stack, args.sets, undefined, args.configFile);
    let out: string;
    if (args.json) out = JSON.stringify(plan, null, 2);
    else if (args.mermaid) out = planMermaid(plan);
    else if (before) {
      // A chain-defining change is refused by the engine (components/dynamic/chainIdentity.ts): exit 1 like preview.
      const report = diffReport(await before, plan);
      out = `stack ${args.stack}${args.sets.map((s) => ` --set ${s}`).join("")}:\n${report.text}`;
      if (report.refused) process.exitCode = 1;
    }
    else out = planTable(plan);
    process.stdout.write(out + "\n");
  } catch (e) {
    if (e instanceof ConfigError || e instanceof UsageError) {
      console.error(e.message);
      process.exit(2);
    }
    console.error(`plan failed: ${(e as Error).message ?? e}`);
    process.exit(1);
  }
}

if (require.main === module) void main();
