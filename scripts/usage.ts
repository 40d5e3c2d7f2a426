// The command-line contract every operator script shares: `--help` prints the usage on stdout and
// exits 0; a usage error prints its message and the usage on stderr and exits 2.

/** A bad argument: the message names it and what it needs. */
export class UsageError extends Error {}

/**
 * Runs `parse` over `argv`. Returns its result, or exits the process: 0 after printing `usage`
 * when the result asks for help, 2 after printing the error and `usage` when `parse` throws.
 */
export function parseOrExit<A extends { help: boolean }>(parse: (argv: string[]) => A, usage: string, argv = process.argv.slice(2)): A {
  let args: A;
  try {
    args = parse(argv);
  } catch (e) {
    console.error(`${(e as Error).message}\n${usage}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(usage);
    process.exit(0);
  }
  return args;
}

/** The value given for `flag` (`argv[i]`); a missing, empty or flag-looking one is a UsageError. */
export function flagValue(argv: string[], i: number, flag: string): string {
  const v = argv[i];
  if (v === undefined || v === "" || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
  return v;
}

/** `v` as a whole number >= 1 for `flag`; anything else is a UsageError naming both. */
export function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} needs a positive whole number, not ${JSON.stringify(v)}`);
  return n;
}
