import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The record `npm run test:e2e` writes (test/e2e/harness.ts `writeReport`). */
export interface E2eReport {
  /** Cores, memory and OS of the machine the run was measured on. */
  machine: string;
  /** ISO date (YYYY-MM-DD) of the run. */
  date: string;
  steps: { name: string; command: string; seconds: number; ok: boolean }[];
  /** Real output of user commands in the run (fund, logs, ...), for the README. */
  samples?: { command: string; output: string }[];
}

/** Where the README's e2e step table comes from: the last full run, committed with the docs. */
export const E2E_REPORT_FILE = join(__dirname, "..", "docs", "e2e-report.json");

/** The step table of an e2e run, as Markdown: step, wall seconds, result, and the total. */
export function e2eStepsMarkdown(report: E2eReport): string {
  const total = report.steps.reduce((a, s) => a + s.seconds, 0);
  return [
    `Measured on ${report.machine}, ${report.date}:`,
    "",
    "| # | step | seconds | result |",
    "|---:|---|---:|---|",
    ...report.steps.map((s, i) => `| ${i + 1} | ${s.name} | ${s.seconds.toFixed(1)} | ${s.ok ? "ok" : "FAILED"} |`),
    `| | **total** | **${total.toFixed(1)}** | |`,
  ].join("\n");
}

/** The README section from the committed report; says so when none is committed yet. */
export function e2eStepsSection(file = E2E_REPORT_FILE): string {
  if (!existsSync(file)) return "No e2e run recorded yet: run `npm run test:e2e`, then copy its report to docs/e2e-report.json.";
  return e2eStepsMarkdown(JSON.parse(readFileSync(file, "utf8")) as E2eReport);
}

/**
 * The README's "real output from the e2e run" block: every recorded sample as `$ command` and its
 * output, from the committed report; says so when the report has none.
 */
export function e2eSamplesSection(file = E2E_REPORT_FILE): string {
  const report = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as E2eReport) : undefined;
  if (!report?.samples?.length) return "No e2e run with command samples recorded yet (`npm run test:e2e`, then copy its report to docs/e2e-report.json).";
  return [
    `Recorded by the e2e run of ${report.date} (${report.machine}; stand-ins for op-reth and kona-node, the real Anvil; the run's network is shown as \`kup-e2e\`):`,
    "",
    "```",
    ...report.samples.flatMap((x) => [`$ ${x.command}`, x.output]),
    "```",
  ].join("\n");
}
