// Benchmarks of the program itself (not timed tests): for each topology, the number of resources,
// the offline plan's wall time, the longest dependency chain (creation waves), and for each scale
// step how many existing resources it touches and which. Prints a Markdown table.
//   npm run bench
import { execFile } from "node:child_process";
import { cpus } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { diffPlans } from "../plan/diff";
import { longestChain } from "../plan/graph";
import type { Plan } from "../plan/run";

const exec = promisify(execFile);

const USAGE = `usage: npm run bench
  Plans each topology (1,1) (2,5) (3,7) (5,20) (9,100) in a fresh process and prints a Markdown
  table: resources, plan wall time, longest dependency chain, and the existing resources each
  scale step touches. Offline (no Docker, no Pulumi CLI); takes about a minute. Takes no arguments.`;

function parseArgs(argv: string[]): void {
  if (argv.length === 0) return;
  if (argv.length === 1 && (argv[0] === "--help" || argv[0] === "-h")) {
    console.log(USAGE);
    process.exit(0);
  }
  console.error(`unknown argument ${argv.find((a) => a !== "--help" && a !== "-h") ?? argv[0]}\n${USAGE}`);
  process.exit(2);
}
const TOPOLOGIES: [number, number][] = [[1, 1], [2, 5], [3, 7], [5, 20], [9, 100]];

async function timedPlan(sequencers: number, nodes: number): Promise<{ plan: Plan; ms: number }> {
  const start = process.hrtime.bigint();
  const { stdout } = await exec(process.execPath, ["--import", "tsx", join(__dirname, "plan.ts"), "--json", "--set", `sequencerCount=${sequencers}`, "--set", `l2Nodes=${nodes}`], { maxBuffer: 1024 * 1024 * 1024 });
  return { plan: JSON.parse(stdout) as Plan, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

/** Existing resources a step changes or deletes (created ones are the new nodes). */
function touched(before: Plan, after: Plan): string[] {
  return diffPlans(before, after).filter((c) => c.op !== "create").map((c) => `${c.name.replace(/^devnet-/, "")} (${c.op})`);
}

async function main() {
  parseArgs(process.argv.slice(2));
  const rows: string[] = [];
  let previous: Plan | undefined;
  for (const [s, n] of TOPOLOGIES) {
    const { plan, ms } = await timedPlan(s, n);
    const chain = longestChain(plan);
    const t = previous ? touched(previous, plan) : [];
    rows.push(`| (${s}, ${n}) | ${plan.resources.length} | ${(ms / 1000).toFixed(2)} s | ${chain.length} | ${previous ? `${t.length}: ${t.join(", ")}` : "-"} |`);
    previous = plan;
  }
  // Adding exactly one node to (3, 7): which existing resources does it touch?
  const base = await timedPlan(3, 7);
  const plusValidator = await timedPlan(3, 8);
  const plusSequencer = await timedPlan(4, 8);
  const l2 = (names: string[]) => names.filter((x) => /^(sequencers|validators)-/.test(x));
  const v = touched(base.plan, plusValidator.plan);
  const sq = touched(base.plan, plusSequencer.plan);
  console.log(`Measured on ${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}.\n`);
  console.log("| Topology (sequencers, nodes) | Resources | Plan wall time | Longest dependency chain | Existing resources touched by the step from the previous row |");
  console.log("|---|---|---|---|---|");
  for (const r of rows) console.log(r);
  console.log("");
  console.log(`+1 validator on (3, 7): touches ${v.length} existing resources (${v.join(", ") || "none"}); L2 nodes among them: ${l2(v).length}`);
  console.log(`+1 sequencer on (3, 7): touches ${sq.length} existing resources (${sq.join(", ") || "none"}); L2 nodes among them: ${l2(sq).length}`);
}

main().catch((e) => {
  // A failing plan prints its own message on stderr (execFile carries it); never a stack trace.
  console.error(`bench: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}`);
  process.exit(1);
});
