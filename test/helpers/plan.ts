import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Plan, PlannedResource } from "../../plan/run";

const run = promisify(execFile);
export const ROOT = join(__dirname, "..", "..");

export interface PlanRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run --silent plan -- <args>` the way a user does (node + tsx directly, same script). */
export async function planProcess(args: string[]): Promise<PlanRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "plan.ts"), ...args], { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const cache = new Map<string, Promise<Plan>>();

/** The JSON plan for `--set` overrides (and an optional stack), cached per argument list. */
export function plan(sets: Record<string, unknown> = {}, stack = "dev"): Promise<Plan> {
  const args = ["--json", "--stack", stack, ...Object.entries(sets).flatMap(([k, v]) => ["--set", `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`])];
  const key = args.join(" ");
  if (!cache.has(key)) {
    cache.set(
      key,
      planProcess(args).then((r) => {
        if (r.code !== 0) throw new Error(`plan ${key} exited ${r.code}: ${r.stderr}`);
        return JSON.parse(r.stdout) as Plan;
      }),
    );
  }
  return cache.get(key)!;
}

export const containers = (p: Plan) => p.resources.filter((r) => r.type === "docker:index/container:Container");
export const byContainerName = (p: Plan, name: string) => containers(p).find((r) => r.inputs.name === name);
export const label = (r: PlannedResource, key: string) => (r.inputs.labels as { label: string; value: string }[]).find((l) => l.label === key)?.value;
export const command = (r: PlannedResource) => (r.inputs.command as string[]) ?? [];
/** The value after `flag` in a container's command, or undefined. */
export function flag(r: PlannedResource, name: string): string | undefined {
  const c = command(r);
  const i = c.indexOf(name);
  return i >= 0 ? c[i + 1] : undefined;
}
