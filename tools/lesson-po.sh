#!/bin/sh
# Brings the lessons' translations up to date with their English:
#   tools/lesson-po.sh [BUILD/socklab] [LANG] [LESSON...]
# For each lesson (all of lessons/*.lesson by default) it extracts the texts
# with `socklab lesson-pot` and merges them into lessons/LANG/NAME.po
# (LANG: zh_CN by default) with msgmerge, which keeps every translation,
# marks one whose English changed fuzzy, and keeps a removed text's as
# obsolete (#~). A lesson without a PO file gets a new one, untranslated.
# Then edit the msgstr lines, remove "#, fuzzy" where the translation is
# right again, and run `socklab check --lang zh LESSON`.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
socklab=${1:-$here/build/socklab}
lang=${2:-zh_CN}
[ $# -ge 2 ] && shift 2 || shift $#
[ -x "$socklab" ] || { echo "lesson-po.sh: no socklab binary at $socklab (build first)" >&2; exit 2; }
command -v msgmerge >/dev/null || { echo "lesson-po.sh: msgmerge not found (Debian: apt install gettext)" >&2; exit 2; }
cd "$here"
mkdir -p "lessons/$lang"
[ $# -gt 0 ] || set -- lessons/*.lesson
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for lesson in "$@"; do
	name=$(basename "$lesson" .lesson)
	po="lessons/$lang/$name.po"
	"$socklab" lesson-pot "$lesson" > "$tmp/$name.pot"
	if [ -f "$po" ]; then
		msgmerge --quiet --update --backup=none "$po" "$tmp/$name.pot"
	else
		sed -e 's/^"Project-Id-Version: socklab lessons\\n"$/&\n"Language: '"$lang"'\\n"/' \
		    -e '1s/.*/# '"$name"' in '"$lang"': msgstr lines are the translation (see lessons\/README.md)./' \
			"$tmp/$name.pot" > "$po"
		echo "lesson-po.sh: new $po"
	fi
done
