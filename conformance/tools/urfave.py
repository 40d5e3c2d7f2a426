#!/usr/bin/env python3
"""Mechanical extraction of urfave/cli v2 flag definitions from Go files at a git ref.
usage: urfave.py GITDIR REF ENVPREFIX file...   -> JSON on stdout"""
import json, re, subprocess, sys

gitdir, ref, prefix, *specs = sys.argv[1:]
src, opts = {}, {}
for spec in specs:
    f, *o = spec.split(":")
    # options: env=_SUFFIX  flag=prefix.
    opts[f] = dict(x.split("=", 1) for x in o)
    src[f] = subprocess.run(["git", "-C", gitdir, "show", f"{ref}:{f}"], capture_output=True, text=True, check=True).stdout
import os
pkgconsts = {}

consts, funcs = {}, {}
for f, s in src.items():
    for m in re.finditer(r'func (\w+)\((\w+) string\) string \{\s*return "([^"]*)" \+ \2\s*\}', s):
        funcs[m.group(1)] = ("pre", m.group(3))
    for m in re.finditer(r'func (\w+)\((\w+) string\) string \{\s*return \2 \+ "([^"]*)"\s*\}', s):
        funcs[m.group(1)] = ("post", m.group(3))
for _ in range(3):
    for f, s in src.items():
        c = pkgconsts.setdefault(os.path.dirname(f), {})
        for m in re.finditer(r'^\s*(\w+)\s*=\s*"([^"]*)"\s*$', s, re.M):
            c.setdefault(m.group(1), m.group(2))
        for m in re.finditer(r'^\s*(\w+)\s*=\s*(\w+)\("([^"]*)"\)\s*$', s, re.M):
            if m.group(2) in funcs:
                k, a = funcs[m.group(2)]
                c.setdefault(m.group(1), a + m.group(3) if k == "pre" else m.group(3) + a)
def lookup(qual, key, cur):
    if qual:
        for d, c in pkgconsts.items():
            if (os.path.basename(d) == qual or d.endswith(qual)) and key in c: return c[key]
        for d, c in pkgconsts.items():
            if key in c: return c[key]
        return None
    return pkgconsts.get(os.path.dirname(cur), {}).get(key)

CUR = [None]
def resolve(expr):
    expr = expr.strip().rstrip(",")
    m = re.fullmatch(r'prefixFunc\((.*)\)', expr)
    if m:
        r = resolve(m.group(1)); p = opts[CUR[0]].get("flag", "")
        return None if r is None else (p + "." + r if p else r)
    parts = [p.strip() for p in expr.split("+")]
    out = ""
    for p in parts:
        if re.fullmatch(r'"[^"]*"', p): out += p[1:-1]
        else:
            qual, _, key = p.rpartition(".")
            m = re.fullmatch(r'(\w+)\("([^"]*)"\)', key)
            v = lookup(qual, key, CUR[0])
            if m and m.group(1) in funcs:
                k, a = funcs[m.group(1)]; out += (a + m.group(2) if k == "pre" else m.group(2) + a)
            elif v is not None: out += v
            else: return None
    return out

def envs(expr):
    expr = expr.strip().rstrip(",")
    m = re.fullmatch(r'(?:\w+\.)?(?:prefixEnvVars|PrefixEnvVar|prefixEnvVar)\((?:\w+,\s*)?"([^"]*)"\)', expr)
    if m: return [f"{prefix}{opts[CUR[0]].get('env','')}_{m.group(1)}"]
    m = re.fullmatch(r'altDAEnvs\(\w+,\s*"([^"]*)"\)', expr)
    if m: return [f"{prefix}_ALTDA_{m.group(1)}"]
    m = re.fullmatch(r'\[\]string\{(.*)\}', expr, re.S)
    if m: return re.findall(r'"([^"]*)"', m.group(1))
    return ["?" + expr]

flags = []
for f, s in src.items():
    CUR[0] = f
    for m in re.finditer(r'&?cli\.(\w+Flag)\{', s):
        i = m.end(); depth = 1
        while depth and i < len(s):
            depth += {"{": 1, "}": -1}.get(s[i], 0); i += 1
        body = s[m.end():i - 1]
        # only top-level fields of this literal
        top, d = [], 0
        line = ""
        for ch in body:
            if ch in "({[": d += 1
            if ch in ")}]": d -= 1
            if ch == "\n" and d == 0: top.append(line); line = ""
            else: line += ch
        top.append(line)
        fields = {}
        cur = None
        for l in top:
            mm = re.match(r'\s*(\w+):\s*(.*)$', l, re.S)
            if mm: cur = mm.group(1); fields[cur] = mm.group(2)
            elif cur: fields[cur] += "\n" + l
        if "Name" not in fields: continue
        name = resolve(fields["Name"])
        aliases = [resolve(a) or "?" + a for a in re.findall(r'("[^"]*"|[\w.]+)', fields.get("Aliases", "").replace("[]string", ""))] if "Aliases" in fields else []
        aliases = [a.strip('"') for a in aliases]
        flags.append({"name": name if name is not None else "?" + fields["Name"].strip(), "type": m.group(1), "aliases": aliases,
                      "env": envs(fields["EnvVars"]) if "EnvVars" in fields else [], "required": fields.get("Required", "").strip().rstrip(",") == "true",
                      "hidden": fields.get("Hidden", "").strip().rstrip(",") == "true", "file": f})
json.dump(flags, sys.stdout, indent=1)
