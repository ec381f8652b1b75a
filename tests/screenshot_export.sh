#!/usr/bin/env bash
# Renders lesson 01's exported SVG and HTML handout once in headless
# Chromium (Debian's `chromium` package) and keeps the screenshots, for a
# person to look at: does the picture read in a real browser?
#
#   tests/screenshot_export.sh [SOCKLAB] [OUTDIR]
#
# SOCKLAB defaults to build/socklab, OUTDIR to build/screenshots. Exports
# from the golden trace (no kernel needed). Not part of ctest: Chromium is
# a large package that CI need not install; exits 77 (skipped) without it.
set -euo pipefail
cd "$(dirname "$0")/.."
socklab=${1:-build/socklab}
outdir=${2:-build/screenshots}
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	echo "skipped: no chromium (apt-get install chromium)" >&2
	exit 77
fi
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

"$socklab" export --svg -o "$outdir/01-echo.svg" traces/01-echo.trace
"$socklab" export --html -o "$outdir/01-echo.html" traces/01-echo.trace

shoot() {   # FILE PNG WIDTH HEIGHT
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
		--hide-scrollbars --window-size="$3,$4" --screenshot="$2" "file://$1" >/dev/null 2>&1
	[ -s "$2" ] || { echo "no screenshot of $1" >&2; exit 1; }
	echo "$2"
}
# The SVG at its own size; the handout as a page a little wider than the picture.
size=$(sed -n 's/^<svg [^>]*width="\([0-9]*\)" height="\([0-9]*\)".*/\1 \2/p' "$outdir/01-echo.svg" | head -1)
shoot "$outdir/01-echo.svg" "$outdir/01-echo.svg.png" ${size% *} ${size#* }
shoot "$outdir/01-echo.html" "$outdir/01-echo.html.png" 1700 2200
