#!/bin/bash
# The Debian packages bench/run.sh needs: those of the build and the tests (tests/deps.sh) and
# tinc 1.0, the third system in the comparison (Debian's tinc enables a tinc.service for the
# nets in /etc/tinc/nets.boot, none: the bench runs tincd with -c on its own directories).
# Idempotent: does nothing (and needs no network) when all are present. Debian 12, as root.
set -euo pipefail

exec bash "$(dirname "$0")/../tests/deps.sh" tinc
