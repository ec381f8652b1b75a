#!/usr/bin/env bash
# Kills socklab at random points, many times, with each stop signal and
# SIGKILL, on both paths (private namespace and --host), and checks that
# nothing is left: no socklab or puppet process, on the host path no socket
# of the lab, no directory of the lab in /tmp, and (in tmux) a sane terminal
# (stty -g equal before and after).
#
# Only the controller is signalled, by its pid: puppets are forks of it with
# the same command line, and a signal sent to them too would kill them
# whether or not the controller takes them down. SIGKILL cannot be caught:
# the puppets must still die (PR_SET_PDEATHSIG), but the terminal is left as
# curses had it, so after SIGKILL only the pane's shell getting its terminal
# back is checked, not stty.
#
#   tests/kill_soak.sh SOCKLAB [ROUNDS]     (CI: 3 rounds; the long run: 100)
set -uo pipefail
socklab=$(realpath "$1")
rounds=${2:-3}
# A copy of the lesson under a fresh name: every process of ours, and only
# ours, has this file on its command line.
lesson=$(mktemp /tmp/socklab-kill-XXXXXX.lesson)
cp "$(dirname "$0")/../lessons/08-closing.lesson" "$lesson"
state=$(mktemp -d)
export XDG_STATE_HOME=$state
uid=$(id -u)
passed=0 failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# wait_for MS COMMAND...: polls COMMAND every 10 ms until it succeeds, or
# fails after MS milliseconds.
now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
wait_for() {
	local deadline=$(($(now_us) + $1 * 1000))
	shift
	until "$@"; do
		(($(now_us) < deadline)) || return 1
		sleep 0.01
	done
}

# The live (not zombie) processes running our lesson: the controller, its
# puppets, a lesson fork()'s children.
lab_pids() { pgrep -u "$uid" -f "^$socklab run .*$lesson"; }
no_lab_pids() { ! lab_pids >/dev/null; }
# unique PID...: the given pids and those on stdin, once each.
unique() { { printf '%s\n' "$@"; cat; } | sort -un | tr '\n' ' '; }

# The local ports of the sockets the given processes hold.
ports_of() {
	[ $# -gt 0 ] || return 0
	ss -Htuanp | awk -v pids=" $* " '{
		if (!match($0, /pid=[0-9]+,/)) next
		if (index(pids, " " substr($0, RSTART + 4, RLENGTH - 5) " ")) {
			n = split($5, part, ":"); print part[n]
		}
	}' | sort -u
}

# lab_sockets "PIDS" "PORTS": the sockets still held by one of PIDS or by a
# process of our lesson, and any listening socket on one of PORTS. A
# connection the kernel is still closing on its own (FIN-WAIT, LAST-ACK,
# TIME-WAIT, no process) is TCP, not a leftover of the lab.
lab_sockets() {
	local pids
	pids=" $1 $(lab_pids | tr '\n' ' ') "
	ss -Htuanp | awk -v pids="$pids" -v ports=" $(echo $2) " '{
		owned = 0
		s = $0
		while (match(s, /pid=[0-9]+,/)) {
			if (index(pids, " " substr(s, RSTART + 4, RLENGTH - 5) " ")) owned = 1
			s = substr(s, RSTART + RLENGTH)
		}
		n = split($5, part, ":")
		if (owned || (($2 == "LISTEN" || $2 == "UNCONN") && index(ports, " " part[n] " "))) print
	}'
}

# check LABEL PATH "PIDS" "PORTS" [PROBLEM]: after a kill, nothing of the lab
# is left. PIDS and PORTS were its processes and ports just before; PROBLEM,
# one the caller already found.
check() {
	local label=$1 path=$2 pids=$3 ports=$4 problems=${5:-} remaining sockets
	# Puppets die with their controller (PR_SET_PDEATHSIG, or the controller
	# kills them): give the kernel a moment to deliver that.
	if ! wait_for 2000 no_lab_pids; then
		remaining=$(lab_pids | tr '\n' ' ')
		problems="${problems:+$problems; }a process outlived the run (${remaining% })"
	fi
	if [ "$path" = --host ]; then
		sockets=$(lab_sockets "$pids" "$ports")
		[ -z "$sockets" ] || problems="${problems:+$problems; }a socket of the lab remains: $(echo $sockets)"
	fi
	if [ -n "$problems" ]; then
		fail "$label: $problems"
		remaining=$(lab_pids)
		[ -z "$remaining" ] || kill -KILL $remaining 2>/dev/null
		return 1
	fi
	return 0
}

for signal in INT TERM HUP KILL; do
	for round in $(seq "$rounds"); do
		for path in "" --host; do
			"$socklab" run --plain $path "$lesson" >"$state/out" 2>&1 &
			pid=$!
			# A random point: 0 to 60 ms into the run (the lesson takes ~100 ms).
			# Not a wait for anything: the randomness is the point.
			sleep "0.0$((RANDOM % 6))$((RANDOM % 10))"
			pids=$(lab_pids | unique "$pid")
			ports=$(ports_of $pids)
			kill -s "$signal" "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			# The transcript names the host's port for the lesson's, if it got out.
			ports="$ports $(sed -n "s/^port: the lesson's [0-9]* is \([0-9]*\) on this host$/\1/p" "$state/out")"
			check "SIG$signal round $round${path:+ $path}" "$path" "$pids" "$ports" && passed=$((passed + 1))
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
	# The pane runs this: the controller is started by exec from a shell that
	# first writes its pid, and the pane's shell stays to read the terminal
	# after it.
	cat >"$state/pane.sh" <<-'EOF'
		state=$1 socklab=$2 lesson=$3
		shift 3
		export LANG=C.UTF-8
		stty -g > "$state/before"
		sh -c 'echo $$ > "$0"; exec "$@"' "$state/pid" "$socklab" run "$@" "$lesson"
		stty -g > "$state/after"
		exec sleep 30
	EOF
	screen() { tmux -L "$socket" capture-pane -p 2>/dev/null; }
	screen_has() { screen | grep -qF -- "$1"; }
	after_written() { [ -s "$state/after" ]; }
	for signal in INT TERM HUP KILL; do
		for round in $(seq "$rounds"); do
			for path in "" --host; do
				label="TUI SIG$signal round $round${path:+ $path}"
				socket=socklab-kill-$$-$signal-$round$path   # a fresh server each time
				rm -f "$state/before" "$state/after" "$state/pid"
				tmux -u -L "$socket" -f /dev/null new-session -d -x 80 -y 24 \
					"exec sh $(printf '%q ' "$state/pane.sh" "$state" "$socklab" "$lesson" $path)"
				# kill-server leaves the socket file behind: remove it after.
				socket_path=$(tmux -L "$socket" display -p '#{socket_path}' 2>/dev/null)
				# Wait for the lesson screen, then step a random number of times
				# and wait for the lab to have taken them.
				steps=$((RANDOM % 12))
				if ! wait_for 5000 screen_has "SERVER"; then
					fail "$label: the lesson screen did not appear"
				else
					for _ in $(seq "$steps"); do tmux -L "$socket" send-keys ' '; done
					pane_pid=$(tmux -L "$socket" display -p '#{pane_pid}')
					controller=$(cat "$state/pid")
					# The controller: the program the pane's shell started, on
					# our lesson (not the shell, not a puppet).
					if ! wait_for 5000 screen_has "step $steps/"; then
						fail "$label: the lab did not reach step $steps"
					elif [ "$(tr '\0' '\n' <"/proc/$controller/cmdline" 2>/dev/null)" != "$(printf '%s\n' "$socklab" run $path "$lesson")" ] \
						|| [ "$(awk '{ print $4 }' "/proc/$controller/stat" 2>/dev/null)" != "$pane_pid" ]; then
						fail "$label: pid $controller is not the controller the pane started"
					elif [ "$path" = --host ] && ! screen_has "host network"; then
						fail "$label: the lab did not run on the host network"
					else
						puppets=$(pgrep -P "$controller" | tr '\n' ' ')
						pids=$(lab_pids | unique "$controller" $puppets)
						ports=$(ports_of $pids)
						if [ -z "$puppets" ]; then
							fail "$label: the controller had no puppets to take down"
						else
							kill -s "$signal" "$controller"
							# The pane's shell goes on when the controller is gone.
							problem=""
							if ! wait_for 3000 after_written; then
								problem="the pane's shell did not get its terminal back"
							elif [ "$signal" != KILL ] && ! cmp -s "$state/before" "$state/after"; then
								problem="the terminal was not restored"
							fi
							check "$label" "$path" "$pids" "$ports" "$problem" && passed=$((passed + 1))
						fi
					fi
				fi
				tmux -L "$socket" kill-server 2>/dev/null
				[ -z "$socket_path" ] || rm -f "$socket_path"
				remaining=$(lab_pids)
				[ -z "$remaining" ] || kill -KILL $remaining 2>/dev/null
			done
		done
	done
fi
rm -rf "$state" "$lesson"
echo "kill: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
