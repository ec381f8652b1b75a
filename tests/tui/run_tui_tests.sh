#!/usr/bin/env bash
# run_tui_tests.sh SOCKLAB — the curses frontend's tests: the real binary,
# driven in a private tmux server, its screen read back with capture-pane.
#
# Prints one line a test and then "N passed, N failed"; exits 1 when any
# failed, 77 (skipped) without tmux.
set -u
# The screen checks below match box-drawing characters: read them as UTF-8
# whatever locale (or none) the tests were started with.
export LC_ALL=C.UTF-8

here=$(cd "$(dirname "$0")" && pwd)
. "$here/tmux_lib.sh"

SOCKLAB=${1:?usage: run_tui_tests.sh PATH/TO/socklab}
if ! command -v tmux >/dev/null; then
	echo "tmux is not installed: TUI tests skipped"
	exit 77
fi
export SOCKLAB_LESSONS="$here/../../lessons"

work=$(mktemp -d "${TMPDIR:-/tmp}/socklab-tui.XXXXXX")
cleanup() {
	tmux_run kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TUI_TMUX_SOCKET"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The pane runs socklab through this wrapper: it records the terminal's
# modes before and after, and socklab's exit code, then stays open.
cat >"$work/wrapper.sh" <<'WRAPPER'
dir=$1
shift
ulimit -c 0
# Ctrl-C reaches the whole foreground group, this shell too: catch it (a
# caught signal is default again in socklab) so the shell records the end.
trap : INT
echo $$ >"$dir/wrapper-pid"
stty -g >"$dir/stty-before"
"$@"
echo $? >"$dir/exit-code"
stty -g >"$dir/stty-after"
echo "WRAPPER-DONE"
exec sleep 600
WRAPPER

# launch NAME WIDTH HEIGHT [VAR=VALUE...] -- SOCKLAB-ARGS...
launch() {
	local name=$1 width=$2 height=$3
	shift 3
	# A student's terminal speaks UTF-8 unless a test says otherwise (LANG=C):
	# CI and `su -` may run with no locale at all.
	# Progress and history: a directory of the pane's own, never the tester's
	# home (a test that shares one between panes names it: the last wins).
	local environment=(LANG=C.UTF-8 "XDG_STATE_HOME=$work/state-$name")
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		environment+=("$1")
		shift
	done
	shift
	mkdir -p "$work/$name"
	start_pane "$name" "$width" "$height" \
		"$(printf '%q ' env "${environment[@]}" sh "$work/wrapper.sh" "$work/$name" "$SOCKLAB" "$@")"
}

# press NAME KEY COUNT
press() {
	local i
	for ((i = 0; i < $3; i++)); do
		keys "$1" "$2"
	done
}

# terminal_restored NAME: stty -g after socklab as it was before.
terminal_restored() {
	cmp -s "$work/$1/stty-before" "$work/$1/stty-after" && return 0
	echo "    FAIL: stty -g before and after differ" >&2
	return 1
}

# quit NAME: q, and socklab's exit code is 0.
quit() {
	keys "$1" q
	wait_for_file "$work/$1/exit-code" || return 1
	[ "$(cat "$work/$1/exit-code")" = 0 ] || {
		echo "    FAIL: exit code $(cat "$work/$1/exit-code")" >&2
		return 1
	}
}

# What differs between two runs of one lesson: the ephemeral port and the
# TIME-WAIT countdown.
normalise() {
	sed -E -e 's/:65432/:LESSON-PORT/g' -e 's/:[0-9]{4,5}/:EPHEMERAL/g' -e 's/timer [0-9]+ s/timer N s/g'
}

# same_screen NAME EXPECTED WHAT: the normalised screen equals EXPECTED.
same_screen() {
	local now
	now=$(capture "$1" | normalise)
	if [ "$now" != "$2" ]; then
		echo "    FAIL: $3 differs (< expected, > shown):" >&2
		diff <(echo "$2") <(echo "$now") | sed 's/^/    /' >&2
		return 1
	fi
}

# ---- the tests ------------------------------------------------------------

first_screen_shows_both_panes_and_the_next_call() {
	launch first 80 24 -- run 01
	wait_for_text first "step 0/14" || return 1
	expect_screen first "SERVER" "the server pane" &&
		expect_screen first "CLIENT" "the client pane" &&
		expect_screen first "no socket yet" "empty panes" &&
		expect_screen first "next +server: ls = socket\(AF_INET, SOCK_STREAM\)" "the next call" &&
		expect_screen first "space next .* q quit" "the key line" &&
		quit first
}

stepping_the_echo_lesson_shows_each_state_the_kernel_has() {
	launch step 80 24 -- run 01
	wait_for_text step "step 0/14" || return 1
	press step Space 3
	wait_for_text step "step 3/14" || return 1
	expect_screen step "\*ls=3 +127\.0\.0\.1:65432" "the listening socket, marked as changed" &&
		expect_screen step "\*LISTEN +\*accept queue 0 of 5" "LISTEN and its accept queue in words" || return 1
	press step Space 1
	wait_for_text step "step 4/14" || return 1
	expect_screen step ">conn = accept\(ls\) +\.\.\. blocked" "the blocked accept" &&
		expect_screen step "SERVER ─* blocked in the kernel|SERVER q* blocked in the kernel" "the pane's blocked mark" ||
		return 1
	press step Space 2
	wait_for_text step "step 6/14 part 1/2" || return 1
	expect_screen step "^│\*-- +127\.0\.0\.1:65432" "the accepted-queue socket with no fd" &&
		expect_screen step "in accept queue, no fd" "why it has no fd" &&
		expect_screen step "LISTEN +\*accept queue 1 of 5" "the accept queue count" &&
		expect_screen step "\*c=3 .*" "the client's socket, changed" &&
		expect_screen step "still|\.\.\. blocked" "accept still blocked in part 1" &&
		expect_screen step "the kernel will now wake server's conn = accept\(ls\)" "the wake announced" || return 1
	keys step NPage   # a presenter's clicker
	wait_for_text step "step 6/14 part 2/2" || return 1
	expect_screen step "woke: 4, peer 127\.0\.0\.1:" "accept returning fd 4" &&
		expect_screen step "\*conn=4" "the new socket" || return 1
	[ "$(capture step | grep -c ESTABLISHED)" -ge 2 ] || {
		fail_with_screen step "ESTABLISHED on both ends"
		return 1
	}
	press step Space 5
	wait_for_text step "step 11/14" || return 1
	expect_screen step "\*CLOSE-WAIT" "the server's CLOSE-WAIT" &&
		expect_screen step "\*FIN-WAIT-2" "the client's FIN-WAIT-2" || return 1
	press step Space 2
	wait_for_text step "step 13/14" || return 1
	expect_screen step "\*TIME-WAIT" "the client's TIME-WAIT" &&
		expect_screen step "timer [0-9]+ s" "its countdown" || return 1
	press step Space 1
	wait_for_text step "the end: every expectation met" || return 1
	keys step PPage   # clicker back
	wait_for_text step "step 13/14" || return 1
	quit step
}

back_goto_and_restart_show_what_stepping_forward_showed() {
	local start six_a six_b thirteen
	launch back 80 24 -- run 01
	wait_for_text back "step 0/14" || return 1
	start=$(capture back | normalise)
	press back Space 6
	wait_for_text back "step 6/14 part 1/2" || return 1
	six_a=$(capture back | normalise)
	press back Space 1
	wait_for_text back "step 6/14 part 2/2" || return 1
	six_b=$(capture back | normalise)
	press back Space 1
	wait_for_text back "step 7/14" || return 1
	keys back b
	wait_for_text back "step 6/14 part 2/2" || return 1
	same_screen back "$six_b" "step 6 after back" || return 1
	keys back g 1 3 Enter
	wait_for_text back "step 13/14" || return 1
	thirteen=$(capture back | normalise)
	keys back r
	wait_for_text back "step 0/14" || return 1
	same_screen back "$start" "the start after restart" || return 1
	press back Space 6
	wait_for_text back "step 6/14 part 1/2" || return 1
	same_screen back "$six_a" "step 6 part 1 after restart" || return 1
	press back Space 8
	wait_for_text back "step 13/14" || return 1
	same_screen back "$thirteen" "step 13 stepped forward vs reached by go-to" || return 1
	keys back End
	wait_for_text back "step 14/14" || return 1
	keys back Left
	wait_for_text back "step 13/14" || return 1
	same_screen back "$thirteen" "step 13 after back from the end" || return 1
	quit back
}

resizing_uses_the_space_and_says_what_it_needs() {
	launch size 80 24 -- run 01
	wait_for_text size "step 0/14" || return 1
	press size Space 7
	wait_for_text size "step 6/14 part 2/2" || return 1
	expect_not_screen size "conn = accept\(ls\) +woke" "accept and its result on one row at 80x24" || return 1
	tmux_run resize-window -t size -x 120 -y 40
	wait_for size "^ socklab  01 The echo pair.{60,}step 6/14 part 2/2  private netns$" || return 1
	expect_screen size "ls = socket\(AF_INET, SOCK_STREAM\) {20,}3" "every call at 120x40" &&
		expect_screen size ">conn = accept\(ls\) +woke: 4, peer 127\.0\.0\.1:[0-9]+│" "the result beside its call" &&
		expect_screen size "^└─{58}┘└─{58}┘$" "two panes 60 columns wide" || return 1
	[ "$(capture size | sed -n 40p | grep -c 'q quit')" = 1 ] || {
		fail_with_screen size "the key line on row 40"
		return 1
	}
	tmux_run resize-window -t size -x 60 -y 20
	wait_for_text size "socklab needs at least 80x24; this terminal is 60x20" || return 1
	tmux_run resize-window -t size -x 80 -y 24
	wait_for_text size "step 6/14 part 2/2" || return 1
	quit size
}

a_one_by_one_terminal_neither_crashes_nor_hangs() {
	launch tiny 80 24 -- run 01
	wait_for_text tiny "step 0/14" || return 1
	keys tiny Space
	wait_for_text tiny "step 1/14" || return 1
	tmux_run resize-window -t tiny -x 1 -y 1
	# Nothing fits, not even the message: the lab waits, alive, for a size it can use.
	local size
	size=$(tmux_run display-message -p -t tiny '#{window_width}x#{window_height}')
	[ "$size" = 1x1 ] || echo "    note: tmux made the window $size, not 1x1" >&2
	tmux_run resize-window -t tiny -x 2 -y 1
	tmux_run resize-window -t tiny -x 80 -y 24
	wait_for_text tiny "step 1/14" || return 1
	tmux_run resize-window -t tiny -x 1 -y 1
	keys tiny q
	wait_for_file "$work/tiny/exit-code" || return 1
	[ "$(cat "$work/tiny/exit-code")" = 0 ] || {
		echo "    FAIL: exit code $(cat "$work/tiny/exit-code") at 1x1" >&2
		return 1
	}
	terminal_restored tiny
}

no_color_and_lang_c_keep_change_marks_and_borders() {
	launch plain 80 24 NO_COLOR=1 LANG=C LC_ALL=C -- run 01
	wait_for_text plain "step 0/14" || return 1
	press plain Space 3
	wait_for_text plain "step 3/14" || return 1
	expect_screen plain "\*ls=3" "the socket's change mark" &&
		expect_screen plain "\*LISTEN" "the state's change mark" &&
		expect_screen plain "^(┌|l|\+)(─|q|-) SERVER" "the server pane's top border" &&
		expect_screen plain "^(│|x|\|)>listen\(ls, 5\)" "the left border and the latest call's mark" &&
		expect_screen plain "^(└|m|\+)(─|q|-)+" "the bottom border" &&
		quit plain
}

every_terminal_type_draws_the_lesson() {
	local term
	for term in xterm screen tmux-256color linux vt100; do
		launch "term-$term" 80 24 "TERM=$term" -- run 01
		wait_for_text "term-$term" "step 0/14" || return 1
		keys "term-$term" Space
		wait_for_text "term-$term" "step 1/14" || return 1
		expect_screen "term-$term" "^(┌|l|\+)(─|q|-) SERVER" "a border with TERM=$term" &&
			expect_screen "term-$term" ">ls = socket\(AF_INET, SOCK_STREAM\) +3" "the call with TERM=$term" &&
			quit "term-$term" || return 1
	done
}

# quit_by HOW: q, SIGTERM, SIGHUP, Ctrl-C or a crash (SIGSEGV) while the
# server's accept() is blocked; nothing of socklab is left, the terminal is
# as it was.
quit_by() {
	local how=$1 expected_code=$2 name="quit-$1" main puppets
	launch "$name" 80 24 -- run 01
	wait_for_text "$name" "step 0/14" || return 1
	press "$name" Space 4
	wait_for_text "$name" "step 4/14" || return 1
	main=$(pgrep -P "$(cat "$work/$name/wrapper-pid")" socklab)
	puppets=$(pgrep -P "$main" | tr '\n' ' ')
	[ -n "$main" ] && [ "$(echo $puppets | wc -w)" -ge 2 ] || {
		echo "    FAIL: expected socklab and two puppets, found '$main' and '$puppets'" >&2
		return 1
	}
	case $how in
	q) keys "$name" q ;;
	ctrl-c) keys "$name" C-c ;;
	*) kill "-$how" "$main" ;;
	esac
	wait_for_file "$work/$name/exit-code" || return 1
	wait_for_text "$name" "WRAPPER-DONE" || return 1
	wait_gone "$main" $puppets || return 1
	[ "$(cat "$work/$name/exit-code")" = "$expected_code" ] || {
		echo "    FAIL: exit code $(cat "$work/$name/exit-code"), expected $expected_code" >&2
		return 1
	}
	terminal_restored "$name" || return 1
}

quitting_with_q_restores_the_terminal() { quit_by q 0; }
sigterm_restores_the_terminal_and_leaves_no_process() { quit_by TERM 143; }
sighup_restores_the_terminal_and_leaves_no_process() { quit_by HUP 129; }
ctrl_c_restores_the_terminal_and_leaves_no_process() { quit_by ctrl-c 130; }
a_crash_restores_the_terminal_and_leaves_no_process() { quit_by SEGV 139; }

the_menu_opens_lesson_01_and_q_returns_to_it() {
	launch menu 80 24 --
	wait_for "menu" "> 01  echo +The echo pair, one call at a time" || return 1
	keys menu Enter
	wait_for_text menu "step 0/14" || return 1
	keys menu Space
	wait_for_text menu "step 1/14" || return 1
	keys menu q
	wait_for_text menu "lessons: the BSD socket API" || return 1
	quit menu
}

help_and_socket_details_pages_open_and_close() {
	launch pages 80 24 -- run 01
	wait_for_text pages "step 0/14" || return 1
	press pages Space 3
	wait_for_text pages "step 3/14" || return 1
	keys pages '?'
	wait_for_text pages "socklab help: keys" || return 1
	expect_screen pages "space n Right PgDn +next step" "the key table on the help page" || return 1
	keys pages q
	wait_for_text pages "step 3/14" || return 1
	keys pages Tab
	wait_for_text pages "Enter: details" || return 1
	keys pages Enter
	wait_for_text pages "socket details: server ls" || return 1
	expect_screen pages "backlog +5" "the backlog" &&
		expect_screen pages "inode +[0-9]+" "the inode" || return 1
	keys pages Escape
	wait_for_text pages "step 3/14" || return 1
	quit pages
}

autoplay_steps_by_itself_until_stopped() {
	launch auto 80 24 -- run 01
	wait_for_text auto "step 0/14" || return 1
	keys auto + + + a
	wait_for_text auto "autoplay: a step every" || return 1
	wait_for_text auto "step 2/14" || return 1
	keys auto a
	wait_for_text auto "space next" || return 1
	quit auto
}

# Lesson 01's states after each step, from the --plain transcript: lines
# "STEP STATE" (a socket with no TCP state yet, "-", left out).
lesson_01_states() {
	"$SOCKLAB" run --plain 01 2>/dev/null | awk '
		/^step [0-9]+\/14/ { split($2, n, "/"); step = n[1] }
		/^  [* ] +(server|client) / {
			i = $1 == "*" ? 2 : 1
			if ($(i + 4) != "-") print step, $(i + 4)
		}'
}

# projector_walk NAME WIDTH HEIGHT [RUN-OPTION...]: lesson 01 to its end on
# the projector screen; each step (each part of a two-part step) uses 40
# rows or more, no line is wider than the terminal, every '*' sits on a
# field, and the states --plain gives for the step show in large glyphs.
projector_walk() {
	local name=$1 width=$2 height=$3 step states screen
	shift 3
	local helper=${SOCKLAB_BIGFONT_ROWS:-$(cd "$(dirname "$SOCKLAB")" && pwd)/tests/bigfont_rows}
	if [ ! -x "$helper" ] || ! command -v python3 >/dev/null; then
		echo "    skipped: needs python3 and tests/bigfont_rows (build the tests)" >&2
		return 77
	fi
	states=$(lesson_01_states)
	[ "$(grep -c . <<<"$states")" -ge 14 ] || {
		echo "    FAIL: --plain gave no states: $states" >&2
		return 1
	}
	launch "$name" "$width" "$height" -- run "$@" 01
	wait_for_text "$name" "step 0/14" || return 1
	for step in $(seq 0 14); do
		if [ "$step" -gt 0 ]; then
			keys "$name" Space
			wait_for "$name" "step $step/14( |$)" || return 1
		fi
		local parts=1 part
		capture "$name" | grep -q "step $step/14 part 1/2" && parts=2
		for part in $(seq 1 "$parts"); do
			if [ "$part" = 2 ]; then
				keys "$name" Space
				wait_for_text "$name" "step $step/14 part 2/2" || return 1
			fi
			screen="$work/$name/step-$step-$part"
			capture "$name" >"$screen"
			local expected=()
			[ "$part" = "$parts" ] && mapfile -t expected < <(awk -v s="$step" '$1 == s { print $2 }' <<<"$states" | sort -u)
			python3 "$here/projector_screen.py" "$screen" "$width" $((height * 2 / 3)) "$helper" "${expected[@]}" || {
				fail_with_screen "$name" "step $step part $part"
				return 1
			}
		done
	done
	expect_screen "$name" "next +the end: every expectation met" "the end of the lesson" &&
		quit "$name"
}

projector_screen_at_200x60_with_big_shows_each_state_large() {
	projector_walk projector 200 60 --big
}

projector_screen_comes_by_itself_at_160x45() {
	projector_walk projector160 160 45 || return $?
	# NO_COLOR keeps the shapes: the large letters are ink, not colour.
	local helper
	helper=${SOCKLAB_BIGFONT_ROWS:-$(cd "$(dirname "$SOCKLAB")" && pwd)/tests/bigfont_rows}
	launch nocolor 160 45 NO_COLOR=1 -- run 01
	wait_for_text nocolor "step 0/14" || return 1
	press nocolor Space 3
	wait_for_text nocolor "step 3/14" || return 1
	capture nocolor >"$work/nocolor/screen"
	python3 "$here/projector_screen.py" "$work/nocolor/screen" 160 30 "$helper" LISTEN || {
		fail_with_screen nocolor "LISTEN in large letters with NO_COLOR"
		return 1
	}
	quit nocolor || return 1
	# Below 160x45 the usual screen, whatever the lesson.
	launch usual 159 45 -- run 01
	wait_for "usual" "^┌─ SERVER" || return 1
	quit usual
}

big_below_100x30_keeps_the_usual_screen_whole() {
	launch big 80 24 -- run --big 01
	wait_for_text big "step 0/14" || return 1
	press big Space 3
	wait_for_text big "step 3/14" || return 1
	expect_screen big ">listen\(ls, 5\) +0" "the call and its result" &&
		expect_screen big "\*ls=3 +127\.0\.0\.1:65432" "the socket" &&
		expect_screen big "\*LISTEN +\*?accept queue 0 of 5" "the state and its queue" &&
		quit big
}

# A presenter's clicker sends PgDn and PgUp: they step on every screen of a
# lesson, and only move in the menu.
clicker_keys_step_from_the_ladder_help_details_and_quiz() {
	launch clicker 80 24 -- run 01
	wait_for_text clicker "step 0/14" || return 1
	expect_screen clicker "w wire +p predict" "w and p on the key line at 80 columns" || return 1
	keys clicker b
	wait_for_text clicker "this is the start" || return 1
	keys clicker NPage
	wait_for_text clicker "step 1/14" || return 1
	keys clicker b
	wait_for_text clicker "back to the start, before step 1" || return 1
	press clicker Space 3
	wait_for_text clicker "step 3/14" || return 1
	# The ladder: PgDn steps, PgUp goes back; it stays open.
	keys clicker w
	wait_for clicker "^ SERVER +CLIENT$" || return 1
	keys clicker NPage
	wait_for clicker "^ > 4 server: conn = accept\(ls\)" || return 1
	keys clicker PPage
	wait_for clicker "^ > 3 server: listen\(ls, 5\)" || return 1
	keys clicker w
	wait_for clicker "^┌─ SERVER" || return 1
	# The help closes on PgDn and the step moves; PgUp the same, back.
	keys clicker '?'
	wait_for_text clicker "socklab help: keys" || return 1
	keys clicker NPage
	wait_for_text clicker "step 4/14" || return 1
	expect_not_screen clicker "socklab help: keys" "the help still open" || return 1
	keys clicker '?'
	wait_for_text clicker "socklab help: keys" || return 1
	keys clicker PPage
	wait_for_text clicker "step 3/14" || return 1
	# A socket's details: the same.
	keys clicker Tab
	keys clicker Enter
	wait_for_text clicker "close, step" || return 1
	keys clicker NPage
	wait_for_text clicker "step 4/14" || return 1
	expect_not_screen clicker "close, step" "the details still open" || return 1
	keys clicker Escape
	# The quiz: PgDn skips the questions and steps.
	keys clicker p
	keys clicker Space
	wait_for clicker "^│ What will socket\(\) do\?" || return 1
	keys clicker NPage
	wait_for_text clicker "step 5/14" || return 1
	keys clicker Space
	wait_for clicker "^│ What will connect\(\) do\?" || return 1
	keys clicker PPage
	wait_for_text clicker "step 4/14" || return 1
	expect_not_screen clicker "What will" "the questions after going back" || return 1
	keys clicker p
	wait_for_text clicker "predict mode off" || return 1
	# . blanks the screen; the next key only brings it back.
	keys clicker .
	wait_for_count clicker "[^ ]" 0 || return 1
	keys clicker n
	wait_for_text clicker "step 4/14" || return 1
	keys clicker B
	wait_for_count clicker "[^ ]" 0 || return 1
	keys clicker Space
	wait_for_text clicker "step 4/14" || return 1
	# The last step says what space does there.
	keys clicker End
	wait_for_text clicker "step 14/14" || return 1
	keys clicker NPage
	wait_for_text clicker "that was the last step" || return 1
	quit clicker
}

the_menu_moves_on_pgdn_and_opens_only_on_enter() {
	launch menuclick 80 24 --
	wait_for "menuclick" "> 01  echo +The echo pair" || return 1
	keys menuclick NPage
	wait_for "menuclick" "> 02 " || return 1
	expect_not_screen menuclick "step 0/" "a lesson opened by PgDn" || return 1
	keys menuclick Space
	wait_for "menuclick" "> 03 " || return 1
	keys menuclick PPage
	wait_for "menuclick" "> 02 " || return 1
	expect_not_screen menuclick "step 0/" "a lesson opened by a clicker" || return 1
	quit menuclick
}

# ---- free play ------------------------------------------------------------

# type_line NAME TEXT: TEXT typed as it is (tmux would read "Enter" as a key), then Enter.
type_line() {
	tmux_run send-keys -t "$1" -l -- "$2"
	keys "$1" Enter
}

# type_text NAME TEXT: the same without Enter.
type_text() {
	tmux_run send-keys -t "$1" -l -- "$2"
}

# socklab and its puppets in pane NAME.
lab_pids() {
	local main
	main=$(pgrep -P "$(cat "$work/$1/wrapper-pid")" socklab) || return 1
	echo "$main $(pgrep -P "$main" | tr '\n' ' ')"
}

# leave_play NAME: Esc leaves the command line, q quits; exit code 0,
# nothing of socklab left, the terminal as it was.
leave_play() {
	local pids
	pids=$(lab_pids "$1")
	[ "$(echo $pids | wc -w)" -ge 3 ] || {
		echo "    FAIL: expected socklab and two puppets, found '$pids'" >&2
		return 1
	}
	keys "$1" Escape
	wait_for_text "$1" ": type a call" || return 1
	quit "$1" || return 1
	wait_gone $pids || return 1
	terminal_restored "$1" || return 1
}

free_play_runs_typed_calls_blocks_and_explains_a_refusal() {
	launch play 80 24 "XDG_STATE_HOME=$work/state-play" -- play
	wait_for_text play "type a call, like server:" || return 1
	expect_screen play "Free play .* 0 calls" "the header" || return 1
	type_line play "server: s = socket(AF_INET, SOCK_STREAM)"
	wait_for play ">s = socket\(AF_INET, SOCK_STREAM\) +3" || return 1
	expect_screen play "\*s=3" "the new socket" &&
		expect_screen play "1 call " "the call counted" || return 1
	type_line play "server: bind(s, 127.0.0.1:65432)"
	type_line play "server: listen(s, 17)"
	wait_for play ">listen\(s, 17\) +0" || return 1
	expect_screen play "^ python +s\.listen\(17\)" "the Python of the call as typed" || return 1
	type_line play "server: conn = accept(s)"
	wait_for play ">conn = accept\(s\) +\.\.\. blocked" || return 1
	expect_screen play "SERVER ─* blocked in the kernel|SERVER q* blocked in the kernel" "the blocked pane" &&
		expect_screen play "next +a call on client; server is blocked in conn = accept\(s\)" "who may call" ||
		return 1
	# The other side stays usable while the server sleeps.
	type_line play "client: c = socket(AF_INET, SOCK_STREAM)"
	type_line play "client: connect(c, 127.0.0.1:65433)"
	wait_for play "-1 ECONNREFUSED" || return 1
	expect_screen play "^ why: nothing was in LISTEN on 127\.0\.0\.1:65433" "the refusal's evidence" || return 1
	type_line play "client: connect(c, 127.0.0.1:65432)"
	wait_for play "woke: 4, peer 127\.0\.0\.1:" || return 1
	expect_not_screen play "why:" "evidence for a call that did not fail" &&
		expect_screen play "7 calls" "every call counted" &&
		leave_play play
}

a_typo_is_marked_in_place_with_a_suggestion() {
	launch typo 80 24 "XDG_STATE_HOME=$work/state-typo" -- play
	wait_for_text typo "type a call, like server:" || return 1
	type_line typo "server: s = sokcet(AF_INET, SOCK_STREAM)"
	# The line stays; under it a caret under the 's' of sokcet (column 3 + 12).
	wait_for typo "^ {15}\^ unknown call 'sokcet' \(did you mean 'socket'\?\)" || return 1
	expect_screen typo "^ > server: s = sokcet\(AF_INET, SOCK_STREAM\)" "the line kept to be fixed" &&
		expect_screen typo "0 calls" "nothing ran" || return 1
	# The cursor is on the typo: delete it and type the right word.
	keys typo C-d C-d C-d C-d C-d C-d
	type_line typo "socket"
	wait_for typo ">s = socket\(AF_INET, SOCK_STREAM\) +3" || return 1
	expect_not_screen typo "unknown call" "the message once the line ran" &&
		leave_play typo
}

release_in_free_play_is_refused_in_place() {
	launch release 80 24 "XDG_STATE_HOME=$work/state-release" -- play
	wait_for_text release "type a call, like server:" || return 1
	type_line release "server: release()"
	# Refused under the line (it crashed the lab: exit 139), the lab still up.
	wait_for release "^ {11}\^ release\(\) needs held segments: free play holds none" || return 1
	expect_screen release "0 calls" "nothing ran" &&
		leave_play release
}

tab_completes_calls_constants_sockets_and_sides() {
	launch tab 80 24 "XDG_STATE_HOME=$work/state-tab" -- play
	wait_for_text tab "type a call, like server:" || return 1
	type_text tab "server: lis"
	keys tab Tab
	wait_for tab "^ > server: listen\( *$" || return 1
	expect_screen tab "listen\(sock, backlog\): LISTEN" "the call's usage under the line" || return 1
	keys tab C-e C-u
	type_text tab "server: s = socket(AF_IN"
	keys tab Tab
	wait_for tab "^ > server: s = socket\(AF_INET *$" || return 1
	expect_screen tab "^ +AF_INET  AF_INET6 *$" "the constants that fit" || return 1
	type_line tab ", SOCK_STREAM)"
	wait_for tab ">s = socket\(AF_INET, SOCK_STREAM\) +3" || return 1
	type_text tab "server: bind("
	keys tab Tab
	wait_for tab "^ > server: bind\(s *$" || return 1
	keys tab C-e C-u
	type_text tab "cli"
	keys tab Tab
	wait_for tab "^ > client: *$" || return 1
	keys tab C-u
	leave_play tab
}

history_recalls_lines_across_runs() {
	local state="$work/state-history"
	launch history1 80 24 "XDG_STATE_HOME=$state" -- play
	wait_for_text history1 "type a call, like server:" || return 1
	type_line history1 "server: u = socket(AF_INET, SOCK_DGRAM)"
	wait_for history1 ">u = socket\(AF_INET, SOCK_DGRAM\) +3" || return 1
	keys history1 Up
	wait_for history1 "^ > server: u = socket\(AF_INET, SOCK_DGRAM\) *$" || return 1
	keys history1 Down
	wait_for_text history1 "> type a call" || return 1
	leave_play history1 || return 1
	[ "$(stat -c %a "$state/socklab")" = 700 ] || {
		echo "    FAIL: $state/socklab is $(stat -c %a "$state/socklab"), not 700" >&2
		return 1
	}
	launch history2 80 24 "XDG_STATE_HOME=$state" -- play
	wait_for_text history2 "type a call, like server:" || return 1
	keys history2 Up
	wait_for history2 "^ > server: u = socket\(AF_INET, SOCK_DGRAM\) *$" || return 1
	keys history2 Enter
	wait_for history2 ">u = socket\(AF_INET, SOCK_DGRAM\) +3" || return 1
	# q typed as a command quits too.
	type_line history2 "q"
	wait_for_file "$work/history2/exit-code" || return 1
	[ "$(cat "$work/history2/exit-code")" = 0 ] || {
		echo "    FAIL: exit code $(cat "$work/history2/exit-code")" >&2
		return 1
	}
}

an_unreadable_history_is_skipped() {
	mkdir -p "$work/state-broken/socklab/history"   # a directory where the file goes
	launch broken 80 24 "XDG_STATE_HOME=$work/state-broken" -- play
	wait_for broken "history skipped \(Is a directory\): /" || return 1
	type_line broken "client: c = socket(AF_INET6, SOCK_STREAM)"
	wait_for broken ">c = socket\(AF_INET6, SOCK_STREAM\) +3" || return 1
	expect_screen broken "history not kept \(Is a directory\): /" "the write failure" || return 1
	type_line broken "client: close(c)"
	wait_for broken ">close\(c\) +0" || return 1
	expect_not_screen broken "history not kept" "the write failure said twice" &&
		leave_play broken
}

w_writes_a_lesson_that_check_accepts_and_run_replays() {
	local lesson="$work/played.lesson"
	launch write 80 24 "XDG_STATE_HOME=$work/state-write" -- play
	wait_for_text write "type a call, like server:" || return 1
	type_line write "server: s = socket(AF_INET, SOCK_STREAM)"
	type_line write "server: bind(s, 127.0.0.1:65432)"
	type_line write "client: c = socket(AF_INET, SOCK_STREAM)"
	type_line write "client: connect(c, 127.0.0.1:65432)"
	wait_for write "-1 ECONNREFUSED" || return 1
	type_line write "w $lesson"
	wait_for_text write "wrote $lesson" || return 1
	"$SOCKLAB" check "$lesson" || {
		echo "    FAIL: socklab check rejected the written lesson:" >&2
		sed 's/^/    |/' "$lesson" >&2
		return 1
	}
	"$SOCKLAB" run --plain "$lesson" >"$work/write/replay.txt" 2>&1 || {
		echo "    FAIL: socklab run --plain did not meet the written expectations:" >&2
		sed 's/^/    |/' "$work/write/replay.txt" >&2
		return 1
	}
	leave_play write
}

a_refusal_in_a_lesson_shows_why_and_colon_plays_on_from_there() {
	launch why 80 24 -- run 12
	wait_for_text why "step 0/" || return 1
	press why Space 3
	wait_for why "step 3/" || return 1
	expect_screen why "^ why: server's ls \(fd 3, .*\) is not listening" "the EINVAL's evidence" || return 1
	keys why :
	# Free play takes over where the lesson was: its three calls ran again.
	wait_for why "the lesson's 3 calls ran again in a fresh sandbox" || return 1
	expect_screen why " 3 calls " "the calls counted" &&
		expect_screen why "^ why: server.s ls \(fd 3, CLOSE\) is not listening" "the refused call, run again" ||
		return 1
	type_line why "server: listen(ls, 5)"
	wait_for why ">listen\(ls, 5\) +0" || return 1
	expect_screen why "LISTEN" "the listener, from the kernel" &&
		expect_screen why " 4 calls " "the typed call counted" &&
		leave_play why
}

colon_in_a_lesson_that_holds_segments_says_why_it_cannot() {
	launch colon-held 80 24 -- run 13
	wait_for_text colon-held "step 0/" || return 1
	keys colon-held Space
	wait_for_text colon-held "step 1/" || return 1
	keys colon-held :
	wait_for_text colon-held "holds segments on the wire, which free play does not" || return 1
	expect_screen colon-held "step 1/" "the lesson, untouched" &&
		quit colon-held
}

# ---- the wire ---------------------------------------------------------------

# An arrow of the ladder between two lanes: its head and both lanes whole.
LADDER_ARROW='^ +│(<─+ [^│]+ ─+|─+ [^│]+ ─+>)│$'

# ladder_position NAME: "A B N" from the key line's "A-B of N" (nothing
# when every row fits).
ladder_position() {
	capture "$1" | tail -n 1 | grep -oE '[0-9]+-[0-9]+ of [0-9]+$' | tr -- '-' ' ' | sed 's/ of / /'
}

# arrows_fit NAME WIDTH: every arrow row spans the two lanes, 4 columns
# in from either edge, with its head, its label and both lanes whole.
arrows_fit() {
	local line bad= rows=0
	while IFS= read -r line; do
		rows=$((rows + 1))
		if [ "${#line}" != "$(($2 - 4))" ] || ! grep -qE '^    │(<─+ [^│]+ ─+|─+ [^│]+ ─+>)│$' <<<"$line"; then
			bad="$bad"$'\n'"    |$line"
		fi
	done < <(capture "$1" | grep -E '^ +│[<─]')
	[ "$rows" -gt 0 ] && [ -z "$bad" ] && return 0
	fail_with_screen "$1" "arrows cut or misplaced at width $2 ($rows rows):$bad"
}

the_wire_row_and_the_ladder_show_each_packet_under_its_call() {
	local group first last count
	launch wire 80 24 -- run 01
	wait_for_text wire "step 0/14" || return 1
	press wire Space 6
	wait_for_text wire "step 6/14 part 1/2" || return 1
	expect_screen wire "^ wire +←SYN  SYN-ACK→  ←ACK +w: the ladder$" "the handshake on the wire row" || return 1
	keys wire w
	wait_for wire "^ SERVER +CLIENT$" || return 1
	# The three arrows right under the call that sent them; the states after it on its right.
	group=$(capture wire | grep -A3 -E '^ > 6 client: connect\(c, 127\.0\.0\.1:65432\) .* client \*ESTAB')
	sed -n 2p <<<"$group" | grep -qE '^    │<─+ SYN seq 0 ─+│$' &&
		sed -n 3p <<<"$group" | grep -qE '^    │─+ SYN-ACK seq 0 ack 1 ─+>│$' &&
		sed -n 4p <<<"$group" | grep -qE '^    │<─+ ACK seq 1 ack 1 ─+│$' || {
		fail_with_screen wire "SYN, SYN-ACK and ACK under connect()"
		return 1
	}
	arrows_fit wire 80 || return 1
	# It follows the steps: the data and its ACK under sendall().
	press wire Space 2
	wait_for wire '^ > 7 client: sendall\(c, "Hello, world"\)' || return 1
	expect_screen wire '^    │<─+ PSH-ACK seq 1 ack 1 len 12 "Hello, world" ─+│$' "the data's arrow" || return 1
	press wire Space 7
	wait_for_text wire "step 14/14" || return 1
	wait_for wire "^ >14 server: close\(ls\)" || return 1
	read -r first last count <<<"$(ladder_position wire)"
	[ -n "$count" ] && [ "$last" = "$count" ] || {
		fail_with_screen wire "the ladder scrolled to its end ($first-$last of $count)"
		return 1
	}
	arrows_fit wire 80 || return 1
	# Scrolling: Home, Down, PgDn, PgUp (not a step back), End.
	keys wire Home
	wait_for wire " 1-20 of $count$" || return 1
	expect_screen wire "^   1 server: ls = socket\(AF_INET, SOCK_STREAM\)" "the first step at the top" || return 1
	keys wire Down
	wait_for wire " 2-21 of $count$" || return 1
	keys wire C-d
	wait_for wire " $((count - 19))-$count of $count$" || return 1
	keys wire C-u
	wait_for wire " 1-20 of $count$" || return 1
	expect_screen wire "step 14/14" "Ctrl-U scrolled, did not step back" || return 1
	keys wire End
	wait_for wire " $((count - 19))-$count of $count$" || return 1
	# The help lists w; it closes back to the ladder.
	keys wire '?'
	wait_for_text wire "socklab help: keys" || return 1
	keys wire C-d   # the help's own keys: Ctrl-D pages it (PgDn would step)
	wait_for wire "^   Shift-PgDn Ctrl-D +in the ladder or a page: scroll a page down" || return 1
	capture wire | grep -qE "^   w +the wire: a ladder diagram" || keys wire C-d
	wait_for wire "^   w +the wire: a ladder diagram" || return 1
	keys wire q
	wait_for wire "^ SERVER +CLIENT$" || return 1
	# w and Esc go back to the panes.
	keys wire w
	wait_for wire "^┌─ SERVER" || return 1
	keys wire w
	wait_for wire "^ SERVER +CLIENT$" || return 1
	keys wire Escape
	wait_for wire "^┌─ SERVER" || return 1
	# 120x40: the whole ladder at once, longer arrows, every state whole.
	tmux_run resize-window -t wire -x 120 -y 40
	keys wire w
	wait_for wire "^   1 server: ls = socket\(AF_INET, SOCK_STREAM\)" || return 1
	expect_screen wire "^ >14 server: close\(ls\)" "the last step with the first" &&
		expect_screen wire "server LISTEN \*ESTABLISHED  client \*ESTABLISHED$" "states unabbreviated" &&
		expect_not_screen wire "[0-9]+-[0-9]+ of [0-9]+$" "a scroll position" &&
		arrows_fit wire 120 || return 1
	keys wire w
	wait_for wire "^┌─ SERVER" || return 1
	quit wire
}

a_held_segment_shows_and_the_ladder_grows_with_each_release() {
	launch held 80 24 -- run 13
	wait_for_text held "step 0/20" || return 1
	press held Space 5
	wait_for_text held "step 5/20" || return 1
	expect_screen held "^ held +client → server SYN seq 0" "the held SYN on the lesson screen" &&
		expect_screen held "retransmit in [0-9]+ s" "the SYN's retransmission timer, named" || return 1
	keys held w
	wait_for held "^ > 5 client: connect\(c, 127\.0\.0\.1:65432\) .*client \*SYN-SENT$" || return 1
	expect_screen held "^ held +client → server SYN seq 0" "the held SYN under the ladder" &&
		expect_screen held "^ next +client: release\(\)$" "release() next" || return 1
	wait_for_count held "$LADDER_ARROW" 0 || return 1
	keys held Space
	wait_for held "^ > 6 client: release\(\) .*server LISTEN \*SYN-RECV  client SYN-SENT$" || return 1
	wait_for_count held "$LADDER_ARROW" 1 || return 1
	expect_screen held "^    │<─+ SYN seq 0 ─+│$" "the released SYN" &&
		expect_screen held "^ held +server → client SYN-ACK seq 0 ack 1" "the SYN-ACK held now" || return 1
	keys held Space
	wait_for held "^ > 7 server: release\(\)" || return 1
	wait_for_count held "$LADDER_ARROW" 2 || return 1
	expect_screen held "^    │─+ SYN-ACK seq 0 ack 1 ─+>│$" "the released SYN-ACK" || return 1
	press held Space 2
	wait_for held "^ > 8 client: release\(\)" || return 1
	wait_for_count held "$LADDER_ARROW" 3 || return 1
	arrows_fit held 80 || return 1
	keys held w
	wait_for held "^┌─ SERVER" || return 1
	quit held
}

hold_flag_holds_each_segment_until_x_lets_it_go() {
	launch hold-flag 80 24 -- run --hold 01
	wait_for_text hold-flag "step 0/14  held" || return 1
	press hold-flag Space 6
	wait_for hold-flag "^ held +client → server SYN seq 0 ack 0 len 0" || return 1
	expect_screen hold-flag "SYN-SENT" "the client waiting for a SYN-ACK" &&
		expect_screen hold-flag " x release  d drop " "the wire's keys" || return 1
	keys hold-flag x
	wait_for hold-flag "^ held +server → client SYN-ACK seq 0 ack 1" || return 1
	expect_screen hold-flag "SYN-RECV" "the server's half-open connection" &&
		expect_screen hold-flag ">release\(\) +released" "the release, in the client's pane" || return 1
	keys hold-flag x
	wait_for hold-flag "^ held +client → server ACK seq 1 ack 1" || return 1
	expect_screen hold-flag "\*ESTABLISHED" "the client connected, marked as changed" || return 1
	keys hold-flag x
	wait_for hold-flag "conn=4" || return 1
	keys hold-flag x
	wait_for_text hold-flag "no segment is held now: space takes the next step" || return 1
	quit hold-flag
}

without_a_capture_the_wire_says_why() {
	launch host 80 24 -- run --host 01
	wait_for_text host "step 0/14" || return 1
	expect_screen host "^ wire +no packets: capture needs the lab's private network namespace$" "the note" || return 1
	press host Space 6
	wait_for_text host "step 6/14 part 1/2" || return 1
	expect_screen host "^ wire +no packets: capture needs" "the note at the connect step" &&
		expect_not_screen host "←SYN" "packets" || return 1
	keys host w
	wait_for host "^ > 6 client: connect\(c, 127\.0\.0\.1:65432\)" || return 1
	expect_screen host "^ wire +no packets: capture needs" "the note over the ladder" || return 1
	wait_for_count host "$LADDER_ARROW" 0 || return 1
	keys host w
	wait_for host "^┌─ SERVER" || return 1
	quit host
}

trace_and_pcap_record_the_steps_as_they_stand_when_the_lesson_is_left() {
	launch record 80 24 -- run --trace "$work/record.jsonl" --pcap "$work/record.pcap" 01
	wait_for_text record "step 0/14" || return 1
	press record Space 8
	wait_for_text record "step 7/14" || return 1
	keys record b
	wait_for_text record "step 6/14 part 2/2" || return 1
	quit record || return 1
	local transcript
	transcript=$("$SOCKLAB" replay --plain "$work/record.jsonl") || {
		echo "    FAIL: the trace does not replay" >&2
		return 1
	}
	grep -q "^step 6/14  client: connect(c, 127.0.0.1:65432)" <<<"$transcript" &&
		! grep -q "^step 7/14" <<<"$transcript" || {
		echo "    FAIL: the trace should end at step 6 (after b), got: $(grep '^step' <<<"$transcript" | tail -2)" >&2
		return 1
	}
	grep -q "wire  client -> server   SYN " <<<"$transcript" || {
		echo "    FAIL: no packets in the trace" >&2
		return 1
	}
	# A pcap file: a 24-byte header, then the handshake's frames.
	[ "$(stat -c %s "$work/record.pcap")" -gt 200 ] || {
		echo "    FAIL: the pcap holds no packets ($(stat -c %s "$work/record.pcap") bytes)" >&2
		return 1
	}
}

a_tui_killed_with_sigkill_leaves_the_steps_it_took_in_the_trace() {
	launch killed 80 24 -- run --trace "$work/killed.jsonl" 01
	wait_for_text killed "step 0/14" || return 1
	press killed Space 4
	wait_for_text killed "step 4/14" || return 1
	keys killed b
	wait_for_text killed "step 3/14 " || return 1
	local main
	main=$(pgrep -P "$(cat "$work/killed/wrapper-pid")" socklab) || return 1
	kill -KILL "$main"
	wait_for_file "$work/killed/exit-code" || return 1
	local transcript
	transcript=$("$SOCKLAB" replay --plain "$work/killed.jsonl") || {
		echo "    FAIL: the trace of a killed TUI does not replay ($(stat -c %s "$work/killed.jsonl") bytes)" >&2
		return 1
	}
	grep -q "^step 3/14  server: listen(ls, 5)" <<<"$transcript" && ! grep -q "^step 4/14" <<<"$transcript" || {
		echo "    FAIL: the trace should end at step 3 (after b), got: $(grep '^step' <<<"$transcript" | tail -2)" >&2
		return 1
	}
}

a_unix_sockets_step_says_why_the_wire_is_silent() {
	launch unix 80 24 -- run 10
	wait_for_text unix "step 0/34" || return 1
	press unix Space 5
	wait_for_text unix "step 5/34" || return 1
	expect_not_screen unix "^ wire" "a wire row before any call that would send" || return 1
	press unix Space 1
	wait_for_text unix "step 6/34" || return 1
	expect_screen unix "^ wire +no packets: a unix socket's bytes stay inside the kernel$" "the unix connect's note" ||
		return 1
	quit unix
}

# ---- predict, then step; progress; three sides -------------------------------

predict_mode_asks_before_a_step_scores_it_and_gives_hints() {
	launch quiz 80 24 "XDG_STATE_HOME=$work/state-quiz" -- run --quiz 01
	wait_for_text quiz "step 0/14  quiz 0/0" || return 1
	keys quiz a
	wait_for_text quiz "predict mode asks before each step, and autoplay would not wait" || return 1
	keys quiz Space
	wait_for quiz "^│ What will socket\(\) do\?" || return 1
	expect_screen quiz "step 0/14" "no step run before the prediction" &&
		expect_screen quiz "^│ >1 0 +2 3 +3 4" "the numbered choices" || return 1
	keys quiz 2   # 3: the lowest free fd
	wait_for quiz "^│ right +you said 3; the kernel said 3" || return 1
	expect_screen quiz "step 1/14  quiz 1/1" "the score in the header" || return 1
	keys quiz Space
	wait_for quiz "^│ What will bind\(\) do\?" || return 1
	keys quiz h
	wait_for quiz "^│ hint +Does any other socket hold 127\.0\.0\.1:65432" || return 1
	keys quiz 2   # -1 EACCES: wrong
	wait_for quiz "^│ WRONG +you said -1 EACCES; the kernel said 0" || return 1
	expect_screen quiz "step 2/14  quiz 1/2" "a wrong answer counted" || return 1
	keys quiz Space
	wait_for quiz "^│ What will listen\(\) do\?" || return 1
	keys quiz Escape
	wait_for quiz "^│ skipped +the kernel said 0" || return 1
	expect_screen quiz "step 3/14  quiz 1/2" "a skipped step not counted" || return 1
	keys quiz p
	wait_for_text quiz "predict mode off" || return 1
	keys quiz Space
	wait_for_text quiz "step 4/14" || return 1
	expect_not_screen quiz "What will" "questions with predict mode off" &&
		quit quiz
}

progress_marks_a_lesson_done_and_continue_opens_where_it_was_left() {
	local state=$work/state-progress
	launch done 80 24 "XDG_STATE_HOME=$state" -- run 01
	wait_for_text done "step 0/14" || return 1
	keys done End
	wait_for_text done "step 14/14" || return 1
	quit done || return 1
	grep -q '"done": true' "$state/socklab/progress.json" || {
		echo "    FAIL: 01 not saved as done" >&2
		return 1
	}
	launch again 80 24 "XDG_STATE_HOME=$state" --
	wait_for again "^  > continue where you left off: 01 echo, step 14 of 14" || return 1
	expect_screen again "^    01  echo +✓ +The echo pair" "01 marked done" || return 1
	keys again Down Down Enter
	wait_for_text again "step 0/11" || return 1
	press again Space 3
	wait_for_text again "step 3/11" || return 1
	keys again q
	wait_for again "^    continue where you left off: 02 socket, step 3 of 11" || return 1
	expect_screen again "^  > 02  socket +→ 3/11 +socket\(\)" "02 in progress, steps reached of total" || return 1
	keys again Home Enter
	wait_for_text again "step 3/11" || return 1
	keys again q
	wait_for_text again "lessons: the BSD socket API" || return 1
	quit again || return 1
	# Without UTF-8 the marks are words.
	launch ascii 80 24 "XDG_STATE_HOME=$state" LANG=C LC_ALL=C --
	wait_for ascii "^    01  echo +done +The echo pair" || return 1
	expect_screen ascii "^    02  socket +-> 3/11 " "the ASCII arrow" &&
		quit ascii
}

a_lesson_that_ended_with_failures_reads_tried_not_done_in_the_menu() {
	local state=$work/state-tried
	mkdir -p "$state/socklab"
	printf '{"format": "socklab-progress", "version": 1, "lessons": {"08-closing": {"steps_reached": 46, %s}}}' \
		'"total_steps": 46, "done": false, "failed": 2, "quiz_right": 0, "quiz_asked": 0, "last_step": 46, "updated": 1' \
		>"$state/socklab/progress.json"
	launch tried 80 24 "XDG_STATE_HOME=$state" --
	wait_for tried "^    08  closing +tried, 2 failed +Closing" || return 1
	expect_not_screen tried "08  closing +✓" "a failed lesson is not marked done" &&
		quit tried
}

a_corrupted_progress_file_is_said_once_and_the_menu_works() {
	local state=$work/state-corrupt
	mkdir -p "$state/socklab"
	printf '{"format": "socklab-progress", "version": 1, "lessons": {"01-echo": [' >"$state/socklab/progress.json"
	launch corrupt 80 24 "XDG_STATE_HOME=$state" --
	wait_for corrupt "^ progress file .*progress\.json was unusable" || return 1
	[ "$(capture corrupt | grep -c 'progress file')" = 1 ] || {
		fail_with_screen corrupt "the warning on one line"
		return 1
	}
	keys corrupt Down
	wait_for corrupt "^  > 02  socket" || return 1
	expect_not_screen corrupt "was unusable" "the warning after a key" || return 1
	keys corrupt Enter
	wait_for_text corrupt "step 0/11" || return 1
	ls "$state/socklab/" | grep -q '^progress\.json\.broken-' || {
		echo "    FAIL: the corrupted file was not set aside" >&2
		return 1
	}
	keys corrupt q
	wait_for_text corrupt "lessons: the BSD socket API" || return 1
	quit corrupt
}

the_point_shows_at_80x24_and_every_cut_is_marked() {
	# Lesson 03 step 21: the server pane cannot show all four sockets; it
	# shows the two the step changed and says how many it hides, and the
	# explanation is whole (no pointer to t).
	launch point 80 24 -- run 03
	wait_for_text point "step 0/41" || return 1
	press point Space 21
	wait_for_text point "step 21/41" || return 1
	expect_screen point "^│\*--   127\.0\.0\.1:65432" "the queued connection the step made" || return 1
	expect_screen point "^│  \+2 more +│" "a mark for the hidden sockets" || return 1
	expect_screen point "^ connection; nobody needs to know it in advance\.$" "the whole explanation" || return 1
	expect_not_screen point "t: all of it" "a cut explanation" || return 1
	# Part 1 of a two-part step says what part 1 shows, part 2 the rest.
	quit point || return 1
	launch parts 80 24 -- run 01
	wait_for_text parts "step 0/14" || return 1
	press parts Space 6
	wait_for_text parts "step 6/14 part 1/2" || return 1
	expect_not_screen parts "woke" "part 2's words in part 1" || return 1
	press parts Space 1
	wait_for_text parts "step 6/14 part 2/2" || return 1
	expect_screen parts "^ The kernel woke the blocked accept\(\)" "part 2's own words" || return 1
	quit parts || return 1
	# The menu lists more lessons than 24 rows hold: it says so.
	launch lessonmenu 80 24 --
	wait_for_text lessonmenu "lessons: the BSD socket API" || return 1
	expect_screen lessonmenu "\(0 more above, [0-9]+ more below: Up Down\)" "a mark for the lessons below" || return 1
	quit lessonmenu
}

three_sides_get_a_pane_each_where_they_fit_and_a_summary_line_where_not() {
	launch sides 80 24 -- run 14
	wait_for_text sides "step 0/24" || return 1
	keys sides g 1 0 Enter
	wait_for_text sides "step 10/24" || return 1
	expect_screen sides "^┌─ SERVER .*┐┌─ CLIENT2 " "the server and the side that acted last" &&
		expect_screen sides "^ client1: .* c=3 ESTABLISHED recv-q 0 send-q 0" "client1's summary: state, queues" &&
		expect_screen sides " c side " "the switch key on the key line" || return 1
	keys sides c
	wait_for sides "^┌─ SERVER .*┐┌─ CLIENT1 " || return 1
	expect_screen sides "^ client2: .*c=3 ESTABLISHED recv-q 0 send-q 0" "client2's summary now" &&
		expect_not_screen sides "CLIENT2" "client2's pane" || return 1
	tmux_run resize-window -t sides -x 120 -y 40
	wait_for sides "^┌─ SERVER ─.*┐┌─ CLIENT1 ─+┐┌─ CLIENT2 ─+┐$" || return 1
	expect_not_screen sides "^ client[12]: " "a summary line where every side has a pane" &&
		quit sides
}

# A summary line longer than the screen ends in "...", not mid-word.
a_summary_line_cut_at_the_edge_says_so() {
	launch cut 80 24 -- run 17
	wait_for_text cut "step 0/" || return 1
	keys cut g 2 0 Enter
	wait_for_text cut "step 20/" || return 1
	expect_screen cut "^ worker2: .*ESTABLISHED\\.\\.\\.$" "worker2's cut summary marked" &&
		quit cut
}

# The menu's search takes a word typed in Chinese (one byte a key from
# getch) and Backspace takes back a whole character.
the_menu_search_takes_chinese() {
	launch zhsearch 80 24 -- --lang zh
	wait_for_text zhsearch "Up Down" || return 1
	keys zhsearch /
	type_text zhsearch "握手"
	wait_for zhsearch "^  > 06 " || return 1
	expect_screen zhsearch "^ /握手 " "the search line" || return 1
	keys zhsearch BSpace
	wait_for zhsearch "^ /握 " || return 1
	keys zhsearch Escape
	quit zhsearch
}

# expect_prose NAME REGEX WHAT: REGEX in the screen's text read as prose,
# its rows joined, so where the words wrap does not matter.
expect_prose() {
	capture "$1" | tr '\n' ' ' | tr -s ' ' | grep -Eq -- "$2" && return 0
	fail_with_screen "$1" "expected $3 (/$2/, rows joined)"
}

# Every process under socklab: its puppets or tracing helpers, and theirs.
process_tree() {
	local pid
	for pid in "$@"; do
		echo "$pid"
		process_tree $(pgrep -P "$pid")
	done
}

examples="$here/../../examples"
python_pair=(--server "python3 $examples/echo-server.py" --client "python3 $examples/echo-client.py")

# Returns 77 (skipped, with the reason) where python3 is missing.
need_python() {
	command -v python3 >/dev/null && return 0
	echo "    skipped: python3 is not installed" >&2
	return 77
}

stepping_the_python_pair_runs_one_held_call_a_key() {
	need_python || return
	launch pystep 80 24 -- step "${python_pair[@]}"
	wait_for pystep "^ next +server: socket\(AF_INET, SOCK_STREAM\|SOCK_CLOEXEC, IPPROTO_IP\)" || return 1
	expect_screen pystep "^ line +echo-server\.py:10: with socket\.socket" "the Python line of the held call" &&
		expect_screen pystep "^┌─ SERVER ─ echo-server\.py ─+┐┌─ CLIENT ─ echo-client\.py ─+┐$" "each pane names its program" &&
		expect_screen pystep "0 calls" "nothing ran yet" &&
		expect_screen pystep " space next  c side " "the keys" || return 1
	keys pystep Space
	wait_for pystep "^ next +server: bind\(3, \{AF_INET, 127\.0\.0\.1:65432\}, 16\)" || return 1
	expect_screen pystep "1 call " "one key, one call" || return 1
	press pystep Space 3
	# accept() sleeps: the client's call is shown next, and the server pane says so.
	wait_for pystep "^ next +client: socket\(AF_INET" || return 1
	expect_screen pystep "SERVER ─* blocked in the kernel" "the blocked pane" &&
		expect_screen pystep "LISTEN +accept queue 0 of 128" "the listener, from the kernel" || return 1
	local pids
	pids=$(process_tree $(lab_pids pystep) | tr '\n' ' ')
	[ "$(echo $pids | wc -w)" -ge 5 ] || {
		echo "    FAIL: expected socklab, two tracers and two programs, found '$pids'" >&2
		return 1
	}
	press pystep Space 2
	wait_for pystep "^ next +client: sendto\(3, \"Hello, world\", 12, 0, NULL, 0\)" || return 1
	expect_screen pystep "ESTABLISHED" "the connection, from the kernel" &&
		expect_not_screen pystep "blocked in the kernel" "accept() still shown asleep after connect()" || return 1
	press pystep Space 12
	wait_for pystep "^ next +both programs are over" || return 1
	expect_screen pystep "│ out Received b'Hello, world'\\\\n +│$" "the client's output, escaped, in its pane" &&
		expect_prose pystep "server exited with code 0\. client exited with code 0\." "both ends" &&
		expect_screen pystep "TIME-WAIT" "the client's closed connection" || return 1
	quit pystep || return 1
	wait_gone $pids || return 1
	terminal_restored "pystep" || return 1
}

# A stepping key that takes a second, press to changed frame, is wedged
# (the forking server's wedge took 2 s a key). The speed goal, 100 ms a
# key, is a figure and not a bound: tests/bench_keys.sh prints the
# slowest key of each pattern, measured here, on a quiet machine.
key_ms_bound=1000

# A forking C server: each key releases one held task (the parent's
# close(4) and the child's calls both), at once, to the end. The key's
# time is measured from outside: the press until the frame changed.
key_ms() {
	local name=$1 before now started
	before=$(capture "$name" | grep -E "^ next| calls? ")
	started=$(date +%s%N)
	keys "$name" Space
	while :; do
		now=$(capture "$name" | grep -E "^ next| calls? ")
		[ "$now" != "$before" ] && break
		[ $((($(date +%s%N) - started) / 1000000)) -gt 3000 ] && break
		sleep 0.005
	done
	echo $((($(date +%s%N) - started) / 1000000))
}

stepping_a_forking_server_releases_every_process_promptly() {
	local programs
	programs=$(dirname "$SOCKLAB")/tests
	[ -x "$programs/tracer_forking_server" ] || {
		echo "    skipped: the test programs are not built next to socklab" >&2
		return 77
	}
	launch fork 100 30 -- step --server "$programs/tracer_forking_server" --client "$programs/tracer_echo_client"
	wait_for fork "^ next +server: socket\(AF_INET" || return 1
	local key ms slowest=0 picked=
	for key in $(seq 1 40); do
		ms=$(key_ms fork)
		[ "$ms" -gt "$slowest" ] && slowest=$ms
		capture fork | grep -qE "^ next +both programs are over" && break
		if [ -z "$picked" ] && capture fork | grep -qE "^ next +server: close\(4\)  \(1 of 2 held: Tab or Up/Down picks\)"; then
			# The parent and its child both wait: Tab picks the child's call.
			wait_for fork "^ next +server: close\(4\)  \(1 of 2 held: Tab or Up/Down picks\)" || return 1
			keys fork Tab
			wait_for fork "^ next +server/child1: .*  \(2 of 2 held: Tab or Up/Down picks\)" || return 1
			picked=yes
		fi
	done
	[ -n "$picked" ] || fail_with_screen fork "never two tasks held at once" || return 1
	wait_for fork "^ next +both programs are over" || return 1
	expect_prose fork "server exited with code 0\. client exited with code 0\." "both ends" || return 1
	# Measured through tmux (two captures a key): the wedge took 2 s a key.
	echo "    fork: slowest key $slowest ms (bound $key_ms_bound ms)" >&2
	[ "$slowest" -le "$key_ms_bound" ] || {
		echo "    FAIL: the slowest key took $slowest ms" >&2
		return 1
	}
	quit fork || return 1
	terminal_restored fork || return 1
}

# The parent and its child both held: Down and Up pick which task the
# next key releases, the screen says which, and the key line and the
# help say that they do.
up_and_down_pick_the_held_task_of_a_forking_server() {
	local programs
	programs=$(dirname "$SOCKLAB")/tests
	[ -x "$programs/tracer_forking_server" ] || {
		echo "    skipped: the test programs are not built next to socklab" >&2
		return 77
	}
	launch pick 100 30 -- step --server "$programs/tracer_forking_server" --client "$programs/tracer_echo_client"
	wait_for pick "^ next +server: socket\(AF_INET" || return 1
	local key
	for key in $(seq 1 40); do
		capture pick | grep -qE "^ next +server: close\(4\)  \(1 of 2 held" && break
		capture pick | grep -qE "^ next +both programs are over" && break
		key_ms pick >/dev/null
	done
	wait_for pick "^ next +server: close\(4\)  \(1 of 2 held: Tab or Up/Down picks\)" || return 1
	expect_screen pick "Tab Up Down task" "the key line's picking keys" || return 1
	keys pick Down
	wait_for pick "^ next +server/child1: .*  \(2 of 2 held: Tab or Up/Down picks\)" || return 1
	keys pick Up
	wait_for pick "^ next +server: close\(4\)  \(1 of 2 held: Tab or Up/Down picks\)" || return 1
	keys pick Up   # the list wraps: above the first is the last
	wait_for pick "^ next +server/child1: .*  \(2 of 2 held: Tab or Up/Down picks\)" || return 1
	keys pick '?'
	wait_for_text pick "socklab help: keys" || return 1
	expect_screen pick "stepping programs with no pane focused: the previous held" "Up in the help" || return 1
	keys pick q
	wait_for pick "^ next +server/child1: " || return 1
	quit pick || return 1
	terminal_restored pick || return 1
}

# A shell script starting a client: the script's child runs the client's
# program, and that exec is a row of the client's pane, as a fork is.
an_exec_is_a_row_of_the_pane() {
	local programs
	programs=$(dirname "$SOCKLAB")/tests
	[ -x "$programs/tracer_echo_client" ] || {
		echo "    skipped: the test programs are not built next to socklab" >&2
		return 77
	}
	launch exec 120 40 -- step --server "$programs/tracer_echo_server" \
		--client "sh $here/../programs/two_clients.sh $programs/tracer_echo_client"
	wait_for exec "^ next +" || return 1
	local key
	for key in $(seq 1 40); do
		capture exec | grep -qE "child1: exec\(." && break
		capture exec | grep -qE "^ next +both programs are over" && break
		key_ms exec >/dev/null
	done
	expect_screen exec "main: fork\(\) +[0-9]+" "the shell's fork, a row" &&
		expect_screen exec "child1: exec\(." "the exec, a row" &&
		expect_screen exec "runs a new program" "what the exec row says" || return 1
	# The row stays once the next key has cleared the message line.
	key_ms exec >/dev/null
	expect_screen exec "child1: exec\(." "the exec row, after a key" || return 1
	quit exec || return 1
	terminal_restored exec || return 1
}

# The programs students write next, each stepped to its end with Space
# alone: threads, an event loop with a socketpair, a shell script starting
# two clients, a client that sleeps first, one that crashes. No key may
# wedge (key_ms_bound above).
every_program_pattern_steps_to_its_end_promptly() {
	local programs pattern name key ms slowest
	programs=$(dirname "$SOCKLAB")/tests
	[ -x "$programs/tracer_thread_server" ] || {
		echo "    skipped: the test programs are not built next to socklab" >&2
		return 77
	}
	local patterns=(
		"threads|$programs/tracer_thread_server|$programs/tracer_echo_client"
		"loop|$programs/tracer_loop_server|$programs/tracer_echo_client"
		"script|$programs/tracer_forking_server 2|sh $here/../programs/two_clients.sh $programs/tracer_echo_client"
		"late|$programs/tracer_echo_server|$programs/tracer_late_client"
		"crash|$programs/tracer_echo_server|$programs/tracer_crashing_client"
		"dual|$programs/tracer_dual_stack_server|$programs/tracer_echo_client"
		"printer|$programs/tracer_printer|true"
	)
	for pattern in "${patterns[@]}"; do
		IFS='|' read -r name server client <<<"$pattern"
		launch "$name" 100 30 -- step --server "$server" --client "$client"
		wait_for "$name" "^ next +server: socket" || return 1
		slowest=0
		for key in $(seq 1 80); do
			capture "$name" | grep -qE "^ next +both programs are over" && break
			ms=$(key_ms "$name")
			[ "$ms" -gt "$slowest" ] && slowest=$ms
		done
		wait_for "$name" "^ next +both programs are over" || return 1
		echo "    $name: slowest key $slowest ms (bound $key_ms_bound ms)" >&2
		[ "$slowest" -le "$key_ms_bound" ] || {
			fail_with_screen "$name" "$name: the slowest key took $slowest ms"
			return 1
		}
		quit "$name" || return 1
		terminal_restored "$name" || return 1
	done
}

ctrl_c_while_stepping_programs_leaves_no_process() {
	need_python || return
	launch step-c 80 24 -- step "${python_pair[@]}"
	wait_for step-c "^ next +server: socket" || return 1
	press step-c Space 4
	wait_for step-c "^ next +client: socket" || return 1
	local pids
	pids=$(process_tree $(lab_pids step-c) | tr '\n' ' ')
	keys step-c C-c
	wait_for_file "$work/step-c/exit-code" || return 1
	wait_gone $pids || return 1
	[ "$(cat "$work/step-c/exit-code")" = 130 ] || {
		echo "    FAIL: exit code $(cat "$work/step-c/exit-code"), expected 130" >&2
		return 1
	}
	terminal_restored "step-c" || return 1
}

# A lesson not shipped with socklab starts programs only after y: its
# server would write a file, so the file says whether anything ran.
a_lesson_from_elsewhere_asks_before_its_programs_start() {
	local course=$work/course
	mkdir -p "$course"
	cat >"$course/shared.lesson" <<LESSON
title: a shared lesson
program server: sh -c 'echo ran >$course/ran'
step server: s = socket(AF_INET, SOCK_STREAM)
  expect: 3
LESSON
	local shown="^    server: sh -c 'echo ran >.*/course/ran'"
	# Enter is no: out of the lab, nothing started.
	launch consent-enter 80 24 -- run "$course/shared.lesson"
	wait_for_text consent-enter "this lesson starts programs" || return 1
	expect_screen consent-enter "$shown" "the exact command" &&
		expect_screen consent-enter "y start the programs  n quit" "the key line" || return 1
	keys consent-enter Enter
	wait_for_file "$work/consent-enter/exit-code" || return 1
	[ "$(cat "$work/consent-enter/exit-code")" = 0 ] || {
		echo "    FAIL: exit code $(cat "$work/consent-enter/exit-code") after Enter" >&2
		return 1
	}
	terminal_restored consent-enter || return 1
	[ ! -e "$course/ran" ] || { echo "    FAIL: Enter started the program" >&2; return 1; }
	# From a menu of lessons from elsewhere: n goes back to the menu.
	launch consent-menu 80 24 "SOCKLAB_LESSONS=$course" --
	wait_for consent-menu "> .*shared +a shared lesson" || return 1
	keys consent-menu Enter
	wait_for_text consent-menu "this lesson starts programs" || return 1
	keys consent-menu n
	wait_for_text consent-menu "shared: its programs were not started" || return 1
	expect_screen consent-menu "lessons: the BSD socket API" "the menu" || return 1
	[ ! -e "$course/ran" ] || { echo "    FAIL: n started the program" >&2; return 1; }
	quit consent-menu || return 1
	# y starts it, and the lesson opens.
	launch consent-yes 80 24 -- run "$course/shared.lesson"
	wait_for_text consent-yes "this lesson starts programs" || return 1
	[ ! -e "$course/ran" ] || { echo "    FAIL: the program ran before y" >&2; return 1; }
	keys consent-yes y
	wait_for_text consent-yes "step 0/1" || return 1
	if ! capture consent-yes | grep -q "private netns"; then
		quit consent-yes
		return 77   # the host path starts no program (lessons/README.md)
	fi
	wait_for_file "$course/ran" || return 1
	quit consent-yes
}

menu_keys_jump_search_and_the_end_offers_the_next_lesson() {
	launch habits 80 24 --
	wait_for_text habits "lessons: the BSD socket API" || return 1
	expect_screen habits "^  > 01  echo" "the first lesson selected" || return 1
	expect_screen habits "1-99 number +/ search" "the menu's typing keys on the key line" || return 1
	keys habits End
	wait_for habits "^  > 22  linger" || return 1
	keys habits Home
	wait_for habits "^  > 01  echo" || return 1
	keys habits G
	wait_for habits "^  > 22  linger" || return 1
	keys habits g
	wait_for habits "^  > 01  echo" || return 1
	# A number jumps: 1 then 5 is lesson 15; 7 after it (no lesson 157) is lesson 07.
	keys habits 1 5
	wait_for habits "^  > 15  poll" || return 1
	keys habits 7
	wait_for habits "^  > 07  byte-stream" || return 1
	keys habits 0 9
	wait_for habits "^  > 09  udp" || return 1
	# / searches names and titles; Down and Up walk the matches; Esc goes back.
	keys habits /
	wait_for habits "^ / +Enter choose" || return 1
	keys habits c l o s e
	wait_for habits "^  > 08  closing" || return 1
	expect_screen habits "^ /close" "what is typed" || return 1
	keys habits Down
	wait_for habits "^  > 13  handshake-slow" || return 1
	keys habits Down
	wait_for habits "^  > 20  listener-close" || return 1
	keys habits Up
	wait_for habits "^  > 13  handshake-slow" || return 1
	keys habits Escape
	wait_for habits "^  > 09  udp" || return 1
	expect_not_screen habits "^ /close" "the search line after Esc" || return 1
	keys habits / x y z z y
	wait_for habits "no lesson's name or title has 'xyzzy'" || return 1
	keys habits Escape
	# q typed in a search is a letter, not quit; Enter keeps the match.
	keys habits / E C H O Enter
	wait_for habits "^  > 01  echo" || return 1
	keys habits Enter
	wait_for_text habits "step 0/14" || return 1
	# The end of the lesson offers the next one, and n opens it.
	keys habits End
	wait_for_text habits "step 14/14" || return 1
	expect_screen habits "\(n: lesson 02, r restarts" "the next lesson offered at the end" || return 1
	keys habits n
	wait_for_text habits "step 0/11" || return 1
	expect_screen habits "02 +socket" "lesson 02's header" || return 1
	keys habits q
	wait_for habits "^  > 02  socket" || return 1
	quit habits
}

e_in_the_ladder_exports_it_as_it_stands() {
	local dir=$work/export-here socklab
	socklab=$(realpath "$SOCKLAB")
	mkdir -p "$dir"
	# The pane starts in $dir: e writes to the current directory.
	(cd "$dir" && SOCKLAB=$socklab launch ladderexport 80 24 -- run 01)
	wait_for_text ladderexport "step 0/14" || return 1
	press ladderexport Space 6
	wait_for_text ladderexport "step 6/14 part 1/2" || return 1
	keys ladderexport w
	wait_for ladderexport "^ SERVER +CLIENT$" || return 1
	expect_screen ladderexport "e export" "e on the ladder's key line" || return 1
	keys ladderexport e
	wait_for ladderexport "exported the ladder to socklab-01-echo-step6\.svg" || return 1
	local svg=$dir/socklab-01-echo-step6.svg
	[ -s "$svg" ] || { echo "    FAIL: no $svg" >&2; return 1; }
	# As it stands: the handshake is there, the woken accept (part 2) and step 7 are not.
	grep -q "SYN-ACK seq 0 ack 1" "$svg" && grep -q "connect(c, 127.0.0.1:65432)" "$svg" || {
		echo "    FAIL: the handshake is not in the export" >&2
		return 1
	}
	! grep -q "woke:" "$svg" && ! grep -q "sendall" "$svg" || {
		echo "    FAIL: the export shows more than the ladder did" >&2
		return 1
	}
	if command -v xmllint >/dev/null; then
		xmllint --noout "$svg" || { echo "    FAIL: $svg is not valid XML" >&2; return 1; }
	fi
	# A second export never overwrites the first.
	keys ladderexport e
	wait_for ladderexport "exported the ladder to socklab-01-echo-step6-2\.svg" || return 1
	[ -s "$dir/socklab-01-echo-step6-2.svg" ] || return 1
	keys ladderexport w
	wait_for ladderexport "^┌─ SERVER" || return 1
	quit ladderexport
}

# lines_fit NAME WIDTH: no line of the screen is wider than WIDTH display
# columns (wc -L counts a Chinese character as two), none holds a broken
# UTF-8 sequence, and none starts with closing Chinese punctuation.
lines_fit() {
	local screen widest
	screen=$(capture "$1")
	widest=$(printf '%s\n' "$screen" | wc -L)
	[ "$widest" -le "$2" ] || {
		fail_with_screen "$1" "a line $widest columns wide, more than $2"
		return 1
	}
	printf '%s\n' "$screen" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 || {
		fail_with_screen "$1" "valid UTF-8: no character cut in half"
		return 1
	}
	! printf '%s\n' "$screen" | grep -qE '^ ?[，。；：？！）」]' || {
		fail_with_screen "$1" "no line starting with closing punctuation"
		return 1
	}
}

lang_zh_explains_in_chinese_at_80x24_without_broken_wrapping() {
	launch zh 80 24 LANG=C.UTF-8 -- --lang zh run 01
	wait_for_text zh "step 0/14" || return 1
	expect_screen zh "01 回显服务器与客户端，一次一个调用" "the Chinese title" &&
		expect_screen zh "^ 服务器和客户端是本机上的两个进程" "the Chinese intro" &&
		expect_screen zh "下一步 .*退出" "the key line through gettext (po/zh_CN.po)" &&
		lines_fit zh 80 || return 1
	press zh Space 6
	wait_for_text zh "step 6/14 part 1/2" || return 1
	# The longest explanation of lesson 01, whole, with the kernel's names.
	expect_screen zh "^ connect\(\) 发出 SYN；服务器的内核回以 SYN-ACK" "step 6 in Chinese" &&
		expect_screen zh "两端都进入 ESTABLISHED" "ESTABLISHED as the kernel writes it" &&
		expect_screen zh "一直借用到 close 为" "its last line shown" &&
		expect_screen zh "在 accept 队列中，没有 fd" "the socket's note in Chinese" &&
		lines_fit zh 80 || return 1
	press zh Space 1
	wait_for_text zh "step 6/14 part 2/2" || return 1
	expect_screen zh "内核唤醒了阻塞中的 accept\(\)" "then-say in Chinese" &&
		lines_fit zh 80 &&
		quit zh || return 1
	# Without --lang, the student's locale decides (zh_CN.UTF-8 need not be
	# generated: its characters show through C.UTF-8).
	launch zhenv 80 24 LC_ALL= LANG=zh_CN.UTF-8 -- run 01
	wait_for_text zhenv "step 0/14" || return 1
	expect_screen zhenv "01 回显服务器与客户端，一次一个调用" "the Chinese title from LANG" &&
		lines_fit zhenv 80 &&
		quit zhenv
}

# walk_in_chinese NAME WIDTH HEIGHT LESSON: steps a lesson with --lang zh
# to its end, every screen in between fitting the terminal (lines_fit).
walk_in_chinese() {
	local name=$1 width=$2 height=$3 marker previous end
	launch "$name" "$width" "$height" LANG=C.UTF-8 -- --lang zh run "$4"
	wait_for "$name" "step 0/[0-9]+" || return 1
	end=$(deadline_in 60)
	while before_deadline "$end"; do
		lines_fit "$name" "$width" || return 1
		capture "$name" | grep -q "结束：每项预期都已满足" && return 0
		previous=$(capture "$name" | grep -oE "step [0-9]+/[0-9]+( part [12]/2)?" | head -1)
		keys "$name" Space
		# The next screen, drawn whole: another step marker (or the end) on
		# two captures in a row that agree.
		local screen last=
		while before_deadline "$end"; do
			screen=$(capture "$name")
			marker=$(grep -oE "step [0-9]+/[0-9]+( part [12]/2)?" <<<"$screen" | head -1)
			if [ "$screen" = "$last" ] && { [ "$marker" != "$previous" ] || grep -q "结束：" <<<"$screen"; }; then
				break
			fi
			last=$screen
			sleep "$TUI_POLL_S"
		done
	done
	fail_with_screen "$name" "the end of lesson $4 within 60 s"
}

lessons_01_04_08_in_chinese_fit_80x24_and_200x60_to_their_ends() {
	walk_in_chinese zh01 80 24 01 && quit zh01 &&
		walk_in_chinese zh04 80 24 04 && quit zh04 &&
		walk_in_chinese zh08 80 24 08 && quit zh08 &&
		walk_in_chinese zh08big 200 60 08 && quit zh08big
}


# A socket's notes on one line stay apart: the queues' note, then the
# retransmission timer, not one run-on sentence ("... SYN as 1 resent").
a_sockets_notes_on_one_line_are_kept_apart() {
	launch notes 200 30 -- run 13
	wait_for_text notes "step 0/" || return 1
	press notes Space 5
	wait_for notes "step 5/" || return 1
	wait_for notes "counts the SYN as 1; (retransmit|resent)" && quit notes || return 1
	launch noteszh 200 30 -- --lang zh run 13
	wait_for_text noteszh "step 0/" || return 1
	press noteszh Space 5
	wait_for noteszh "step 5/" || return 1
	wait_for noteszh "把 SYN 算作 1；(重传|已重传)" && quit noteszh
}

# --lang zh: the menu's scroll line, the pane's hidden calls and Enter
# hint, and the socket details' labels are Chinese, none left in English.
chinese_menu_panes_and_details_have_no_english_words() {
	launch zhmenu 80 24 -- --lang zh
	wait_for zhmenu "（上方还有 0 课，下方还有 [0-9]+ 课：Up Down）" && quit zhmenu || return 1
	launch zhpane 80 24 -- --lang zh run 04
	wait_for_text zhpane "step 0/" || return 1
	press zhpane Space 10
	wait_for_text zhpane "step 10/" || return 1
	wait_for_text zhpane "（之前还有 3 个调用）" &&
		expect_not_screen zhpane "earlier call" "the hidden calls in English" &&
		expect_screen zhpane "│ fd +本端 +对端" "the socket table's headings" &&
		expect_not_screen zhpane " local +peer" "the headings in English" || return 1
	keys zhpane Tab
	wait_for_text zhpane "Enter：详情" || return 1
	keys zhpane Enter
	wait_for_text zhpane "属主 uid" || return 1
	expect_screen zhpane "^   名字 +" "the name's label" &&
		expect_screen zhpane "^   变化 +" "the changes' label" &&
		expect_not_screen zhpane "side|name|note|changed|owner" "English labels" || return 1
	keys zhpane q
	wait_for_text zhpane "step 10/" && quit zhpane
}

# The help page at 80 columns: every line wrapped, none cut mid-word, and
# where the page is ("45-66/120") whole beside the keys.
the_help_page_wraps_its_legend_and_says_where_it_is() {
	local seen= screen page= previous end
	launch helpwrap 80 24 -- run 04
	wait_for_text helpwrap "step 0/" || return 1
	keys helpwrap '?'
	wait_for_text helpwrap "socklab help: keys" || return 1
	end=$(deadline_in 20)
	while before_deadline "$end"; do
		# The next page, drawn whole: its position, new, on two captures that agree.
		previous=$page
		wait_for helpwrap " [0-9]+-[0-9]+/[0-9]+$" || return 1
		screen=$(capture helpwrap)
		page=$(tail -1 <<<"$screen" | grep -oE "[0-9]+-[0-9]+/[0-9]+$")
		if [ "$page" = "$previous" ]; then
			sleep "$TUI_POLL_S"
			continue
		fi
		seen+=$screen$'\n'
		[ "${page#*-}" = "${page##*/}/${page##*/}" ] && break
		keys helpwrap C-d
	done
	grep -qE "^ +before it\)$" <<<"$seen" &&
		grep -qE "^ +release\(\) lets one copy go and drops the others$" <<<"$seen" || {
		fail_with_screen helpwrap "the legend's why: and resent wrapped whole: $seen"
		return 1
	}
	keys helpwrap q
	wait_for_text helpwrap "step 0/" && quit helpwrap
}

# Stepping programs: a says that autoplay is not offered (not that
# programs only run forward), and a socket's details do not blame a lesson
# for its missing name.
stepping_says_why_there_is_no_autoplay_and_no_name() {
	local programs
	programs=$(dirname "$SOCKLAB")/tests
	[ -x "$programs/tracer_echo_server" ] || {
		echo "    skipped: the test programs are not built next to socklab" >&2
		return 77
	}
	launch noauto 100 30 -- step --server "$programs/tracer_echo_server" --client "$programs/tracer_echo_client"
	wait_for noauto "^ next +server: socket\(AF_INET" || return 1
	keys noauto Space
	wait_for noauto "^ next +server: setsockopt" || return 1
	keys noauto a
	wait_for_text noauto "autoplay is not offered when stepping programs" || return 1
	keys noauto Tab
	wait_for_text noauto "Enter: details" || return 1
	keys noauto Enter
	wait_for_text noauto "socket details: server" || return 1
	expect_screen noauto "^   name +\(none: a stepped program's sockets go by their fd\)" \
		"why the socket has no name" &&
		expect_not_screen noauto "lesson" "a lesson named" || return 1
	keys noauto q
	wait_for noauto "^ next +server: setsockopt" && quit noauto
}

# An unmet expectation on the lesson screen, in Chinese: the label is the
# projector's and --plain's word, not "FAILED".
an_unmet_expectation_is_labelled_in_chinese() {
	sed -e 's/  expect: 0, server ls LISTEN rq 0 wq 5/  expect: 0, server ls ESTABLISHED rq 0 wq 5/' \
		"$SOCKLAB_LESSONS/01-echo.lesson" >"$work/99-unmet.lesson"
	launch unmet 80 24 -- --lang zh run "$work/99-unmet.lesson"
	wait_for_text unmet "step 0/" || return 1
	press unmet Space 3
	wait_for_text unmet "step 3/" || return 1
	wait_for unmet "^ 未满足  .*99-unmet.lesson:28: 预期 server ls ESTABLISHED" &&
		expect_not_screen unmet "FAILED" "the English label" &&
		quit unmet
}

tests=(
	first_screen_shows_both_panes_and_the_next_call
	lang_zh_explains_in_chinese_at_80x24_without_broken_wrapping
	lessons_01_04_08_in_chinese_fit_80x24_and_200x60_to_their_ends
	stepping_the_echo_lesson_shows_each_state_the_kernel_has
	back_goto_and_restart_show_what_stepping_forward_showed
	resizing_uses_the_space_and_says_what_it_needs
	a_one_by_one_terminal_neither_crashes_nor_hangs
	no_color_and_lang_c_keep_change_marks_and_borders
	every_terminal_type_draws_the_lesson
	quitting_with_q_restores_the_terminal
	sigterm_restores_the_terminal_and_leaves_no_process
	sighup_restores_the_terminal_and_leaves_no_process
	ctrl_c_restores_the_terminal_and_leaves_no_process
	a_crash_restores_the_terminal_and_leaves_no_process
	the_menu_opens_lesson_01_and_q_returns_to_it
	help_and_socket_details_pages_open_and_close
	autoplay_steps_by_itself_until_stopped
	big_below_100x30_keeps_the_usual_screen_whole
	projector_screen_at_200x60_with_big_shows_each_state_large
	projector_screen_comes_by_itself_at_160x45
	clicker_keys_step_from_the_ladder_help_details_and_quiz
	the_menu_moves_on_pgdn_and_opens_only_on_enter
	free_play_runs_typed_calls_blocks_and_explains_a_refusal
	a_typo_is_marked_in_place_with_a_suggestion
	release_in_free_play_is_refused_in_place
	tab_completes_calls_constants_sockets_and_sides
	history_recalls_lines_across_runs
	an_unreadable_history_is_skipped
	w_writes_a_lesson_that_check_accepts_and_run_replays
	a_refusal_in_a_lesson_shows_why_and_colon_plays_on_from_there
	colon_in_a_lesson_that_holds_segments_says_why_it_cannot
	the_wire_row_and_the_ladder_show_each_packet_under_its_call
	a_held_segment_shows_and_the_ladder_grows_with_each_release
	hold_flag_holds_each_segment_until_x_lets_it_go
	without_a_capture_the_wire_says_why
	a_unix_sockets_step_says_why_the_wire_is_silent
	trace_and_pcap_record_the_steps_as_they_stand_when_the_lesson_is_left
	a_tui_killed_with_sigkill_leaves_the_steps_it_took_in_the_trace
	predict_mode_asks_before_a_step_scores_it_and_gives_hints
	progress_marks_a_lesson_done_and_continue_opens_where_it_was_left
	a_lesson_that_ended_with_failures_reads_tried_not_done_in_the_menu
	a_corrupted_progress_file_is_said_once_and_the_menu_works
	three_sides_get_a_pane_each_where_they_fit_and_a_summary_line_where_not
	the_point_shows_at_80x24_and_every_cut_is_marked
	stepping_the_python_pair_runs_one_held_call_a_key
	stepping_a_forking_server_releases_every_process_promptly
	up_and_down_pick_the_held_task_of_a_forking_server
	an_exec_is_a_row_of_the_pane
	every_program_pattern_steps_to_its_end_promptly
	ctrl_c_while_stepping_programs_leaves_no_process
	a_lesson_from_elsewhere_asks_before_its_programs_start
	menu_keys_jump_search_and_the_end_offers_the_next_lesson
	e_in_the_ladder_exports_it_as_it_stands
	a_sockets_notes_on_one_line_are_kept_apart
	chinese_menu_panes_and_details_have_no_english_words
	the_help_page_wraps_its_legend_and_says_where_it_is
	stepping_says_why_there_is_no_autoplay_and_no_name
	an_unmet_expectation_is_labelled_in_chinese
	a_summary_line_cut_at_the_edge_says_so
	the_menu_search_takes_chinese
)

passed=0
failed=0
skipped=0
for test in "${tests[@]}"; do
	if [ $# -gt 1 ] && [[ " ${*:2} " != *" $test "* ]]; then
		continue   # run_tui_tests.sh SOCKLAB [TEST...]: only those
	fi
	started=$(now_s)
	"$test"
	result=$?
	if [ "$result" -eq 0 ]; then
		passed=$((passed + 1))
		printf 'ok    %-62s %5.2f s\n' "$test" "$(awk -v a="$started" -v b="$(now_s)" 'BEGIN { print b - a }')"
	elif [ "$result" -eq 77 ]; then
		skipped=$((skipped + 1))
		printf 'skip  %s\n' "$test"
	else
		failed=$((failed + 1))
		printf 'FAIL  %s\n' "$test"
	fi
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
