#!/usr/bin/env bash
# Kills socklab at random points, many times, with each stop signal, and
# checks that nothing is left: no socklab or puppet process, no directory of
# the lab in /tmp, and (in tmux) a sane terminal (stty -g equal before and
# after). SIGKILL cannot be caught: after it the terminal is left as curses
# had it, so the TUI is killed with the catchable signals only.
#
#   tests/kill_soak.sh SOCKLAB [ROUNDS]     (CI: 3 rounds; the long run: 100)
set -uo pipefail
socklab=$(realpath "$1")
rounds=${2:-3}
lesson=$(mktemp /tmp/socklab-kill-XXXXXX.lesson)
cp "$(dirname "$0")/../lessons/08-closing.lesson" "$lesson"
state=$(mktemp -d)
export XDG_STATE_HOME=$state
passed=0 failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

leftovers() {
	# Puppets die with their controller (PR_SET_PDEATHSIG): give the kernel
	# a moment to deliver that, polling rather than sleeping blindly.
	for _ in $(seq 200); do
		pgrep -f "^$socklab run .*$lesson" >/dev/null || return 1
		sleep 0.01
	done
	return 0
}

for signal in INT TERM HUP KILL; do
	for round in $(seq "$rounds"); do
		for path in "" --host; do
			"$socklab" run --plain $path "$lesson" >/dev/null 2>&1 &
			pid=$!
			# A random point: 0 to 60 ms into the run (the lesson takes ~100 ms).
			sleep "0.0$((RANDOM % 6))$((RANDOM % 10))"
			kill -s "$signal" "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			if leftovers; then
				fail "SIG$signal round $round $path: a process outlived the run"
				pkill -KILL -f "^$socklab run .*$lesson"
			else
				passed=$((passed + 1))
			fi
		done
	done
done
# A killed host-path run's directory is cleared by the next run of the user.
"$socklab" run --plain --host 01 >/dev/null 2>&1
for dir in /tmp/socklab-[0-9]*-*; do
	[ -d "$dir" ] || continue
	owner_pid=${dir#/tmp/socklab-}
	owner_pid=${owner_pid%%-*}
	kill -0 "$owner_pid" 2>/dev/null || fail "a dead run's directory remains: $dir"
done

if command -v tmux >/dev/null; then
	for signal in INT TERM HUP; do
		for round in $(seq "$rounds"); do
			socket=socklab-kill-$$-$signal-$round   # a fresh server each time
			tmux -u -L "$socket" -f /dev/null new-session -d -x 80 -y 24 \
				"stty -g > $state/before; LANG=C.UTF-8 $socklab run $lesson; stty -g > $state/after; sleep 30"
			# Wait for the lesson screen, then step a random number of times.
			for _ in $(seq 300); do
				tmux -L "$socket" capture-pane -p 2>/dev/null | grep -q "SERVER" && break
				sleep 0.01
			done
			for _ in $(seq $((RANDOM % 12))); do tmux -L "$socket" send-keys ' '; done
			pkill -"$signal" -f "^$socklab run $lesson" 2>/dev/null   # not the shell around it
			for _ in $(seq 300); do
				[ -s "$state/after" ] && break
				sleep 0.01
			done
			if ! cmp -s "$state/before" "$state/after"; then
				fail "TUI SIG$signal round $round: the terminal was not restored"
			elif leftovers; then
				fail "TUI SIG$signal round $round: a process outlived the run"
			else
				passed=$((passed + 1))
			fi
			rm -f "$state/before" "$state/after"
			tmux -L "$socket" kill-server 2>/dev/null
		done
	done
fi
rm -rf "$state" "$lesson"
echo "kill: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
