#!/usr/bin/env bash
# Figures for stepping programs in the TUI (not a test): the slowest key of
# each program pattern, press to changed frame, measured through tmux by
# the TUI tests that step them to their end (goal: 100 ms a key). Run it
# on a quiet machine: a loaded one measures its own queue.
#
#   tests/bench_keys.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
build=${1:-build}
rounds=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
command -v tmux >/dev/null || { echo "bench_keys: tmux is not installed" >&2; exit 2; }

figures=$(mktemp)
trap 'rm -f "$figures"' EXIT
for _ in $(seq "$rounds"); do
	bash "$here/tui/run_tui_tests.sh" "$build/socklab" stepping_a_forking_server_releases_every_process_promptly \
		every_program_pattern_steps_to_its_end_promptly 2>&1 |
		sed -n 's/^ *\([a-z]*\): slowest key \([0-9]*\) ms.*/\1 \2/p' >>"$figures"
done
[ -s "$figures" ] || { echo "bench_keys: the TUI tests printed no figure (did they run?)" >&2; exit 1; }
echo "slowest stepping key through tmux, per pattern, over $rounds rounds (goal 100 ms):"
for pattern in fork threads loop script late crash dual printer; do
	awk -v p="$pattern" '$1 == p { print $2 }' "$figures" | sort -n | awk -v p="$pattern" '{ v[NR] = $1 } END {
		if (NR) printf "  %-8s min %4d ms  median %4d ms  max %4d ms\n", p, v[1], v[int((NR + 1) / 2)], v[NR]
	}'
done
