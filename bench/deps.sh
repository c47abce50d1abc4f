#!/bin/bash
# The Debian packages bench/run.sh needs beyond those of the build and the tests
# (tests/deps.sh, which this runs first): tinc 1.0, the third system in the comparison.
# Idempotent: does nothing (and needs no network) when all are present. Debian 12, as root.
set -euo pipefail

bash "$(dirname "$0")/../tests/deps.sh"

packages=(
	# bench/run.sh: the tinc columns (tincd 1.0 in switch mode)
	tinc
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "bench/deps.sh: missing packages: ${missing[*]} (run as root to install them)" >&2
	exit 1
fi
echo "bench/deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Debian's tinc enables a tinc.service that starts the nets listed in /etc/tinc/nets.boot
# (none): the bench never uses /etc/tinc, it runs tincd with -c on its own directories.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
