#!/bin/bash
# The man pages: each renders without a warning from man (groff), and l2vpn(8) names every
# directive the configuration parser knows (the table in vpn/config_directives.c), in bold
# where it is described (or as an --option).
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
done_testing
