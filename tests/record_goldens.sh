#!/usr/bin/env bash
# Records every lesson's golden trace again: traces/NAME.trace from the
# private path, and traces/NAME.host.trace from the host path where that
# file exists. Run it only when a lesson or the lab's output changed on
# purpose, then read `git diff traces/` before committing.
set -euo pipefail
socklab=${1:-build/socklab}
cd "$(dirname "$0")/.."
trace=$(mktemp)
trap 'rm -f "$trace"' EXIT
for lesson in lessons/*.lesson; do
	name=$(basename "$lesson" .lesson)
	"$socklab" run --plain --trace "$trace" "$lesson" >/dev/null
	"$socklab" normalise "$trace" >"traces/$name.trace"
	if [ -f "traces/$name.host.trace" ]; then
		"$socklab" run --plain --host --trace "$trace" "$lesson" >/dev/null
		"$socklab" normalise "$trace" >"traces/$name.host.trace"
	fi
	echo "recorded $name"
done
