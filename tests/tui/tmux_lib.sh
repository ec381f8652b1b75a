# tmux_lib.sh — drives the real socklab in a private tmux server and reads
# its screen back. Sourced by run_tui_tests.sh.
#
# Every wait polls `tmux capture-pane -p` until the text shows or a
# deadline passes, then fails with the screen printed: no blind sleeps.
# curses sends a frame in several writes, so a match counts once two
# captures in a row are equal: the frame is whole, not half drawn.

TUI_TMUX_SOCKET="socklab-test-$$"
TUI_DEADLINE_S=${TUI_DEADLINE_S:-5}
TUI_POLL_S=0.02

tmux_run() {
	# -u: the pane speaks UTF-8 whatever the locale of whoever runs the tests.
	tmux -u -L "$TUI_TMUX_SOCKET" -f /dev/null "$@"
}

# start_pane NAME WIDTH HEIGHT COMMAND...: a detached session running COMMAND.
start_pane() {
	local name=$1 width=$2 height=$3
	shift 3
	tmux_run new-session -d -s "$name" -x "$width" -y "$height" "$*"
}

capture() {
	tmux_run capture-pane -p -t "$1"
}

keys() {
	local name=$1
	shift
	tmux_run send-keys -t "$name" "$@"
}

# The shell's pid in the pane (the wrapper), and socklab's under it.
pane_pid() {
	tmux_run display-message -p -t "$1" '#{pane_pid}'
}

fail_with_screen() {
	local name=$1
	shift
	echo "    FAIL: $*" >&2
	echo "    ---- screen of $name ----" >&2
	capture "$name" 2>/dev/null | sed 's/^/    |/' >&2
	echo "    -------------------------" >&2
	return 1
}

now_s() {
	date +%s.%N
}

before_deadline() {
	awk -v now="$(now_s)" -v end="$1" 'BEGIN { exit !(now < end) }'
}

deadline_in() {
	awk -v now="$(now_s)" -v add="$1" 'BEGIN { printf "%.3f", now + add }'
}

# wait_until NAME GREP-OPTION PATTERN SECONDS: the screen matches, whole.
wait_until() {
	local name=$1 option=$2 pattern=$3 end screen previous=
	end=$(deadline_in "$4")
	while before_deadline "$end"; do
		screen=$(capture "$name" 2>/dev/null)
		if [ "$screen" = "$previous" ] && grep -q "$option" -- "$pattern" <<<"$screen"; then
			return 0
		fi
		previous=$screen
		sleep "$TUI_POLL_S"
	done
	fail_with_screen "$name" "no '$pattern' on screen within $4 s"
}

# wait_for NAME 'grep -E pattern' [seconds]: until the screen matches.
wait_for() {
	wait_until "$1" -E "$2" "${3:-$TUI_DEADLINE_S}"
}

# wait_for_text NAME TEXT [seconds]: the same for a fixed string.
wait_for_text() {
	wait_until "$1" -F "$2" "${3:-$TUI_DEADLINE_S}"
}

# wait_for_count NAME PATTERN COUNT [seconds]: until COUNT lines of the
# screen, whole, match the grep -E PATTERN.
wait_for_count() {
	local name=$1 pattern=$2 count=$3 end screen previous= found=
	end=$(deadline_in "${4:-$TUI_DEADLINE_S}")
	while before_deadline "$end"; do
		screen=$(capture "$name" 2>/dev/null)
		found=$(grep -cE -- "$pattern" <<<"$screen")
		if [ "$screen" = "$previous" ] && [ "$found" = "$count" ]; then
			return 0
		fi
		previous=$screen
		sleep "$TUI_POLL_S"
	done
	fail_with_screen "$name" "$found lines, not $count, match '$pattern' within ${4:-$TUI_DEADLINE_S} s"
}

# wait_for_file PATH [seconds]
wait_for_file() {
	local path=$1 end
	end=$(deadline_in "${2:-$TUI_DEADLINE_S}")
	while before_deadline "$end"; do
		[ -s "$path" ] && return 0
		sleep "$TUI_POLL_S"
	done
	echo "    FAIL: $path did not appear within ${2:-$TUI_DEADLINE_S} s" >&2
	return 1
}

# expect_screen NAME PATTERN WHAT: the screen now shows it (no waiting).
expect_screen() {
	capture "$1" | grep -qE -- "$2" || fail_with_screen "$1" "expected $3 (/$2/)"
}

expect_not_screen() {
	! capture "$1" | grep -qE -- "$2" || fail_with_screen "$1" "did not expect $3 (/$2/)"
}

# A process is gone when it no longer exists or is a zombie nobody reaped yet.
process_gone() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[ "$state" = Z ]
}

# wait_gone PID... : every pid exits within the deadline.
wait_gone() {
	local end pid left
	end=$(deadline_in "$TUI_DEADLINE_S")
	while before_deadline "$end"; do
		left=
		for pid in "$@"; do
			process_gone "$pid" || left="$left $pid"
		done
		[ -z "$left" ] && return 0
		sleep "$TUI_POLL_S"
	done
	left=${left# }
	echo "    FAIL: still running: $left" >&2
	ps -o pid,ppid,stat,args -p "${left// /,}" >&2 2>/dev/null
	return 1
}
