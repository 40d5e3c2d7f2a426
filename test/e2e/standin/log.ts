/**
 * One-line-per-event logging to stderr, in the terse `t=… lvl=… msg=… k=v` style the Go services use.
 * Stand-ins never log to stdout: op-deployer's jobs read their outputs from files, not stdout.
 */
let service = "standin";

/** Sets the name every later log line carries. */
export function setService(name: string): void {
  service = name;
}

function fmt(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return /[\s"=]/.test(s ?? "") ? JSON.stringify(s) : String(s);
}

/** Writes one log line; `fields` become `key=value` pairs. */
export function log(level: "info" | "warn" | "error" | "debug", msg: string, fields: Record<string, unknown> = {}): void {
  const kv = Object.entries(fields).map(([k, v]) => `${k}=${fmt(v)}`).join(" ");
  process.stderr.write(`t=${new Date().toISOString()} lvl=${level} svc=${service} msg=${fmt(msg)}${kv ? " " + kv : ""}\n`);
}

export const info = (msg: string, f?: Record<string, unknown>) => log("info", msg, f);
export const warn = (msg: string, f?: Record<string, unknown>) => log("warn", msg, f);
export const error = (msg: string, f?: Record<string, unknown>) => log("error", msg, f);

/** Prints `message` to stderr and exits with `code` (the stand-ins' way of failing like the real binary). */
export function fatal(message: string, code = 1): never {
  process.stderr.write(message.endsWith("\n") ? message : message + "\n");
  process.exit(code);
}
