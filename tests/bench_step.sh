#!/usr/bin/env bash
# Figures for `socklab step`'s speed (not a test): a program's own loop
# timed natively and under the lab, alternately, median of N rounds.
#
#   tests/bench_step.sh [BUILD_DIR] [ROUNDS]
#
#   devnull-write  10^5 write(2)s to /dev/null: not a socket, never stopped
#                  (goal: within 1.05x of native), beside the same loop
#                  under a seccomp filter that allows everything (the floor)
#   pingpong       10^4 one-byte TCP round trips on loopback, every send and
#                  recv a stopped, stepped call: under `step --plain` and
#                  under `strace -f` (when strace is installed), and the
#                  floor under that goal (bench_floor, on one CPU)
set -euo pipefail
build=${1:-build}
rounds=${2:-5}
socklab=$build/socklab
programs=$build/tests

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# The figure a loop printed: "... : 585.3 ns per ..." -> 585.3
figure() { sed -n 's/.*: \([0-9.]*\) ns per .*/\1/p' | head -1; }

native_write=() floor_write=() traced_write=()
for _ in $(seq "$rounds"); do
	native_write+=("$("$programs/tracer_syscall_loop" devnull-write 100000 | figure)")
	floor_write+=("$("$programs/tracer_syscall_loop" devnull-write 100000 allow-filter | figure)")
	traced_write+=("$("$socklab" step --plain --server "$programs/tracer_syscall_loop devnull-write 100000" \
		--client true 2>&1 | figure)")
done
n=$(printf '%s\n' "${native_write[@]}" | median)
f=$(printf '%s\n' "${floor_write[@]}" | median)
t=$(printf '%s\n' "${traced_write[@]}" | median)
printf 'devnull-write x100000: native %s ns, under step %s ns a call: %.2fx (goal 1.05x)\n' "$n" "$t" \
	"$(echo "$t / $n" | bc -l)"
# The floor: any seccomp filter, even one that allows every call from the
# kernel's cache, sends each call down the kernel's slower entry path.
printf '  a filter allowing every call: %s ns (%.2fx native); step against that floor: %.2fx\n' "$f" \
	"$(echo "$f / $n" | bc -l)" "$(echo "$t / $f" | bc -l)"

port=$((40000 + $$ % 20000))
pingpong_native() {
	"$programs/tracer_pingpong" server "$port" 10000 & local server=$!
	"$programs/tracer_pingpong" client "$port" 10000 | figure
	wait "$server"
}
native=() stepped=() straced=()
for _ in $(seq "$rounds"); do
	native+=("$(pingpong_native)")
	stepped+=("$( { /usr/bin/time -f 'wall %e' "$socklab" step --plain \
		--server "$programs/tracer_pingpong server 65431 10000" \
		--client "$programs/tracer_pingpong client 65431 10000" >/dev/null; } 2>&1 | sed -n 's/wall //p')")
	if command -v strace >/dev/null; then
		straced+=("$( { /usr/bin/time -f 'wall %e' sh -c "strace -f -qq -o /dev/null $programs/tracer_pingpong server $port 10000 &
			strace -f -qq -o /dev/null $programs/tracer_pingpong client $port 10000 >/dev/null; wait"; } 2>&1 | sed -n 's/wall //p')")
	fi
done
printf 'pingpong x10000: native %s ns a round trip; the whole run under step --plain %s s' \
	"$(printf '%s\n' "${native[@]}" | median)" "$(printf '%s\n' "${stepped[@]}" | median)"
if [ ${#straced[@]} -gt 0 ]; then
	printf ', under strace -f %s s\n' "$(printf '%s\n' "${straced[@]}" | median)"
else
	printf ' (strace not installed: no comparison)\n'
fi

# The floor under the goal: one tracer that only stops each socket call
# and reads both ends after it (tests/bench_floor.c), on one CPU as step
# runs (cli_pin_to_current_cpu). What step takes beyond it is its own.
cpu=$(awk '{ print $39 }' /proc/self/stat)
floor=$(taskset -c "$cpu" "$programs/bench_floor" 10000 "$rounds" "$port" "$programs/tracer_pingpong")
median_of() { printf '%s\n' "$floor" | awk -v mode="$1" '$1 == mode && $3 == "s" { print $2 }'; }
printf 'pingpong x10000 floor on one CPU: stops %s s, stops and both ends read %s s' \
	"$(median_of stops)" "$(median_of stops+reads)"
if command -v strace >/dev/null; then
	printf ', strace -f %s s\n' "$(median_of strace)"
else
	printf ' (strace not installed: no comparison)\n'
fi
