#!/usr/bin/env bash
# cmake --install puts the binary, the lessons and the man page where a
# packager expects them, and the installed binary finds its lessons from
# anywhere, without the source tree.
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
failed=0
check() { if "$@"; then :; else echo "FAIL: $*"; failed=1; fi; }
check test -x "$prefix/bin/socklab"
check test -f "$prefix/share/man/man1/socklab.1"
check test -f "$prefix/share/socklab/lessons/01-echo.lesson"
cd /
listed=$(env -u SOCKLAB_LESSONS "$prefix/bin/socklab" list)
check grep -q "^01-echo " <<<"$listed"
# The Chinese texts are installed beside the lessons and found there.
check test -f "$prefix/share/socklab/lessons/zh_CN/01-echo.po"
listed_zh=$(env -u SOCKLAB_LESSONS -u LANGUAGE -u LC_ALL LANG=C.UTF-8 "$prefix/bin/socklab" --lang zh list)
check grep -q "^01-echo .*回显服务器与客户端" <<<"$listed_zh"
lessons_line=$(env -u SOCKLAB_LESSONS "$prefix/bin/socklab" --help | grep '^lessons: ')
check test "$lessons_line" = "lessons: $prefix/bin/../share/socklab/lessons"
if [ $failed -eq 0 ]; then echo "install: 1 passed, 0 failed"; else echo "install: 0 passed, 1 failed"; fi
exit $failed
