#!/usr/bin/env bash
# Check the Helm chart: `helm lint --strict` and `helm template` validated against the Kubernetes JSON
# schemas (kubernetes-validate --strict: unknown fields are errors), for every values file in
# deploy/helm/regio-platform/ci/. Offline once tools/ensure-tools.sh has installed the tools.
set -euo pipefail
cd "$(dirname "$0")/.."

KUBERNETES_VERSION=1.37.0
CHART=deploy/helm/regio-platform
TOOLS="${REGIO_CACHE_DIR:-$HOME/.cache/regio-platform}/tools"
tools/ensure-tools.sh helm validator >/dev/null
HELM=$(ls "$TOOLS"/helm-*/helm | sort -V | tail -n 1)
VALIDATE=$(ls "$TOOLS"/kubernetes-validate-*/bin/kubernetes-validate | sort -V | tail -n 1)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for values in "$CHART"/ci/*-values.yaml; do
    scenario=$(basename "$values" -values.yaml)
    "$HELM" lint --strict --quiet --kube-version "$KUBERNETES_VERSION" -f "$values" "$CHART"
    "$HELM" template utrecht-west "$CHART" --kube-version "$KUBERNETES_VERSION" -f "$values" >"$out/$scenario.yaml"
    "$VALIDATE" --strict --quiet -k "$KUBERNETES_VERSION" "$out/$scenario.yaml"
    echo "chart: $scenario: lint --strict ok, $(grep -c '^kind:' "$out/$scenario.yaml") objects valid against Kubernetes $KUBERNETES_VERSION (strict)"
done
