/**
 * A small TOML writer for the documents this program generates (op-deployer's intent).
 * Plain values become `key = value`; nested objects become `[table]`; arrays of objects become
 * `[[array-of-tables]]`. Keys are written in insertion order, so output is deterministic.
 */
export type TomlValue = string | number | boolean | TomlValue[] | { [key: string]: TomlValue };
type Table = { [key: string]: TomlValue };

const isTable = (v: TomlValue): v is Table => typeof v === "object" && !Array.isArray(v);
const isTableArray = (v: TomlValue): v is Table[] => Array.isArray(v) && v.length > 0 && v.every(isTable);

function scalar(v: TomlValue): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new Error(`TOML writer: ${v} is not a safe integer`);
    return String(v);
  }
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(scalar).join(", ")}]`;
  throw new Error("TOML writer: inline tables are not supported");
}

function key(k: string): string {
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k);
}

function writeTable(table: Table, path: string[], out: string[]): void {
  for (const [k, v] of Object.entries(table)) if (!isTable(v) && !isTableArray(v)) out.push(`${key(k)} = ${scalar(v)}`);
  for (const [k, v] of Object.entries(table)) {
    const sub = [...path, key(k)];
    if (isTable(v)) {
      out.push("", `[${sub.join(".")}]`);
      writeTable(v, sub, out);
    } else if (isTableArray(v)) {
      for (const item of v) {
        out.push("", `[[${sub.join(".")}]]`);
        writeTable(item, sub, out);
      }
    }
  }
}

export function toToml(doc: Table): string {
  const out: string[] = [];
  writeTable(doc, [], out);
  return out.join("\n").trimStart() + "\n";
}
