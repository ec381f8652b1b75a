#!/bin/bash
# wrap-long-lines.sh [PATH...] — wraps the C lines wider than 100 columns (a tab is 8) of lab/
# and tests/ (or of the files and folders named, relative to the source tree) and leaves the
# other lines as they are: clang-format (.clang-format) reformats the statements those lines
# belong to, then the comments still too long are rewrapped (tools/wrap_long_lines.py says
# how). The lines that remain too long are listed (tools/long_lines.py) and make the exit
# status 1. Run it from anywhere; it works on the tree it lives in. Commit first: it rewrites
# the files in place.
set -euo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null ||
	{ echo "clang-format missing (Debian package clang-format)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 missing" >&2; exit 2; }
python3 tools/wrap_long_lines.py . "$@"
if ! remaining=$(python3 tools/long_lines.py . "$@"); then
	printf 'still wider than 100 columns (%d):\n%s\n' "$(wc -l <<<"$remaining")" "$remaining"
	exit 1
fi
