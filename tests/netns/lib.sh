# shellcheck shell=bash
# Shared helpers for the network tests (and the pki interop test). Source it first thing:
#
#   . "$(dirname "$0")/../netns/lib.sh"     (or "$(dirname "$0")/lib.sh" from tests/netns)
#   need_root
#   ns_add a; ns_add b; veth_pair a eth0 b eth0
#   ok "tap exists" ns_exec a ip link show tap0
#   done_testing
#
# Output is TAP. Every namespace gets a per-test unique prefix ($T), so tests run in parallel
# without clashing; an EXIT trap kills what the test started and deletes its namespaces, even
# when the test fails. Traffic only ever goes to addresses inside these namespaces.

set -u

L2VPN_BIN=${L2VPN_BIN:-${L2VPN_BUILD_ROOT:-build}/vpn/l2vpn}
L2VPN_CA_BIN=${L2VPN_CA_BIN:-${L2VPN_BUILD_ROOT:-build}/pki/l2vpn-ca}
L2VPN_SOURCE_ROOT=${L2VPN_SOURCE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

# Unique per test run: short enough to leave room in names, distinct across parallel tests.
T="l2t$(printf '%x' $$)$(printf '%x' $((RANDOM % 256)))"
TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "/tmp/${TEST_NAME}.XXXXXX")
_tap_n=0
_tap_failed=0
_bg_pids=()
_namespaces=()
_cleanups=()

diag() { printf '# %s\n' "$*"; }

# ok DESC CMD...: run CMD, one TAP line; on failure its output goes out as diagnostics.
ok() {
	local desc=$1 out rc
	shift
	_tap_n=$((_tap_n + 1))
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok $_tap_n - $desc"
	else
		echo "not ok $_tap_n - $desc (exit $rc)"
		_tap_failed=$((_tap_failed + 1))
		[ -n "$out" ] && printf '%s\n' "$out" | head -n 40 | sed 's/^/#   /'
	fi
	return 0
}

# fails DESC CMD...: passes when CMD fails.
fails() {
	local desc=$1
	shift
	ok "$desc" _not "$@"
}
_not() { ! "$@"; }

# pass/fail DESC: record an outcome decided by the caller.
pass() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1"; }
fail() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/#   /'
	return 0
}

# expect_exit CODE DESC CMD...: CMD exits with CODE; its combined output is left in $OUT.
OUT=
expect_exit() {
	local want=$1 desc=$2 rc
	shift 2
	OUT=$("$@" 2>&1) && rc=0 || rc=$?
	if [ "$rc" -eq "$want" ]; then
		pass "$desc"
	else
		fail "$desc (exit $rc, want $want)" "$OUT"
	fi
}

# expect_match REGEX DESC: $OUT (from expect_exit) matches the extended REGEX.
expect_match() {
	if printf '%s' "$OUT" | grep -Eq -- "$1"; then
		pass "$2"
	else
		fail "$2 (no /$1/)" "$OUT"
	fi
}

# skip_one DESC REASON: one TAP line that says this check does not apply here, and why.
skip_one() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# The whole test needs root (and network namespaces). Outside CI a missing facility is a skip
# that says why; under CI=true it is a failure, since CI must run everything.
need_root() {
	local why=
	if [ "$(id -u)" != 0 ]; then
		why="needs root (network namespaces, tap devices)"
	elif ! ip netns add "${T}probe" 2>/dev/null; then
		why="network namespaces unavailable (ip netns add failed)"
	else
		ip netns del "${T}probe"
		[ -c /dev/net/tun ] || why="/dev/net/tun missing"
	fi
	[ -z "$why" ] && return 0
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - $why (CI=true: a skip is a failure)"
		exit 1
	fi
	skip_all "$why"
}

# need_cmd CMD...: skip (or fail in CI) when a command is missing.
need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 && continue
		if [ "${CI:-}" = true ]; then
			echo "1..1"
			echo "not ok 1 - $c not installed (CI=true: a skip is a failure)"
			exit 1
		fi
		skip_all "$c not installed"
	done
}

# ns NAME: the full namespace name for short NAME.
ns() { echo "${T}$1"; }

# ns_add NAME: create namespace NAME (lo up).
ns_add() {
	ip netns add "$(ns "$1")" || return 1
	_namespaces+=("$(ns "$1")")
	ip -n "$(ns "$1")" link set lo up
}

# ns_exec NAME CMD...: run CMD inside namespace NAME.
ns_exec() {
	local n=$1
	shift
	ip netns exec "$(ns "$n")" "$@"
}

# veth_pair NS1 IF1 NS2 IF2: a veth between two namespaces, both ends up and carrying.
veth_pair() {
	ip -n "$(ns "$1")" link add "$2" type veth peer name "$4" netns "$(ns "$3")" || return 1
	ip -n "$(ns "$1")" link set "$2" up
	ip -n "$(ns "$3")" link set "$4" up
	link_ready "$1" "$2" && link_ready "$3" "$4"
}

# link_ready NS IF: wait (up to 60 s) until IF in namespace NS is operationally up. A link set
# up only carries packets once the kernel has processed its carrier change (linkwatch, under
# the rtnl lock); until then it drops everything, and while other tests create or delete many
# namespaces that can take seconds: long enough for a first TCP connect to miss several SYNs.
link_ready() {
	local f=/sys/class/net/$2/operstate i
	for ((i = 0; i < 600; i++)); do
		[ "$(ip netns exec "$(ns "$1")" cat "$f" 2>/dev/null)" = up ] && return 0
		sleep 0.1
	done
	echo "link_ready: $2 in $(ns "$1") not up after 60 s" >&2
	return 1
}

# bridge_add NS BR [PORT...]: a bridge in NS with PORTs, all up (STP off, no forward delay).
bridge_add() {
	local n=$1 br=$2 p
	shift 2
	ip -n "$(ns "$n")" link add "$br" type bridge forward_delay 0 stp_state 0 || return 1
	for p in "$@"; do
		ip -n "$(ns "$n")" link set "$p" master "$br" || return 1
	done
	ip -n "$(ns "$n")" link set "$br" up
}

# addr_add NS IF CIDR
addr_add() { ip -n "$(ns "$1")" addr add "$3" dev "$2"; }

# bg NS NAME CMD...: start CMD in namespace NS in the background, output in $WORK/NAME.log;
# its pid goes to $WORK/NAME.pid and is killed at exit. NS "-" runs in the current namespace.
bg() {
	local n=$1 name=$2
	shift 2
	if [ "$n" = - ]; then
		"$@" >"$WORK/$name.log" 2>&1 &
	else
		ip netns exec "$(ns "$n")" "$@" >"$WORK/$name.log" 2>&1 &
	fi
	echo $! >"$WORK/$name.pid"
	_bg_pids+=($!)
}

# stop NAME [SIGNAL]: signal the background job NAME and wait for it (max 10 s).
stop() {
	local pid
	pid=$(cat "$WORK/$1.pid" 2>/dev/null) || return 0
	kill -"${2:-TERM}" "$pid" 2>/dev/null || return 0
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds or SECONDS pass.
wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	"$@"
}

# on_exit CMD: run CMD (a string) during cleanup, before the namespaces go.
on_exit() { _cleanups+=("$1"); }

_cleanup() {
	local rc=$? c pid n
	for c in "${_cleanups[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
	for pid in "${_bg_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for n in "${_namespaces[@]}"; do
		for pid in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
	done
	sleep 0.2
	for pid in "${_bg_pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
	for n in "${_namespaces[@]}"; do ip netns del "$n" 2>/dev/null || true; done
	if [ "$_tap_failed" -gt 0 ] || [ "$rc" -ne 0 ]; then
		for c in "$WORK"/*.log; do
			[ -f "$c" ] || continue
			echo "# --- $(basename "$c") (last 30 lines)"
			tail -n "${LOG_TAIL:-30}" "$c" | sed 's/^/#   /'
		done
	fi
	if [ -n "${L2VPN_KEEP_WORK:-}" ]; then
		echo "# L2VPN_KEEP_WORK: logs kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

# done_testing: print the plan and exit non-zero if anything failed.
done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
	exit $?
}
