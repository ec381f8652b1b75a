#!/usr/bin/env bash
# tools/apparmor/socklab parses (apparmor_parser -QK: no kernel, no cache), as shipped and as
# tools/apparmor/install.sh rewrites it for another binary, and grants userns, unconfined
# otherwise. The userns rule came with AppArmor 4.0: an older parser (Debian 12 has 3.0)
# parses the rest, and the test says it was skipped.
set -uo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
profile=$source_dir/tools/apparmor/socklab
failed=0
check() { if "$@"; then :; else echo "FAIL: $*"; failed=1; fi; }
# The parser's own message only when it refuses (it notes a missing kernel interface otherwise).
parses() { local out; out=$("$parser" -QK "$1" 2>&1) || { echo "$out"; return 1; }; }

check grep -qx '  userns,' "$profile"
check grep -q '^profile socklab /usr/local/bin/socklab flags=(unconfined) {$' "$profile"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
DESTDIR=$stage "$source_dir/tools/apparmor/install.sh" socklab-build "/home/a student/socklab/build/socklab" 2>/dev/null
check grep -q '^profile socklab-build "/home/a student/socklab/build/socklab" flags=(unconfined) {$' \
	"$stage/etc/apparmor.d/socklab-build"

parser=$(command -v apparmor_parser || true)
[ -n "$parser" ] || [ ! -x /sbin/apparmor_parser ] || parser=/sbin/apparmor_parser
if [ -z "$parser" ]; then
	[ $failed -eq 0 ] || exit 1
	echo "apparmor_profile: skipped: apparmor_parser is not installed (Debian: the apparmor package)"
	exit 77
fi
version=$("$parser" --version | sed -n '1s/.*version \([0-9][0-9.]*\).*/\1/p')
if [ "${version%%.*}" -ge 4 ] 2>/dev/null; then
	check parses "$profile"
	check parses "$stage/etc/apparmor.d/socklab-build"
	if [ $failed -eq 0 ]; then echo "apparmor_profile: 2 passed, 0 failed"; fi
	exit $failed
fi
for file in "$profile" "$stage/etc/apparmor.d/socklab-build"; do
	sed -e 's|^abi <abi/4.0>,|abi <abi/3.0>,|' -e '/^  userns,$/d' "$file" >"$stage/older"
	check parses "$stage/older"
done
[ $failed -eq 0 ] || exit 1
echo "apparmor_profile: skipped: apparmor_parser $version predates the userns rule (AppArmor 4.0);" \
	"everything else parsed"
exit 77
