#!/usr/bin/env bash
# N headless runs of lesson 01 at once (default 200): every one must pass.
# Prints the failures and the wall time. A figure, not a CI test.
set -uo pipefail
socklab=${1:-build/socklab}
runs=${2:-200}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
start=$(date +%s.%N)
for i in $(seq "$runs"); do
	"$socklab" run --plain 01 >"$dir/$i.out" 2>&1 &
done
failed=0
for job in $(jobs -p); do
	wait "$job" || failed=$((failed + 1))
done
end=$(date +%s.%N)
printf 'concurrent   %d runs of lesson 01 at once on %d CPUs: %d failed, wall time %.1f s\n' \
	"$runs" "$(nproc)" "$failed" "$(awk "BEGIN { print $end - $start }")"
[ "$failed" -eq 0 ]
