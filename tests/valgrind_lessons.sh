#!/usr/bin/env bash
# Every lesson's --plain run under valgrind memcheck: no error, no leak.
# valgrind follows the controller only (puppets are forked children that
# make one system call at a time; their memory is the controller's copy).
set -uo pipefail
socklab=$1
lessons=$(dirname "$0")/../lessons
passed=0 failed=0
skipped=0
for lesson in "$lessons"/*.lesson; do
	# A lesson whose sides are programs runs them under ptrace with a
	# seccomp filter, which valgrind cannot emulate (it refuses the filter):
	# the tracer runs under AddressSanitizer in the suite instead.
	if grep -q '^program ' "$lesson"; then
		echo "valgrind: $(basename "$lesson") skipped: its programs run under ptrace and seccomp"
		skipped=$((skipped + 1))
		continue
	fi
	log=$(mktemp)
	if valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --child-silent-after-fork=yes \
		"$socklab" run --plain "$lesson" >/dev/null 2>"$log"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "valgrind: $lesson" >&2
		cat "$log" >&2
	fi
	rm -f "$log"
done
echo "valgrind: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
