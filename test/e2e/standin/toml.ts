/**
 * A small TOML reader for the subset op-deployer intents use (what components/builders/toml.ts
 * writes, plus what `op-deployer init` writes): comments, `key = value` with basic strings,
 * integers (incl. `_` and hex), booleans and arrays of those, `[a.b]` tables and `[[a.b]]` arrays
 * of tables. Anything else is a parse error naming the line, as a strict reader would report.
 */
export type TomlDoc = { [k: string]: unknown };

function parseKeyPath(s: string, line: number): string[] {
  const out: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_-]+))\s*(\.|$)/y;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < s.length && (m = re.exec(s))) {
    out.push(m[1] !== undefined ? JSON.parse(`"${m[1]}"`) : m[2]);
    pos = re.lastIndex;
    if (m[3] === "") break;
  }
  if (pos !== s.length || out.length === 0) throw new Error(`toml: line ${line}: invalid key "${s}"`);
  return out;
}

function parseValue(src: string, line: number): unknown {
  const s = src.trim();
  if (s.startsWith('"')) {
    const m = /^"((?:[^"\\]|\\.)*)"$/.exec(s);
    if (!m) throw new Error(`toml: line ${line}: invalid string ${s}`);
    return JSON.parse(`"${m[1]}"`);
  }
  if (s.startsWith("'")) {
    const m = /^'([^']*)'$/.exec(s);
    if (!m) throw new Error(`toml: line ${line}: invalid literal string ${s}`);
    return m[1];
  }
  if (s === "true" || s === "false") return s === "true";
  if (s.startsWith("[")) {
    if (!s.endsWith("]")) throw new Error(`toml: line ${line}: unterminated array`);
    const inner = s.slice(1, -1).trim();
    if (!inner) return [];
    const items: string[] = [];
    let depth = 0;
    let cur = "";
    let inStr = false;
    for (const ch of inner) {
      if (ch === '"' && !cur.endsWith("\\")) inStr = !inStr;
      if (!inStr && ch === "[") depth++;
      if (!inStr && ch === "]") depth--;
      if (!inStr && depth === 0 && ch === ",") {
        items.push(cur);
        cur = "";
      } else cur += ch;
    }
    if (cur.trim()) items.push(cur);
    return items.map((x) => parseValue(x, line));
  }
  if (/^[+-]?(0x[0-9a-fA-F_]+|\d[\d_]*)$/.test(s)) {
    const n = Number(s.replace(/_/g, ""));
    if (!Number.isSafeInteger(n)) return BigInt(s.replace(/_/g, ""));
    return n;
  }
  if (/^[+-]?\d[\d_]*(\.\d+)?([eE][+-]?\d+)?$/.test(s)) return Number(s.replace(/_/g, ""));
  throw new Error(`toml: line ${line}: unsupported value ${s}`);
}

function stripComment(l: string): string {
  let inStr = false;
  for (let i = 0; i < l.length; i++) {
    if (l[i] === '"' && l[i - 1] !== "\\") inStr = !inStr;
    if (l[i] === "#" && !inStr) return l.slice(0, i);
  }
  return l;
}

/** Parses a TOML document of the supported subset. */
export function parseToml(text: string): TomlDoc {
  const root: TomlDoc = {};
  let cur: TomlDoc = root;
  const descend = (path: string[], line: number, arrayLast: boolean): TomlDoc => {
    let t: TomlDoc = root;
    path.forEach((k, i) => {
      const last = i === path.length - 1;
      let v = t[k];
      if (last && arrayLast) {
        if (v === undefined) v = t[k] = [];
        if (!Array.isArray(v)) throw new Error(`toml: line ${line}: ${k} is not an array of tables`);
        const n: TomlDoc = {};
        v.push(n);
        t = n;
        return;
      }
      if (v === undefined) v = t[k] = {};
      if (Array.isArray(v)) v = v[v.length - 1];
      if (typeof v !== "object" || v === null) throw new Error(`toml: line ${line}: ${k} is not a table`);
      t = v as TomlDoc;
    });
    return t;
  };
  text.split(/\r?\n/).forEach((raw, idx) => {
    const line = idx + 1;
    const l = stripComment(raw).trim();
    if (!l) return;
    let m: RegExpExecArray | null;
    if ((m = /^\[\[(.+)\]\]$/.exec(l))) {
      cur = descend(parseKeyPath(m[1].trim(), line), line, true);
      return;
    }
    if ((m = /^\[(.+)\]$/.exec(l))) {
      cur = descend(parseKeyPath(m[1].trim(), line), line, false);
      return;
    }
    const eq = (() => {
      let inStr = false;
      for (let i = 0; i < l.length; i++) {
        if (l[i] === '"') inStr = !inStr;
        if (l[i] === "=" && !inStr) return i;
      }
      return -1;
    })();
    if (eq < 0) throw new Error(`toml: line ${line}: expected key = value`);
    const keys = parseKeyPath(l.slice(0, eq).trim(), line);
    let t = cur;
    for (const k of keys.slice(0, -1)) t = (t[k] ??= {}) as TomlDoc;
    const k = keys[keys.length - 1];
    if (k in t) throw new Error(`toml: line ${line}: duplicate key ${k}`);
    t[k] = parseValue(l.slice(eq + 1), line);
  });
  return root;
}
