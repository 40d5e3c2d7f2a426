// Rewrites the generated sections of README.md and docs/*.md from the code (config schema,
// images, ports, the default stack's topology diagram). `npm test` fails when they are stale;
// run `npm run docs` after changing them.
import { execFile } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { accountsTableMarkdown } from "../components/accounts";
import { GENERATED_SECTIONS, renderGenerated } from "../components/config/reference";

const root = join(__dirname, "..");

async function main() {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", join(__dirname, "plan.ts"), "--mermaid"], { cwd: root });
  const sections = { ...GENERATED_SECTIONS, "accounts-table": accountsTableMarkdown, "topology-mermaid": () => "```mermaid\n" + stdout.trimEnd() + "\n```" };
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

void main();
