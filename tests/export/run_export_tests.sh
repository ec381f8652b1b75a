#!/usr/bin/env bash
# socklab export: every golden trace and every shipped lesson exported as
# SVG must be valid XML (xmllint), render to PNG (rsvg-convert) and hold
# every call and state of its run (check_export.py); lesson 01's SVG from
# its golden trace must equal traces/01-echo.svg byte for byte.
#
#   tests/export/run_export_tests.sh SOCKLAB
#
# Exits 77 (skipped) without xmllint or rsvg-convert (Debian:
# libxml2-utils, librsvg2-bin; tools/setup.sh test installs them).
set -uo pipefail
socklab=$(realpath "${1:?usage: run_export_tests.sh SOCKLAB}")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
for tool in xmllint rsvg-convert python3; do
	if ! command -v "$tool" >/dev/null; then
		echo "skipped: no $tool (tools/setup.sh test installs it)" >&2
		exit 77
	fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# SVG TRACE: well-formed, renders, and shows the run.
check_svg() {
	local svg=$1 trace=$2
	xmllint --noout "$svg" || { fail "$svg is not valid XML"; return; }
	rsvg-convert -o "$work/picture.png" "$svg" || { fail "rsvg-convert could not render $svg"; return; }
	[ -s "$work/picture.png" ] || fail "rsvg-convert gave an empty PNG for $svg"
	python3 "$here/check_export.py" "$svg" "$trace" || fail "$svg does not show its run"
}

cd "$root"
for trace in traces/*.trace; do
	name=$(basename "$trace" .trace)
	if ! "$socklab" export --svg -o "$work/$name.svg" "$trace"; then
		fail "export of $trace"
		continue
	fi
	check_svg "$work/$name.svg" "$trace"
done
echo "golden traces: checked $(ls traces/*.trace | wc -l)"

# The golden picture: the same bytes from the same normalised trace.
"$socklab" export --svg traces/01-echo.trace >"$work/golden.svg" \
	&& diff -u traces/01-echo.svg "$work/golden.svg" >"$work/golden.diff" \
	|| { fail "traces/01-echo.svg differs from the export of traces/01-echo.trace:"; head -40 "$work/golden.diff" >&2; }

# Every shipped lesson, run on the kernel (the private path), its own run
# recorded beside the picture to check it against.
for lesson in lessons/*.lesson; do
	name=$(basename "$lesson" .lesson)
	"$socklab" export --svg --trace "$work/$name.run" -o "$work/$name.lesson.svg" "$lesson" >"$work/out" 2>&1
	code=$?
	# 1: an expectation was not met (a timing race of that run): the picture is still whole.
	if [ $code -gt 1 ]; then
		fail "export of $lesson exited $code: $(cat "$work/out")"
		continue
	fi
	check_svg "$work/$name.lesson.svg" "$work/$name.run"
done
echo "lessons: checked $(ls lessons/*.lesson | wc -l)"

# The host path, and the handout.
"$socklab" export --host --html --trace "$work/host.run" -o "$work/01.html" 01 >/dev/null 2>&1 \
	|| fail "export --host --html of lesson 01"
xmllint --noout "$work/01.html" || fail "the HTML handout is not well-formed"
grep -q 'socket() asks the kernel for a new TCP endpoint' "$work/01.html" || fail "the handout lacks step 1's text"
grep -q 'A server and a client, two processes on this machine' "$work/01.html" || fail "the handout lacks the intro"
[ "$(grep -c '<h2>step ' "$work/01.html")" -eq 14 ] || fail "the handout has not 14 steps"
grep -q '<script' "$work/01.html" && fail "the handout holds a script"
grep -q '"sandbox":"host' "$work/host.run" || fail "--host did not run on the host path: $(head -c 200 "$work/host.run")"

# A bare number is socklab's lesson even beside a file of that name; a path to a trace is the trace.
mkdir -p "$work/here" && cp traces/02-socket.trace "$work/here/01"
(cd "$work/here" && "$socklab" export -o lesson.svg 01; "$socklab" export -o trace.svg ./01) >/dev/null 2>&1
grep -q '<title>01-echo:' "$work/here/lesson.svg" || fail "export 01 did not take lesson 01"
grep -q '<title>02-socket:' "$work/here/trace.svg" || fail "export ./01 did not read the trace"

# Refusals: one file for two jobs, a missing lesson.
"$socklab" export -o traces/01-echo.trace traces/01-echo.trace 2>"$work/err" && fail "export overwrote its own trace"
grep -q "overwrite" "$work/err" || fail "no word on overwriting: $(cat "$work/err")"
"$socklab" export no-such-lesson 2>"$work/err" && fail "export of a missing lesson succeeded"
grep -q "no lesson 'no-such-lesson'" "$work/err" || fail "missing lesson: $(cat "$work/err")"
ls "$work"/*.partial >/dev/null 2>&1 && fail "a partial file was left behind"

if [ $failures -gt 0 ]; then
	echo "$failures export check(s) failed" >&2
	exit 1
fi
echo "export: all checks passed"
