#!/usr/bin/env bash
# A lesson counts as done only when stepped to its end with every
# expectation met: one that ended with FAILED is "tried, N failed" in
# `socklab progress`, until a clean run makes it done.
# usage: progress_rule.sh SOCKLAB
set -uo pipefail
socklab=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_STATE_HOME=$work/state
lesson=$work/rule.lesson
write_lesson() {   # the fd socket() returns, as the lesson expects it
	cat >"$lesson" <<LESSON
title: progress rule
sides: server client

step server: s = socket(AF_INET, SOCK_STREAM)
  expect: $1
step server: close(s)
  expect: 0
LESSON
}
failed=0
expect_line() {   # PATTERN WHY
	local line
	line=$("$socklab" progress | grep '^rule ')
	if ! grep -qE -- "$1" <<<"$line"; then
		echo "FAIL: $2: got '$line'" >&2
		failed=1
	fi
}
write_lesson 7
"$socklab" run --plain "$lesson" >"$work/out" 2>&1
rc=$?
[ "$rc" = 1 ] || { echo "FAIL: a failing run exits $rc, expected 1" >&2; failed=1; }
expect_line '2/2 +steps +tried, 1 failed' "a run to the end with a failure is tried, not done"
write_lesson 3
"$socklab" run --plain "$lesson" >"$work/out" 2>&1 || { echo "FAIL: the clean run failed" >&2; cat "$work/out" >&2; failed=1; }
expect_line '2/2 +steps +done' "a clean run to the end is done"
write_lesson 7
"$socklab" run --plain "$lesson" >"$work/out" 2>&1
expect_line '2/2 +steps +done' "done stays done after a later failed run"
if [ $failed -eq 0 ]; then echo "progress_rule: 3 passed, 0 failed"; fi
exit $failed
