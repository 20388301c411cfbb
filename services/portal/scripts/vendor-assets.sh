#!/usr/bin/env bash
# Vendor the portal's front-end assets from npm into portal/static/vendor/ (committed; nothing loads from a CDN).
#   NL Design System CSS components  @utrecht/component-library-css (EUPL-1.2)
#   NL Design System example theme    @nl-design-system-unstable/voorbeeld-design-tokens (EUPL-1.2): a white-label
#                                     theme; @utrecht/design-tokens is proprietary to Gemeente Utrecht, so not used
#   htmx                              htmx.org (0BSD): progressive enhancement only, every journey works without it
# and installs axe-core (MPL-2.0) for the browser tests (node_modules only, not vendored).
# Versions are pinned in assets/package.json and locked by assets/package-lock.json (npm ci).
#   scripts/vendor-assets.sh           install and copy the files (then commit portal/static/vendor)
#   scripts/vendor-assets.sh --check   install and fail when a committed file differs from its package's
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-write}
assets=assets
vendor=portal/static/vendor

# npm ci wipes node_modules, so only when the lock file changed since the last install.
if ! cmp -s "$assets/package-lock.json" "$assets/node_modules/.installed-lock.json" 2>/dev/null; then
    (cd "$assets" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    cp "$assets/package-lock.json" "$assets/node_modules/.installed-lock.json"
fi

# package-relative source → vendored name
files=(
    "@utrecht/component-library-css/dist/index.css utrecht-components.css"
    "@utrecht/component-library-css/LICENSE.md LICENSE-utrecht-component-library-css.md"
    "@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css voorbeeld-theme.css"
    "@nl-design-system-unstable/voorbeeld-design-tokens/LICENSE.md LICENSE-voorbeeld-design-tokens.md"
    "htmx.org/dist/htmx.min.js htmx.min.js"
    "htmx.org/LICENSE LICENSE-htmx.txt"
)

version() { node -p "require('./$assets/node_modules/$1/package.json').version"; }

status=0
mkdir -p "$vendor"
manifest="$vendor/VERSIONS.txt.new"
: >"$manifest"
for entry in "${files[@]}"; do
    read -r source target <<<"$entry"
    package=${source%%/dist/*}
    package=${package%/LICENSE*}
    echo "$target  $package@$(version "$package")  $(sha256sum "$assets/node_modules/$source" | cut -c1-16)" >>"$manifest"
    if [ "$mode" = "--check" ]; then
        if ! cmp -s "$assets/node_modules/$source" "$vendor/$target"; then
            echo "vendor-assets: $vendor/$target differs from $package ($source): run scripts/vendor-assets.sh" >&2
            status=1
        fi
    else
        cp "$assets/node_modules/$source" "$vendor/$target"
    fi
done
if [ "$mode" = "--check" ]; then
    cmp -s "$manifest" "$vendor/VERSIONS.txt" || { echo "vendor-assets: $vendor/VERSIONS.txt is stale" >&2; status=1; }
    rm -f "$manifest"
else
    mv "$manifest" "$vendor/VERSIONS.txt"
fi
echo "vendor-assets: $(wc -l <"$vendor/VERSIONS.txt") files, axe-core $(version axe-core) for the browser tests"
exit "$status"
