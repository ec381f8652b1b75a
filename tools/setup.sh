#!/usr/bin/env bash
# socklab's set-up, for a fresh Debian or Ubuntu machine and for CI.
#
#   tools/setup.sh run [LESSON]   install what is missing, build, start the lab (lesson 01 by default)
#   tools/setup.sh test           install what is missing, build, run every test: a normal build
#                                 with warnings as errors, then the same suite under ASan + UBSan,
#                                 then valgrind over each lesson's --plain run, then 10 s of
#                                 libFuzzer on each parser (clang)
#
# Packages come from apt-get (through sudo when not root). Builds go to build/ and build-sanitize/.
# Where AppArmor restricts user namespaces (Ubuntu 24.04), build/socklab gets a profile that lets
# it make its private namespace (tools/apparmor/install.sh, through sudo when not root).
# Each phase prints one line first: what it does and, where it is slow, about how long it takes
# (measured on a 2-vCPU VM); its tools stay quiet unless something fails.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-run}
shift || true

# python3: lesson 18's program sides and the tutorial's examples/*.py that `socklab step` runs.
run_packages=(build-essential cmake pkg-config libncurses-dev libmnl-dev libjansson-dev libcriterion-dev libpcap-dev
	libnetfilter-queue-dev libnftnl-dev python3 gettext)   # gettext: msgfmt builds the interface's Chinese (po/)
test_packages=(tmux valgrind util-linux procps tcpdump nftables clang libclang-rt-dev apparmor libxml2-utils librsvg2-bin)
# (gettext's msgmerge, xgettext: tools/lesson-po.sh, tools/po-update.sh, the i18n test; in run_packages)

say() { printf '== %s\n' "$*" >&2; }

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)

install_missing() {
	local missing=()
	for package in "$@"; do
		dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "apt-get update: the package lists (about 5 s)"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	say "installing ${#missing[@]} packages with apt-get (about $((10 + 2 * ${#missing[@]})) s): ${missing[*]}"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# build DIR SECONDS WHAT [CMAKE OPTION...]
build() {
	local dir=$1 seconds=$2 what=$3
	shift 3
	say "building $what in $dir/ (about $seconds s on 2 cores)"
	cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
	cmake --build "$dir" -j"$(nproc)" >/dev/null
}

# The profile matters only where AppArmor is on; loading it needs root.
apparmor_profile() {
	local install=(tools/apparmor/install.sh socklab-build "$PWD/build/socklab")
	if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; then
		"${sudo[@]}" "${install[@]}" || say "AppArmor profile not loaded: the lab will say why if it runs on the host path"
	else
		"${install[@]}"
	fi
}

case "$mode" in
run)
	install_missing "${run_packages[@]}"
	build build 30 socklab
	apparmor_profile
	exec build/socklab run "${1:-01}"
	;;
test)
	install_missing "${run_packages[@]}" "${test_packages[@]}"
	build build 40 "socklab and its tests, hardened (_FORTIFY_SOURCE=3, the stack protector)" \
		-DSOCKLAB_WERROR=ON -DSOCKLAB_HARDEN=ON
	say "tests (ctest prints each as it ends)"
	ctest --test-dir build --output-on-failure -j2
	build build-sanitize 60 "the same under AddressSanitizer and UndefinedBehaviorSanitizer" \
		-DSOCKLAB_WERROR=ON -DSOCKLAB_SANITIZE=ON
	say "tests under AddressSanitizer and UndefinedBehaviorSanitizer"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir build-sanitize --output-on-failure -j2
	say "valgrind memcheck over every lesson's --plain run (a few minutes; a line for each lesson it skips)"
	tests/valgrind_lessons.sh build/socklab
	say "building the libFuzzer targets with clang in build-fuzz/ (about 60 s on 2 cores)"
	CC=clang cmake -S . -B build-fuzz -DSOCKLAB_FUZZ=ON >/dev/null
	cmake --build build-fuzz -j"$(nproc)" --target fuzz_lesson fuzz_typed_call fuzz_address fuzz_words fuzz_probe fuzz_trace \
		fuzz_capture fuzz_play_input fuzz_replay fuzz_po fuzz_netlink >/dev/null
	say "libFuzzer: 10 s of each of the 11 parsers, 2 at a time (about 60 s; the long run is in README)"
	ctest --test-dir build-fuzz -R '^fuzz_' --output-on-failure -j2
	;;
*)
	echo "usage: tools/setup.sh run [LESSON] | tools/setup.sh test" >&2
	exit 2
	;;
esac
