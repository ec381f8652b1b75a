#!/usr/bin/env bash
# Lessons stepped at a person's pace cross the kernel's timers, and still
# pass, with the timer said in words:
#   08 at 2 s a step: the TIME-WAIT made at step 9 ends before the last step;
#   13 at 3 s a step: held segments are resent by their timers meanwhile;
#   01 with a 65 s pause before its last step: its TIME-WAIT ends; once more
#   in Chinese (--lang zh), where the timer's sentence is Chinese too, and
#   its trace keeps the English one;
#   18 at 1 s a step: its two traced programs wait between steps (the lab
#   serves their start-up meanwhile) and pass as at machine speed.
# The five run side by side (they mostly sleep): one CTest slot, ~100 s.
# usage: paced_lessons.sh SOCKLAB SOURCE_DIR
set -uo pipefail
socklab=$1
lessons=$2/lessons
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT

run() {   # NAME ARGS...: the transcript in $work/NAME.out, the exit code in $work/NAME.rc
	local name=$1
	shift
	(XDG_STATE_HOME=$work/state-$name "$socklab" run --plain "$@" >"$work/$name.out" 2>&1
	 echo $? >"$work/$name.rc") &
	pids+=($!)
}
run 08 --pace 2 "$lessons/08-closing.lesson"
run 13 --pace 3 "$lessons/13-handshake-slow.lesson"
run 01 --pause last:65 "$lessons/01-echo.lesson"
# Chinese needs a UTF-8 locale; C.UTF-8 is always there.
LC_ALL=C.UTF-8 run 01zh --lang zh --pause last:65 --trace "$work/01zh.trace" "$lessons/01-echo.lesson"
run 18 --pace 1 "$lessons/18-programs.lesson"
wait "${pids[@]}"
pids=()

passed=0 failed=0 skipped=0
fail() {
	echo "FAIL: $1: $2" >&2
	echo "---- $1's transcript (the end) ----" >&2
	tail -n 30 "$work/$1.out" >&2
	failed=$((failed + 1))
}
check() {   # NAME SENTENCE...: exit 0 and every sentence in the transcript
	local name=$1 rc
	shift
	rc=$(cat "$work/$name.rc")
	if [ "$rc" != 0 ]; then
		fail "$name" "exit $rc, expected 0"
		return
	fi
	for sentence in "$@"; do
		if ! grep -qF -- "$sentence" "$work/$name.out"; then
			fail "$name" "the transcript does not say: $sentence"
			return
		fi
	done
	passed=$((passed + 1))
}
check 08 "timer  server a1 TIME-WAIT: TIME-WAIT ended: " "longer than its 60 s timer; the kernel freed the port" \
	"every expectation met (1 after a kernel timer ended the state"
check 01 "timer  client c TIME-WAIT: TIME-WAIT ended: " "longer than its 60 s timer; the kernel freed the port"
check 01zh "TIME-WAIT 已结束：从第 13 步起过了 " "超过了它 60 秒的计时器；内核释放了这个端口"
# The trace keeps the model's English whatever the language shown.
timers=$(grep -o '"timers_ended":\[[^]]*\]' "$work/01zh.trace" 2>/dev/null)
if ! grep -qF 'TIME-WAIT ended: ' <<<"$timers" || LC_ALL=C grep -q '[^ -~]' <<<"$timers"; then
	fail 01zh "the trace's timers_ended is not the English sentence: ${timers:-none}"
else
	passed=$((passed + 1))
fi
# Holding needs the lab's private network namespace: elsewhere 13 skips its steps.
if grep -q '^held: segments are not held' "$work/13.out"; then
	echo "skip: 13: $(grep '^held: ' "$work/13.out")"
	skipped=$((skipped + 1))
else
	check 13 "resent  the kernel resent the SYN" "(retransmission timer, " "every expectation met"
fi
# 18's programs are Python's, and need the private network (their fixed port).
if ! command -v python3 >/dev/null; then
	echo "skip: 18: no python3"
	skipped=$((skipped + 1))
elif ! grep -q '^sandbox: private netns' "$work/18.out"; then
	echo "skip: 18: $(grep -m1 '^sandbox: ' "$work/18.out")"
	skipped=$((skipped + 1))
else
	check 18 "15 of 15 steps run, every expectation met"
fi
echo "paced: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
