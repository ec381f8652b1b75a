#!/usr/bin/env bash
# Records every lesson's golden traces again: traces/NAME.trace from the
# private path (packets included) and traces/NAME.host.trace from the host
# path (no packets there, ports mapped, INADDR_ANY bound as loopback). Run it
# only when a lesson or the lab's output changed on purpose, then read
# `git diff traces/` before committing. traces/01-echo.svg is lesson 01's
# exported diagram (socklab export), made from its golden trace.
set -euo pipefail
socklab=${1:-build/socklab}
cd "$(dirname "$0")/.."
trace=$(mktemp)
trap 'rm -f "$trace"' EXIT
for lesson in lessons/*.lesson; do
	name=$(basename "$lesson" .lesson)
	"$socklab" run --plain --trace "$trace" "$lesson" >/dev/null
	"$socklab" normalise "$trace" >"traces/$name.trace"
	"$socklab" run --plain --host --trace "$trace" "$lesson" >/dev/null
	"$socklab" normalise "$trace" >"traces/$name.host.trace"
	echo "recorded $name"
done
# The golden picture: lesson 01's diagram, from its normalised trace.
"$socklab" export --svg traces/01-echo.trace >traces/01-echo.svg
echo "recorded 01-echo.svg"
