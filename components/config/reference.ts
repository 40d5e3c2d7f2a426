import { DEFAULT_IMAGES } from "../images";
import { DEFAULT_HARDFORKS, HARDFORKS, forkName, forkOverrideKey } from "./chain";
import { CONFIG_KEYS, DEFAULT_PORTS } from "./schema";
import { validateConfig } from "./validate";
import { publishedPorts } from "../ports";
import { e2eSamplesSection, e2eStepsSection } from "../../plan/e2eReport";

/**
 * Markdown generated from the schema for README and docs/, so the reference cannot drift:
 * `npm run docs` rewrites the marked sections and a test fails when they are stale.
 */
export function configReferenceMarkdown(): string {
  const defaults = validateConfig("dev", {});
  const shown = (k: string): string => {
    const v = (defaults as unknown as Record<string, unknown>)[k];
    if (k === "network") return "`kup-<stack>`";
    if (k === "l1ChainId" || k === "l2ChainId") return "derived from `network`";
    if (k === "sequencerCount") return "`min(2, l2Nodes)`";
    if (k === "images" || k === "ports" || k === "hardforks") return "see below";
    return v === undefined ? "unset" : `\`${JSON.stringify(v)}\``;
  };
  const rows = Object.entries(CONFIG_KEYS).map(([k, v]) => `| \`kupcake:${k}\` | ${shown(k)} | ${v.rule.replace(/\|/g, "\\|")} |`);
  const images = Object.entries(DEFAULT_IMAGES).map(([k, v]) => `| \`images.${k}\` | \`${v}\` |`);
  const ports = Object.entries(DEFAULT_PORTS).map(([k, v]) => `| \`ports.${k}\` | ${v} |`);
  const forks = HARDFORKS.map((f) => {
    const d = DEFAULT_HARDFORKS[f];
    return `| \`hardforks.${f}\` | ${forkName(f)} | ${d === "off" ? "off (not scheduled)" : d === 0 ? "0 (at genesis)" : `${d} s`} | \`${forkOverrideKey(f)}\` |`;
  });
  return [
    "| Key | Default | Rule |",
    "|---|---|---|",
    ...rows,
    "",
    "| Image override | Default (pinned release) |",
    "|---|---|",
    ...images,
    "",
    "| Port base | Default |",
    "|---|---|",
    ...ports,
    "",
    "| Hardfork (seconds after L2 genesis) | Fork | Default (op-deployer v0.7.1) | Intent key (`[chains.deployOverrides]`) |",
    "|---|---|---|---|",
    ...forks,
  ].join("\n");
}

/** The host ports of the default stack, as a table. */
export function portsTableMarkdown(): string {
  const cfg = validateConfig("dev", {});
  return [
    "| Container | Endpoint | Host port | Container port |",
    "|---|---|---|---|",
    ...publishedPorts(cfg).map((p) => `| \`${p.container}\` | ${p.purpose} | ${p.external} | ${p.internal} |`),
  ].join("\n");
}

/** The README's `--diff` example: `npm run --silent plan -- <these>` (scale the default stack to 3 sequencers). */
export const DIFF_EXAMPLE_ARGS = ["--diff", "--set", "sequencerCount=3"];

/** The README's `--diff` example block from the real output of `plan` with `DIFF_EXAMPLE_ARGS`. */
export function diffExampleMarkdown(output: string): string {
  return ["```", `$ npm run --silent plan -- ${DIFF_EXAMPLE_ARGS.join(" ")}`, output.trimEnd(), "```"].join("\n");
}

export const GENERATED_SECTIONS: Record<string, () => string> = {
  "config-reference": configReferenceMarkdown,
  "ports-table": portsTableMarkdown,
  "e2e-steps": () => e2eStepsSection(),
  "e2e-samples": () => e2eSamplesSection(),
};

/** Replaces every `<!-- name:start -->...<!-- name:end -->` block with its generated content. */
export function renderGenerated(markdown: string, sections: Record<string, () => string> = GENERATED_SECTIONS): string {
  let out = markdown;
  for (const [name, gen] of Object.entries(sections)) {
    const re = new RegExp(`(<!-- ${name}:start -->)[\\s\\S]*?(<!-- ${name}:end -->)`, "g");
    out = out.replace(re, (_, a, b) => `${a}\n${gen()}\n${b}`);
  }
  return out;
}
