#!/bin/bash
# line_length.sh SOURCE_DIR — no line of the C sources of lab/ and tests/ is wider than 100
# columns, a tab counting 8 (lab/ and tests/ are measured by tools/long_lines.py); the too
# long lines are listed as file:line: width. tools/wrap-long-lines.sh wraps them.
set -uo pipefail
src=$1
command -v python3 >/dev/null || { echo "skipped: python3 missing"; exit 77; }
if ! long=$(python3 "$src/tools/long_lines.py" "$src" lab tests); then
	printf 'FAIL: %d lines wider than 100 columns (tools/wrap-long-lines.sh wraps them):\n%s\n' \
		"$(grep -c . <<<"$long")" "$long"
	exit 1
fi
echo "every C line of lab/ and tests/ fits in 100 columns"
