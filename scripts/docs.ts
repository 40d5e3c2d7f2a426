// Rewrites the generated sections of README.md and docs/*.md from the code (config schema,
// images, ports). `npm test` fails when they are stale; run `npm run docs` after changing them.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderGenerated } from "../components/config/reference";

const root = join(__dirname, "..");
const files = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => join("docs", f))];
for (const f of files) {
  const path = join(root, f);
  const before = readFileSync(path, "utf8");
  const after = renderGenerated(before);
  if (after !== before) {
    writeFileSync(path, after);
    console.log(`updated ${f}`);
  }
}
