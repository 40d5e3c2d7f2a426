/**
 * Process lifecycle: `docker stop` sends SIGTERM and waits 10 s before SIGKILL, so every stand-in
 * exits 0 promptly on SIGTERM/SIGINT after running its (short) cleanup hooks.
 */
import { info } from "./log";

const hooks: (() => void | Promise<void>)[] = [];
let installed = false;

/** Registers a cleanup hook and installs the signal handlers once. */
export function onShutdown(hook: () => void | Promise<void>): void {
  hooks.push(hook);
  if (installed) return;
  installed = true;
  const stop = (sig: string) => {
    info("received signal, shutting down", { signal: sig });
    const timer = setTimeout(() => process.exit(0), 2000);
    timer.unref();
    Promise.allSettled(hooks.map((h) => Promise.resolve().then(h))).finally(() => process.exit(0));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` every `ms` (never overlapping itself), logging but surviving its errors. */
export function every(ms: number, fn: () => Promise<void>, onError: (e: Error) => void): { stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const run = async () => {
    if (stopped) return;
    try {
      await fn();
    } catch (e) {
      onError(e as Error);
    }
    if (!stopped) timer = setTimeout(run, ms);
  };
  timer = setTimeout(run, 0);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
