// Rewrites the generated sections of README.md and docs/*.md from the code (config schema,
// images, ports, the default stack's topology diagram). `npm test` fails when they are stale;
// run `npm run docs` after changing them.
import { execFile } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { accountsTableMarkdown } from "../components/accounts";
import { DIFF_EXAMPLE_ARGS, GENERATED_SECTIONS, diffExampleMarkdown, renderGenerated } from "../components/config/reference";

const root = join(__dirname, "..");

const USAGE = `usage: npm run docs
  Rewrites the generated sections of README.md and docs/*.md (config reference, images, ports,
  accounts, the default stack's topology diagram) from the code and prints the files it changed.
  Takes no arguments; npm test fails while a generated section is stale.`;

function parseArgs(argv: string[]): void {
  if (argv.length === 0) return;
  if (argv.length === 1 && (argv[0] === "--help" || argv[0] === "-h")) {
    console.log(USAGE);
    process.exit(0);
  }
  console.error(`unknown argument ${argv.find((a) => a !== "--help" && a !== "-h") ?? argv[0]}\n${USAGE}`);
  process.exit(2);
}

async function main() {
  parseArgs(process.argv.slice(2));
  const planOut = async (args: string[]) => (await promisify(execFile)(process.execPath, ["--import", "tsx", join(__dirname, "plan.ts"), ...args], { cwd: root })).stdout;
  const [stdout, diff] = await Promise.all([planOut(["--mermaid"]), planOut(DIFF_EXAMPLE_ARGS)]);
  const sections = {
    ...GENERATED_SECTIONS,
    "accounts-table": accountsTableMarkdown,
    "topology-mermaid": () => "```mermaid\n" + stdout.trimEnd() + "\n```",
    "diff-example": () => diffExampleMarkdown(diff),
  };
  const files = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => join("docs", f))];
  for (const f of files) {
    const path = join(root, f);
    const before = readFileSync(path, "utf8");
    const after = renderGenerated(before, sections);
    if (after !== before) {
      writeFileSync(path, after);
      console.log(`updated ${f}`);
    }
  }
}

main().catch((e) => {
  console.error(`docs: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}`);
  process.exit(1);
});
