#!/bin/bash
# po-update.sh — after marking or changing interface words (lab/i18n.h): re-extracts
# po/socklab.pot and merges it into each po/LANG.po (a changed msgid comes back fuzzy,
# a new one untranslated); translate those, then `msgfmt --check --statistics po/LANG.po`.
set -euo pipefail
export LC_ALL=C.UTF-8   # the PO files are UTF-8
cd "$(dirname "$0")/.."
bash tools/make-pot.sh . po/socklab.pot
for po in po/*.po; do
	msgmerge --quiet --update --backup=none --no-location --sort-output "$po" po/socklab.pot
done
