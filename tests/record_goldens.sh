#!/usr/bin/env bash
# Records every lesson's golden traces again: traces/NAME.trace from the
# private path (packets included) and traces/NAME.host.trace from the host
# path (no packets there, ports mapped, INADDR_ANY bound as loopback). Run it
# only when a lesson or the lab's output changed on purpose, then read
# `git diff traces/` before committing.
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
