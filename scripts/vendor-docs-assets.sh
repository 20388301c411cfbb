#!/usr/bin/env bash
# Vendor the API documentation pages' assets (Swagger UI, ReDoc) from the npm registry into common, so /docs and
# /redoc load nothing from a CDN (issue 13). Run it to change a version; the copied files are committed, so
# neither installing nor running a service downloads anything. Usage: scripts/vendor-docs-assets.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SWAGGER_UI_VERSION=5.35.0   # swagger-ui-dist: the latest 5.x when vendored (2026-12)
REDOC_VERSION=2.5.4         # redoc 2.x: 3.x reports telemetry to Redocly and loads its logo from their CDN
TARGET=services/common/common/docs_assets

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "swagger-ui-dist@$SWAGGER_UI_VERSION" "redoc@$REDOC_VERSION" >/dev/null)
mkdir -p "$work/swagger" "$work/redoc" "$TARGET"
tar xzf "$work/swagger-ui-dist-$SWAGGER_UI_VERSION.tgz" -C "$work/swagger"
tar xzf "$work/redoc-$REDOC_VERSION.tgz" -C "$work/redoc"
cp "$work/swagger/package/swagger-ui-bundle.js" "$work/swagger/package/swagger-ui.css" "$TARGET/"
cp "$work/swagger/package/LICENSE" "$TARGET/swagger-ui.LICENSE"
cp "$work/swagger/package/NOTICE" "$TARGET/swagger-ui.NOTICE"
cp "$work/redoc/package/bundles/redoc.standalone.js" "$TARGET/"
cp "$work/redoc/package/LICENSE" "$TARGET/redoc.LICENSE"
{
    echo "swagger-ui-dist $SWAGGER_UI_VERSION"
    echo "redoc $REDOC_VERSION"
    (cd "$TARGET" && sha256sum swagger-ui-bundle.js swagger-ui.css redoc.standalone.js)
} >"$TARGET/VERSIONS"
echo "vendored into $TARGET:"
cat "$TARGET/VERSIONS"
