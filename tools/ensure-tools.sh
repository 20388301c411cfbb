#!/usr/bin/env bash
# Install the tools the deployment checks need, once per version, from package registries only:
#   helm                 built from the Go module proxy (go install), version HELM_VERSION
#   kubernetes-validate  from PyPI; it carries the Kubernetes JSON schemas, so validating needs no network
#   @asyncapi/parser     from npm, locked by tools/node/package-lock.json (npm ci)
# Tools are cached under ${REGIO_CACHE_DIR:-~/.cache/regio-platform}/tools/<tool>-<version>; a repeated run
# only checks they are there. Prints one line per tool. Usage: tools/ensure-tools.sh [helm|validator|node]...
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_VERSION=v4.3.2                     # approved for this project; Go 1.26 builds it
KUBERNETES_VALIDATE_VERSION=1.37.0      # schemas up to Kubernetes 1.37, the release the chart is checked against
CACHE="${REGIO_CACHE_DIR:-$HOME/.cache/regio-platform}/tools"
mkdir -p "$CACHE"

if command -v uv >/dev/null 2>&1; then UV=uv; else UV="python3 -m uv"; fi
# Go's usual place when the shell's PATH does not name it (CI runs with the machine's plain environment).
command -v go >/dev/null 2>&1 || PATH="$PATH:/usr/local/go/bin"

timed() {  # timed NAME COMMAND...: run, then say how long it took
    local name=$1 start=$SECONDS
    shift
    "$@"
    echo "tools: $name ready in $((SECONDS - start)) s"
}

build_helm() {
    local target="$CACHE/helm-$HELM_VERSION" staging
    staging=$(mktemp -d "$CACHE/.helm.XXXXXX")
    # The version string go install leaves out (helm would say "v4.3"), set as helm's own Makefile does.
    # Its hundred "go: downloading" lines go to a log shown only when the build fails.
    if ! GOBIN="$staging" GOFLAGS="${GOFLAGS:-} -trimpath" go install \
        -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" \
        "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" >"$staging.log" 2>&1; then
        cat "$staging.log" >&2
        exit 1
    fi
    rm -f "$staging.log"
    rm -rf "$target" && mv "$staging" "$target"
}

install_validator() {
    # A venv names its interpreter by absolute path, so it is built in place; the marker, written last,
    # tells a complete one from an interrupted attempt.
    local target="$CACHE/kubernetes-validate-$KUBERNETES_VALIDATE_VERSION"
    rm -rf "$target"
    # The project's interpreter (or the machine's python3): never one uv would download.
    local python=.venv/bin/python
    [ -x "$python" ] || python=$(command -v python3)
    UV_PYTHON_DOWNLOADS=never $UV venv --quiet --python "$python" "$target"
    $UV pip install --quiet --python "$target/bin/python" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
    touch "$target/.complete"
}

install_node_packages() {
    # npm ci wipes node_modules, so run it only when the lock file changed; no install scripts (the
    # parser's dependency tree has a telemetry postinstall that nothing needs).
    (cd tools/node && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    cp tools/node/package-lock.json tools/node/node_modules/.installed-lock.json
}

tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(helm validator node)
for tool in "${tools[@]}"; do
    case "$tool" in
        helm)
            [ -x "$CACHE/helm-$HELM_VERSION/helm" ] || timed "helm $HELM_VERSION (go install)" build_helm
            echo "tools: helm $("$CACHE/helm-$HELM_VERSION/helm" version --short) at $CACHE/helm-$HELM_VERSION/helm"
            ;;
        validator)
            [ -f "$CACHE/kubernetes-validate-$KUBERNETES_VALIDATE_VERSION/.complete" ] \
                || timed "kubernetes-validate $KUBERNETES_VALIDATE_VERSION (PyPI)" install_validator
            echo "tools: kubernetes-validate $KUBERNETES_VALIDATE_VERSION at $CACHE/kubernetes-validate-$KUBERNETES_VALIDATE_VERSION/bin"
            ;;
        node)
            cmp -s tools/node/package-lock.json tools/node/node_modules/.installed-lock.json 2>/dev/null \
                || timed "node packages (npm ci)" install_node_packages
            echo "tools: @asyncapi/parser $(node -p 'require("./tools/node/node_modules/@asyncapi/parser/package.json").version')"
            ;;
        *)
            echo "tools: unknown tool $tool (helm, validator, node)" >&2
            exit 2
            ;;
    esac
done
