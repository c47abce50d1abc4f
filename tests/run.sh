#!/bin/bash
# The README's test command: install what is missing, build, run every test suite.
#
#   tests/run.sh [BUILD_DIR [MESON_SETUP_ARGS...]]
#
# BUILD_DIR defaults to build/. CC picks the compiler (gcc by default). Exit status is the test
# run's; the results stay in BUILD_DIR/meson-logs/testlog.{txt,json}.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/deps.sh
build=${1:-build}
shift || true
export CC=${CC:-gcc}

if [ -f "$build/build.ninja" ]; then
	meson setup --reconfigure "$build" "$@" >/dev/null
else
	meson setup "$build" "$@" >/dev/null
fi
ninja -C "$build"
meson test -C "$build" --print-errorlogs --num-processes "$(nproc)"
