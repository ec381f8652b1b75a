#!/usr/bin/env bash
# cmake --install puts the binary, the lessons, the man page and the AppArmor profile where a
# packager expects them, and the installed binary finds its lessons from anywhere, without the
# source tree. Staged under DESTDIR, so the host's /etc/apparmor.d is never touched.
set -euo pipefail
build=$1
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
prefix=/opt/socklab-test
DESTDIR=$stage cmake --install "$build" --prefix "$prefix" >/dev/null 2>&1
root=$stage$prefix
failed=0
check() { if "$@"; then :; else echo "FAIL: $*"; failed=1; fi; }
check test -x "$root/bin/socklab"
check test -f "$root/share/man/man1/socklab.1"
check test -f "$root/share/socklab/lessons/01-echo.lesson"
check grep -q "^profile socklab $prefix/bin/socklab flags=(unconfined) {\$" "$stage/etc/apparmor.d/socklab"
check grep -qx '  userns,' "$stage/etc/apparmor.d/socklab"
cd /
listed=$(env -u SOCKLAB_LESSONS "$root/bin/socklab" list)
check grep -q "^01-echo " <<<"$listed"
lessons_line=$(env -u SOCKLAB_LESSONS "$root/bin/socklab" --help | grep '^lessons: ')
check test "$lessons_line" = "lessons: $root/bin/../share/socklab/lessons"
# The Chinese texts are installed beside the lessons and found there.
check test -f "$root/share/socklab/lessons/zh_CN/01-echo.po"
listed_zh=$(env -u SOCKLAB_LESSONS -u LANGUAGE -u LC_ALL LANG=C.UTF-8 "$root/bin/socklab" --lang zh list)
check grep -q "^01-echo .*回显服务器与客户端" <<<"$listed_zh"
# The interface's words (po/zh_CN.po, compiled by msgfmt) under the locale directory.
if command -v msgfmt >/dev/null; then
	check test -f "$root/share/locale/zh_CN/LC_MESSAGES/socklab.mo"
fi
if [ $failed -eq 0 ]; then echo "install: 1 passed, 0 failed"; else echo "install: 0 passed, 1 failed"; fi
exit $failed
