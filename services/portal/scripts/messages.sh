#!/usr/bin/env bash
# Extract the portal's messages into translations/messages.pot and merge them into the nl and en catalogues
# (new ids get empty translations, removed ones are dropped). Then translate what is empty in nl/.../messages.po;
# tests/portal/unit/test_translations.py fails while a Dutch translation is missing or the catalogue is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v uv >/dev/null 2>&1; then RUN="uv run --frozen"; else RUN="python3 -m uv run --frozen"; fi
pot=portal/translations/messages.pot
$RUN pybabel extract -F babel.cfg -k N_ -k ngettext:1,2 --no-location --sort-output --omit-header --no-wrap \
    -o "$pot" . >/dev/null 2>&1
for language in nl en; do
    po=portal/translations/$language/LC_MESSAGES/messages.po
    if [ -f "$po" ]; then
        $RUN pybabel update -i "$pot" -o "$po" -l "$language" --no-fuzzy-matching --omit-header --no-wrap \
            --ignore-obsolete >/dev/null 2>&1
    else
        $RUN pybabel init -i "$pot" -o "$po" -l "$language" --no-wrap >/dev/null 2>&1
    fi
done
echo "messages: $(grep -c '^msgid "[^"]' "$pot") ids; missing in nl: $(
    $RUN python - <<'PY'
from babel.messages.pofile import read_po
with open("portal/translations/nl/LC_MESSAGES/messages.po", "rb") as po:
    catalogue = read_po(po)
print(sum(1 for m in catalogue if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)))
PY
)"
