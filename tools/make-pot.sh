#!/bin/bash
# make-pot.sh SOURCE_DIR OUT.pot — extracts the interface's marked words (lab/i18n.h: _() and
# N_()) into a PO template. The TUI's action table (lab/tui/keys.h) and the command
# line's edits (lab/tui/command_line.c) are X-macros whose rows read _(NAME, "label", "help"):
# their 2nd and 3rd arguments are extracted too.
set -euo pipefail
export LC_ALL=C.UTF-8   # the PO files are UTF-8
src=$1
out=$2
cd "$src"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
common=(--from-code=UTF-8 --language=C --no-location --sort-output --package-name=socklab
	--msgid-bugs-address= --omit-header)
xgettext "${common[@]}" --keyword=_ --keyword=N_ -o "$tmp/code.pot" lab/*.c lab/tui/*.c
tables=(lab/tui/keys.h lab/tui/command_line.c)
xgettext "${common[@]}" --keyword= --keyword=_:2 -o "$tmp/labels.pot" "${tables[@]}"
xgettext "${common[@]}" --keyword= --keyword=_:3 -o "$tmp/helps.pot" "${tables[@]}"
{
	printf '# The interface words of socklab (lab/i18n.h); made by tools/make-pot.sh, do not edit.\n'
	printf 'msgid ""\nmsgstr ""\n"Project-Id-Version: socklab\\n"\n"MIME-Version: 1.0\\n"\n'
	printf '"Content-Type: text/plain; charset=UTF-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n\n'
	msgcat --sort-output --no-location --use-first "$tmp"/*.pot
} > "$tmp/out.tmp"
mv "$tmp/out.tmp" "$out"
