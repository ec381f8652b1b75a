#!/usr/bin/env bash
# 4 headless host-path runs of every lesson at once (`run --terse --host`):
# labs on one machine must not see or reach each other's sockets, so every
# run must pass. Prints each failure's transcript tail and a summary line.
# Usage: tests/concurrent_host.sh [SOCKLAB] [RUNS_PER_LESSON]
set -uo pipefail
socklab=${1:-build/socklab}
runs=${2:-4}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
lessons=$("$socklab" list | awk '{ print $1 }')
failed=0
total=0
for lesson in $lessons; do
	pids=()
	for i in $(seq "$runs"); do
		"$socklab" run --terse --host "$lesson" >"$dir/$lesson.$i.out" 2>&1 &
		pids+=("$!")
	done
	for i in $(seq "$runs"); do
		total=$((total + 1))
		if ! wait "${pids[$((i - 1))]}"; then
			failed=$((failed + 1))
			echo "--- $lesson run $i failed:"
			tail -n 15 "$dir/$lesson.$i.out"
		fi
	done
done
printf 'concurrent   %d host-path runs (%d of each lesson at once): %d failed\n' "$total" "$runs" "$failed"
[ "$failed" -eq 0 ]
