#!/usr/bin/env python3
"""Mechanical extraction of clap derive #[arg(...)] fields from Rust files at a git ref.
usage: clap.py GITDIR REF file...  -> JSON list on stdout (one entry per field with long name)"""
import json, re, subprocess, sys
gitdir, ref, *files = sys.argv[1:]
out = []
for f in files:
    s = subprocess.run(["git", "-C", gitdir, "show", f"{ref}:{f}"], capture_output=True, text=True, check=True).stdout
    s = re.sub(r'//[^\n]*', '', s)
    # struct context
    for m in re.finditer(r'#\[(arg|clap)\(', s):
        i = m.end(); d = 1
        while d and i < len(s):
            d += {"(": 1, ")": -1}.get(s[i], 0); i += 1
        attr = s[m.end():i - 1]
        if re.fullmatch(r'\s*flatten\s*', attr) or 'subcommand' in attr: continue
        # following field
        fm = re.compile(r'\s*\]\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?(\w+)\s*:\s*([^,\n]+)').match(s, i)
        if not fm: continue
        field, ty = fm.group(1), fm.group(2).strip()
        lm = re.search(r'\blong\s*(?:=\s*"([^"]*)")?', attr)
        sm = re.search(r"\bshort\s*(?:=\s*'(.)')?", attr)
        if not lm and not sm: continue
        long = (lm.group(1) or field.replace('_', '-')) if lm else None
        aliases = []
        for am in re.finditer(r'\b(?:visible_)?alias(?:es)?\s*=\s*(\[[^\]]*\]|"[^"]*")', attr):
            aliases += re.findall(r'"([^"]*)"', am.group(1))
        env = re.search(r'\benv\s*=\s*"([^"]*)"', attr)
        envname = env.group(1) if env else (field.upper() if re.search(r'\benv\b(?!\s*=)', attr) else None)
        action = re.search(r'action\s*=\s*(?:ArgAction::)?(\w+)', attr)
        boolish = ty == 'bool' or (action and action.group(1) in ('SetTrue', 'SetFalse', 'Count', 'Help', 'Version'))
        out.append({"long": long, "short": (sm.group(1) or field[0]) if sm else None, "aliases": aliases, "env": envname,
                    "global": bool(re.search(r'\bglobal\s*=\s*true', attr)), "required": bool(re.search(r'\brequired\s*=\s*true', attr)),
                    "type": ty, "bool": bool(boolish), "default": bool(re.search(r"default_value", attr)), "num_args": (re.search(r'num_args\s*=\s*([^,\s]+)', attr) or [None, None])[1], "file": f, "field": field})
json.dump(out, sys.stdout, indent=1)
