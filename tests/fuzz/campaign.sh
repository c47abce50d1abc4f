#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fuzzing campaign: builds every libFuzzer target with clang, ASan and UBSan in its own build
# directory and runs each target for MINUTES, one after the other, starting from the committed
# corpus in tests/fuzz/corpus/NAME/. Afterwards the units that found new coverage are merged
# (libFuzzer -merge=1, which keeps only inputs adding coverage) into the committed corpus, and
# a markdown table is written: executions, exec/s, final coverage (cov: edges, ft: features),
# corpus size before and after the merge, and findings (crash, leak and timeout files).
#
# Usage: tests/fuzz/campaign.sh [-j JOBS] [-o RESULTS.md] [--no-merge] MINUTES [TARGET...]
#   TARGET   a target name (proto, switch, ...); default: every fuzz_* target built
#   -j JOBS  targets run at once (default 1; the whole campaign is meant for a 2-core machine)
#   -o FILE  results table (default tests/fuzz/results/campaign-YYYY-MM-DD-HHMM.md)
#   --no-merge  leave the committed corpus untouched
# Environment: CAMPAIGN_BUILD (build directory, default build-campaign), CAMPAIGN_WORK
#   (scratch directory for the runs, logs and findings; default a new directory under /tmp,
#   kept at the end so findings can be inspected).
# Findings are copied next to the results file as FILE-findings/TARGET/. A crash does not end
# the target's run: libFuzzer is restarted for the remaining time (at most 20 restarts). An
# input counts as a timeout after 60 s of wall time: on a loaded shared machine a niced fuzzer
# can be starved for seconds, so replay a timeout before believing it.
# Run it niced on a shared machine: nice -n 10 tests/fuzz/campaign.sh 10
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
jobs=1
merge=1
out=
while [ $# -gt 0 ]; do
	case "$1" in
	-j) jobs=$2; shift 2 ;;
	-o) out=$2; shift 2 ;;
	--no-merge) merge=0; shift ;;
	-h|--help) sed -n '3,20p' "$0"; exit 0 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { echo "usage: $0 [-j JOBS] [-o FILE] [--no-merge] MINUTES [TARGET...]" >&2; exit 2; }
minutes=$1
shift
case "$minutes" in
''|*[!0-9.]*) echo "MINUTES must be a number" >&2; exit 2 ;;
esac
seconds=$(awk -v m="$minutes" 'BEGIN { s = int(m * 60); print (s < 1 ? 1 : s) }')
build=${CAMPAIGN_BUILD:-$src/build-campaign}
work=${CAMPAIGN_WORK:-$(mktemp -d /tmp/l2vpn-fuzz-campaign.XXXXXX)}
mkdir -p "$work"
[ -n "$out" ] || out=$src/tests/fuzz/results/campaign-$(date -u +%Y-%m-%d-%H%M).md
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "$src" -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbuildtype=debugoptimized >"$work/setup.log" 2>&1 ||
		{ cat "$work/setup.log" >&2; exit 1; }
fi
ninja -C "$build" >"$work/build.log" 2>&1 || { tail -50 "$work/build.log" >&2; exit 1; }

if [ $# -eq 0 ]; then
	set -- $(cd "$build/tests/fuzz" && ls fuzz_* | sed 's/^fuzz_//' | sort)
fi
# Copy the binaries so a rebuild while the campaign runs cannot change them underneath.
mkdir -p "$work/bin"
for t in "$@"; do
	[ -x "$build/tests/fuzz/fuzz_$t" ] || { echo "no target fuzz_$t in $build" >&2; exit 1; }
	cp "$build/tests/fuzz/fuzz_$t" "$work/bin/"
done

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# run_target NAME: fuzz for $seconds, restarting after findings; writes $work/NAME/row.
run_target() {
	local t=$1 dir=$work/$1 corpus=$src/tests/fuzz/corpus/$1
	local start now left execs=0 cov=- ft=- before after restarts=0 log n
	mkdir -p "$dir/new" "$dir/findings" "$corpus"
	before=$(find "$corpus" -maxdepth 1 -type f | wc -l)
	start=$(date +%s)
	left=$seconds
	while [ "$left" -gt 0 ] && [ $restarts -le 20 ]; do
		log=$dir/run-$restarts.log
		"$work/bin/fuzz_$t" -max_total_time="$left" -print_final_stats=1 -timeout=60 \
			-rss_limit_mb=2048 -artifact_prefix="$dir/findings/" \
			"$dir/new" "$corpus" >"$log" 2>&1 || true
		# a run ended by a finding prints no final stats: take its last status line then
		n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
		[ -n "$n" ] || n=$(sed -n 's/^#\([0-9][0-9]*\)[[:space:]].*/\1/p' "$log" | tail -1)
		execs=$((execs + ${n:-0}))
		local line
		line=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
		if [ -n "$line" ]; then
			cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$line")
			ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$line")
		fi
		now=$(date +%s)
		left=$((seconds - (now - start)))
		restarts=$((restarts + 1))
	done
	local elapsed=$(( $(date +%s) - start ))
	local rate=$(( elapsed > 0 ? execs / elapsed : execs ))
	local grown
	grown=$(find "$dir/new" -maxdepth 1 -type f | wc -l)
	if [ "$merge" = 1 ] && [ "$grown" -gt 0 ]; then
		"$work/bin/fuzz_$t" -merge=1 -timeout=60 -rss_limit_mb=2048 \
			-artifact_prefix="$dir/findings/merge-" "$corpus" "$dir/new" \
			>"$dir/merge.log" 2>&1 || echo "merge of $t failed, see $dir/merge.log" >&2
	fi
	after=$(find "$corpus" -maxdepth 1 -type f | wc -l)
	local findings
	findings=$(find "$dir/findings" -maxdepth 1 -type f | wc -l)
	local names
	names=$(cd "$dir/findings" && ls | tr '\n' ' ' | sed 's/ $//')
	printf '| %s | %s | %d | %d | %s | %s | %d | %d | %d | %s |\n' "$t" \
		"$(awk -v s="$elapsed" 'BEGIN { printf "%.1f", s / 60 }')" "$execs" "$rate" \
		"$cov" "$ft" "$before" "$after" "$findings" "${names:--}" >"$dir/row"
	echo "$(date -u +%H:%M:%S) $t done: $execs execs, cov $cov, ft $ft, corpus $before -> $after, findings $findings" >&2
}

echo "$(date -u +%H:%M:%S) campaign: ${minutes} min per target, $jobs at once: $*; work in $work" >&2
started=$(date -u '+%Y-%m-%d %H:%M UTC')
for t in "$@"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n || true
	done
	run_target "$t" &
done
wait

{
	echo "# Fuzzing campaign $started"
	echo
	echo "${minutes} min per target, $jobs target(s) at once, on $(nproc) cores ($(uname -m)),"
	echo "$(clang --version | head -1), libFuzzer with ASan+UBSan, commit $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)."
	echo "Coverage is libFuzzer's final \`cov:\` (edges) and \`ft:\` (features); the corpus"
	echo "columns count tests/fuzz/corpus/NAME before the run and after merging the new units."
	echo
	echo "| target | minutes | executions | exec/s | cov | ft | corpus before | corpus after | findings | finding files |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	for t in "$@"; do
		cat "$work/$t/row"
	done
} >"$out"
for t in "$@"; do
	if [ -n "$(ls "$work/$t/findings")" ]; then
		mkdir -p "${out%.md}-findings/$t"
		cp "$work/$t/findings/"* "${out%.md}-findings/$t/"
	fi
done
cat "$out"
echo "results: $out; logs: $work" >&2
