#!/bin/bash
# Install every Debian package that building l2vpn and running its tests need (and the
# packages named as arguments). Idempotent: does nothing (and needs no network) when they are
# all present. Debian 12, as root.
set -euo pipefail

packages=(
	# build
	gcc clang libclang-rt-dev meson ninja-build pkg-config
	libssl-dev liblzo2-dev libnl-3-dev libnl-route-3-dev libcmocka-dev libsystemd-dev
	# tests: namespaces, bridges, traffic, certificates, interop
	iproute2 iputils-ping procps psmisc util-linux kmod
	openssl openvpn easy-rsa ifupdown bridge-utils
	socat netcat-openbsd iperf3 python3 systemd
	# clock_jump.sh: a wall clock that jumps, for the daemons only
	libfaketime
	# bench/soak.sh (and tests/netns/soak_short.sh): the plot
	python3-matplotlib
	# manpages.sh: man renders the pages
	man-db
	# fault tests: packet loss (nft) and a relay with offloads off (ethtool)
	nftables ethtool
	# vm_migration.sh, bench/migrate.sh, bench/soak.sh --vm: a QEMU guest (busybox initramfs)
	qemu-system-x86 busybox-static
	# management.sh: promtool checks the metrics text
	prometheus
	# read_ahead.sh: strace watches the daemon's socket reads
	strace
)
# `tests/deps.sh vm` (what bench/soak.sh --vm and bench/migrate.sh call) is the same list now
# that the default suite boots a guest too; the argument stays accepted. Any other argument
# is one more package to install (bench/deps.sh adds the benchmark's).
for extra in "$@"; do
	[ "$extra" = vm ] || packages+=("$extra")
done

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "tests/deps.sh: missing packages: ${missing[*]} (run as root to install them)" >&2
	exit 1
fi
echo "tests/deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
