#!/usr/bin/env bash
# run_cases.sh SOCKLAB — every NAME.case here through the real binary, in a
# copy of this directory (nothing written here), progress kept there too.
set -u
socklab=${1:?usage: run_cases.sh PATH/TO/socklab}
case $socklab in /*) ;; *) socklab=$PWD/$socklab ;; esac   # the cases run elsewhere
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/socklab-hostile.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
for case_file in "$here"/*.case; do
	name=$(basename "$case_file" .case)
	rm -rf "$work/dir" && cp -r "$here" "$work/dir"
	args=$(sed -n 's/^args: //p' "$case_file")
	want_exit=$(sed -n 's/^exit: //p' "$case_file")
	want_out=$(sed -n 's/^stdout: \{0,1\}//p' "$case_file")
	want_start=$(sed -n 's/^stdout-starts: //p' "$case_file")
	want_err=$(sed -n 's/^stderr: \{0,1\}//p' "$case_file")
	# shellcheck disable=SC2086  # the arguments are words, as written
	(cd "$work/dir" && env -u SOCKLAB_LESSONS XDG_STATE_HOME="$work/state" "$socklab" $args \
		>"$work/out" 2>"$work/err" </dev/null)
	code=$?
	problem=
	[ "$code" = "$want_exit" ] || problem="exit $code, not $want_exit"
	if [ -n "$want_start" ]; then
		[ "$(head -n 1 "$work/out")" = "$want_start" ] || problem="${problem:+$problem; }stdout starts: $(head -n 1 "$work/out")"
	elif [ "$(cat "$work/out")" != "$want_out" ]; then
		problem="${problem:+$problem; }stdout: $(head -c 300 "$work/out")"
	fi
	[ "$(cat "$work/err")" = "$want_err" ] || problem="${problem:+$problem; }stderr: $(head -c 400 "$work/err")"
	if [ -z "$problem" ]; then
		passed=$((passed + 1))
		echo "ok    $name"
	else
		failed=$((failed + 1))
		echo "FAIL  $name: $problem"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
