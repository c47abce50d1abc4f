#!/bin/bash
# Build the Debian package from a copy of this checkout (dpkg-buildpackage -b -us -uc,
# packages it needs installed first), check it with lintian, install it with apt and check
# what it installed: the binaries run, the man pages open, the unit and hooks are in place.
# Debian 12, as root. Not part of tests/run.sh (it installs l2vpn system-wide):
#     bash tests/package.sh [OUTDIR]       # the .deb is left in OUTDIR (default /tmp/l2vpn-deb)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/l2vpn-deb}
export DEBIAN_FRONTEND=noninteractive
bash tests/deps.sh
need=(build-essential debhelper dpkg-dev fakeroot lintian man-db)
missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] || apt-get install -y --no-install-recommends "${missing[@]}"

work=$(mktemp -d /tmp/l2vpn-pkg.XXXXXX)
trap 'rm -rf "$work"' EXIT
# A clean copy of the tree (no build directories; git may not be installed).
mkdir "$work/l2vpn"
tar -C . --exclude=./.git --exclude='./build*' --exclude='./obj-*' -cf - . | tar -C "$work/l2vpn" -xf -
(cd "$work/l2vpn" && dpkg-buildpackage -b -us -uc)
mkdir -p "$out"
cp "$work"/l2vpn_*.deb "$out/"
deb=$(ls "$out"/l2vpn_*_"$(dpkg --print-architecture)".deb | tail -n 1)
echo "==> lintian $(basename "$deb")"
lintian --fail-on error "$deb"

echo "==> apt-get install $deb"
apt-get install -y "$deb"
fail=0
check() {
	if "$@" >/dev/null 2>&1; then echo "ok - $*"; else echo "not ok - $*"; fail=1; fi
}
check /usr/sbin/l2vpn --version
check /usr/sbin/l2vpn-ca --help
check man -P cat l2vpn
check man -P cat l2vpn-ca
check test -f /lib/systemd/system/l2vpn@.service
check grep -qx 'ExecStart=/usr/sbin/l2vpn --config /etc/l2vpn/%i.conf' /lib/systemd/system/l2vpn@.service
check test -x /etc/network/if-up.d/l2vpn
check test -x /etc/network/if-down.d/l2vpn
check test -f /usr/lib/sysctl.d/60-l2vpn.conf
check test -f /usr/share/doc/l2vpn/examples/server.conf
check sh -c '[ "$(stat -c %a /etc/l2vpn)" = 750 ]'
if command -v systemd-analyze >/dev/null; then
	cp /lib/systemd/system/l2vpn@.service "$work/l2vpn@server.service"
	check sh -c "[ -z \"\$(systemd-analyze verify '$work/l2vpn@server.service' 2>&1)\" ]"
fi
[ $fail -eq 0 ] && echo "package OK: $deb" || echo "package checks failed"
exit $fail
