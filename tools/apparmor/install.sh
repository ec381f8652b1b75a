#!/usr/bin/env bash
# Installs socklab's AppArmor profile (tools/apparmor/socklab) for one binary and loads it:
#
#   tools/apparmor/install.sh NAME BINARY
#
# writes /etc/apparmor.d/NAME, the shipped profile renamed NAME and attached to BINARY (an
# absolute path), then runs apparmor_parser -r on it. With DESTDIR set (a package being
# staged) it only writes $DESTDIR/etc/apparmor.d/NAME. Otherwise it skips, saying why, where
# the profile has nothing to do or cannot be loaded: AppArmor is off, apparmor_parser is
# missing, this AppArmor predates the userns rule (4.0; older ones do not restrict user
# namespaces), or the caller is not root. Exit 0 when installed or skipped, 1 when loading failed.
set -euo pipefail
here=$(dirname "$0")
[ $# -eq 2 ] && [ "${2#/}" != "$2" ] || { echo "usage: $0 NAME /ABSOLUTE/PATH/OF/socklab" >&2; exit 2; }
name=$1 binary=$2

say() { printf 'AppArmor: %s\n' "$*" >&2; }

# A path with a space is quoted; the shipped profile's own path is the installed binary's.
attach=$binary
case "$binary" in *[[:space:]]*) attach="\"$binary\"" ;; esac
profile=$(sed -e "s|^profile socklab /usr/local/bin/socklab |profile $name $attach |" \
	-e "s|<local/socklab>|<local/$name>|" "$here/socklab")

if [ -n "${DESTDIR:-}" ]; then
	mkdir -p "$DESTDIR/etc/apparmor.d"
	printf '%s\n' "$profile" >"$DESTDIR/etc/apparmor.d/$name"
	say "staged $DESTDIR/etc/apparmor.d/$name for $binary (load it on the target with apparmor_parser -r)"
	exit 0
fi
if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ]; then
	say "not enabled in this kernel: user namespaces need no profile here (skipped)"
	exit 0
fi
parser=$(command -v apparmor_parser || true)
[ -n "$parser" ] || [ ! -x /sbin/apparmor_parser ] || parser=/sbin/apparmor_parser
if [ -z "$parser" ]; then
	say "apparmor_parser is missing (Debian and Ubuntu: the apparmor package): profile for $binary skipped"
	exit 0
fi
scratch=$(mktemp)
trap 'rm -f "$scratch"' EXIT
printf '%s\n' "$profile" >"$scratch"
version=$("$parser" --version | sed -n '1s/.*version \([0-9][0-9.]*\).*/\1/p')
if [ "${version%%.*}" -lt 4 ] 2>/dev/null; then
	say "apparmor_parser $version predates the userns rule (AppArmor 4.0); this AppArmor does not restrict user namespaces: no profile needed (skipped)"
	exit 0
fi
if ! "$parser" -QK "$scratch"; then
	say "apparmor_parser $version refused the profile for $binary (above)"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	say "loading a profile needs root: sudo $0 $name '$binary' (skipped)"
	exit 0
fi
install -m 0644 "$scratch" "/etc/apparmor.d/$name"
if "$parser" -r "/etc/apparmor.d/$name"; then
	say "/etc/apparmor.d/$name loaded: $binary may set up its private network namespace"
else
	say "/etc/apparmor.d/$name installed, but apparmor_parser -r could not load it"
	exit 1
fi
