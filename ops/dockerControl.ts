import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { DrillControl } from "./drill";

const exec = promisify(execFile);

/** Runs a docker CLI command; errors carry docker's own message. */
export async function docker(args: string[]): Promise<string> {
  try {
    const { stdout } = await exec("docker", args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    if (err.code === "ENOENT") throw new Error("the docker CLI is not installed or not on PATH");
    throw new Error(`docker ${args.join(" ")} failed: ${(err.stderr ?? err.message).trim()}`);
  }
}

/** Container control through the local Docker CLI (honours DOCKER_HOST). */
export const dockerControl: DrillControl = {
  async stop(containers) {
    await docker(["stop", ...containers]);
  },
  async start(containers) {
    await docker(["start", ...containers]);
  },
};
