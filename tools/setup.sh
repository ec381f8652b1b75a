#!/usr/bin/env bash
# socklab's set-up, for a fresh Debian or Ubuntu machine and for CI.
#
#   tools/setup.sh run [LESSON]   install what is missing, build, start the lab (lesson 01 by default)
#   tools/setup.sh test           install what is missing, build, run every test: a normal build
#                                 with warnings as errors, then the same suite under ASan + UBSan,
#                                 then valgrind over each lesson's --plain run, then a short
#                                 libFuzzer run of each parser (clang)
#
# Packages come from apt-get (through sudo when not root). Builds go to build/ and build-sanitize/.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-run}
shift || true

run_packages=(build-essential cmake pkg-config libncurses-dev libmnl-dev libjansson-dev libcriterion-dev libpcap-dev
	libnetfilter-queue-dev libnftnl-dev)
test_packages=(tmux valgrind util-linux procps python3 tcpdump nftables clang libclang-rt-dev
	gettext)   # msgmerge: tools/lesson-po.sh and the test of a stale translation

say() { printf '== %s\n' "$*" >&2; }

install_missing() {
	local missing=()
	for package in "$@"; do
		dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing: ${missing[*]}"
	local sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
	local dir=$1
	shift
	say "building in $dir"
	cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
	cmake --build "$dir" -j"$(nproc)" >/dev/null
}

case "$mode" in
run)
	install_missing "${run_packages[@]}"
	build build
	exec build/socklab run "${1:-01}"
	;;
test)
	install_missing "${run_packages[@]}" "${test_packages[@]}"
	build build -DSOCKLAB_WERROR=ON
	say "tests"
	ctest --test-dir build --output-on-failure -j2
	build build-sanitize -DSOCKLAB_WERROR=ON -DSOCKLAB_SANITIZE=ON
	say "tests under AddressSanitizer and UndefinedBehaviorSanitizer"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir build-sanitize --output-on-failure -j2
	say "valgrind memcheck over every lesson's --plain run"
	tests/valgrind_lessons.sh build/socklab
	say "libFuzzer: 10 s of each parser (the long run is in README)"
	CC=clang cmake -S . -B build-fuzz -DSOCKLAB_FUZZ=ON >/dev/null
	cmake --build build-fuzz -j"$(nproc)" --target fuzz_lesson fuzz_typed_call fuzz_address fuzz_words fuzz_probe fuzz_trace \
		fuzz_capture >/dev/null
	ctest --test-dir build-fuzz -R '^fuzz_' --output-on-failure -j2
	;;
*)
	echo "usage: tools/setup.sh run [LESSON] | tools/setup.sh test" >&2
	exit 2
	;;
esac
