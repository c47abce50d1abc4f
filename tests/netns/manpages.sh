#!/bin/bash
# The man pages: each renders without a warning from man (groff), and l2vpn(8) names every
# directive the configuration parser knows (the table in vpn/config_directives.c), in bold
# where it is described (or as an --option), and says in each directive's entry what it
# defaults to (or that it is ignored or refused).
. "$(dirname "$0")/lib.sh"
need_cmd man
DOC=$L2VPN_SOURCE_ROOT/doc

for page in "$DOC"/*.[0-9]; do
	warnings=$(man --warnings -l "$page" 2>&1 >/dev/null)
	ok "$(basename "$page") renders without warnings${warnings:+: $warnings}" test -z "$warnings"
done

missing=$(/usr/bin/python3 - "$L2VPN_SOURCE_ROOT/vpn/config_directives.c" "$DOC/l2vpn.8" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
table = src[src.index("static const struct directive directives[] = {"):]
table = table[:table.index("\n};")]
names = sorted(set(re.findall(r'^\s*\{ "([a-z0-9-]+)"', table, re.M)))
page = open(sys.argv[2]).read()
bold = [l for l in page.splitlines() if re.match(r'\.(B|BI|BR|RB|IR) ', l)]
missing = []
for n in names:
    e = re.escape(n.replace("-", "\\-"))
    pat = re.compile(r'(^\.\S+ |[ "]|\\fP|\\-\\-)' + e + r'([ "\\]|$)')
    if not any(pat.search(l) for l in bold):
        missing.append(n)
print(len(names), " ".join(missing))
PY
)
count=${missing%% *}
missing=${missing#* }
diag "l2vpn(8) and the parser's $count directives"
ok "the parser knows directives (table read: $count)" test "$count" -gt 100
ok "l2vpn(8) describes every one${missing:+; missing: $missing}" test -z "$missing"

# Each directive's entry states its default. An entry is a .TP item: its tag line (with any
# .TQ tag lines after it) names one or more directives, and its text runs up to the next
# .TP, .SH, .SS or .PP (an .IP paragraph continues it). The text must hold:
#   "Default:" (the sentence "Default: VALUE.") for a directive the parser applies;
#   "ignored" for one the table accepts with a warning only (do_ignore);
#   "refused" or "not supported" for one the table refuses (do_refuse).
# Exempt are the command-line actions, whose only entries are under OPTIONS (--help, ...),
# and a synonym entry, whose text starts "The same as DIRECTIVE": it has DIRECTIVE's default,
# so DIRECTIVE's entry must pass.
nodefault=$(/usr/bin/python3 - "$L2VPN_SOURCE_ROOT/vpn/config_directives.c" "$DOC/l2vpn.8" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
table = src[src.index("static const struct directive directives[] = {"):]
table = table[:table.index("\n};")]
handler = dict(re.findall(r'^\s*\{ "([a-z0-9-]+)", *\d+, *[A-Z0-9_]+, *(\w+)', table, re.M))

def plain(line):
    """A groff line as text: macro name, quotes and font changes dropped, \\- as -."""
    line = re.sub(r'^\.\S+\s*', '', line) if line.startswith('.') else line
    line = re.sub(r'\\f(\(..|\[[^]]*\]|.)', '', line).replace('\\-', '-').replace('\\&', '')
    return re.sub(r'"([^"]*)"', r'\1', line)

entries = []  # (section, [names], text)
lines = open(sys.argv[2]).read().splitlines()
section, i = '', 0
while i < len(lines):
    l = lines[i]
    if l.startswith('.SH '):
        section = l[4:].strip('"')
    if not l.startswith('.TP'):
        i += 1
        continue
    tags, i = [lines[i + 1]], i + 2
    while i < len(lines) and lines[i].startswith('.TQ'):
        tags.append(lines[i + 1])
        i += 2
    body = []
    while i < len(lines) and not re.match(r'\.(TP|SH|SS|PP|LP|P)(\s|$)', lines[i]):
        body.append(plain(lines[i]))
        i += 1
    names = []
    for t in tags:  # "a, b, c" or "a ARGS": the first word of each comma-separated part
        for part in plain(t).split(','):
            w = part.split()
            if w and w[0].lstrip('-') in handler:
                names.append(w[0].lstrip('-'))
    entries.append((section, names, ' '.join(body).strip()))

def satisfies(name, text):
    h = handler[name]
    if h == 'do_ignore':
        return re.search(r'\bignored\b', text, re.I)
    if h == 'do_refuse':
        return re.search(r'\brefused\b|\bnot supported\b', text, re.I)
    return 'Default:' in text

def passes(name, seen=()):
    mine = [(s, t) for s, ns, t in entries if name in ns]
    if not mine:
        return False
    if all(s == 'OPTIONS' for s, _ in mine):
        return True
    for s, t in mine:
        if s == 'OPTIONS':
            continue
        if satisfies(name, t):
            return True
        m = re.match(r'The same as (\S+?)[,.;:]?\s', t + ' ')
        if m and m.group(1) in handler and m.group(1) not in seen + (name,):
            if passes(m.group(1), seen + (name,)):
                return True
    return False

print(" ".join(n for n in sorted(handler) if not passes(n)))
PY
)
nd=$(wc -w <<<"$nodefault")
ok "l2vpn(8) gives each directive's default (or says it is ignored or refused)${nodefault:+; $nd without: $nodefault}" \
	test -z "$nodefault"
done_testing
