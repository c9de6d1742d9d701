#!/usr/bin/env bash
# make e2e-kind: builds the image, creates a kind cluster, loads the image,
# installs the chart, waits for the rollout, runs `helm test` and the tour
# (`depot local demo --existing-cluster`), and deletes the cluster whatever
# happened. Without a container engine it prints one line and exits 0.
# Env: KIND_CLUSTER (depot-e2e), E2E_KEEP_CLUSTER=1 keeps the cluster.
set -euo pipefail

# The engine check uses bash builtins only (the skip test runs it with an empty PATH).
engine="" reason=""
for candidate in docker podman; do
  if ! command -v "$candidate" >/dev/null 2>&1; then
    reason+="${reason:+; }no $candidate command"
  elif err="$("$candidate" info 2>&1 >/dev/null)"; then
    engine="$candidate"
    break
  else
    IFS= read -r err <<<"$err" || true
    reason+="${reason:+; }$candidate info failed: ${err:-no message}"
  fi
done
if [ -z "$engine" ]; then
  echo "e2e-kind: skipped: no container engine ($reason)"
  exit 0
fi

root="$(cd "${BASH_SOURCE[0]%/*}/../../.." && pwd)"
cd "$root"
PATH="$(scripts/ensure-node.sh):$PATH"
cluster="${KIND_CLUSTER:-depot-e2e}"
work="$root/.cache/e2e-kind"
kubeconfig="$work/kubeconfig"
# Domain-qualified so that docker, podman and the node's containerd all name it alike.
image_repo="localhost/depot" image_tag="e2e"
image="$image_repo:$image_tag"
start=$(date +%s)
say() { local s=$(($(date +%s) - start)); printf '>> [e2e-kind %dm%02ds] %s\n' $((s / 60)) $((s % 60)) "$*" >&2; }

say "container engine: $engine"
[ "$engine" = podman ] && export KIND_EXPERIMENTAL_PROVIDER=podman
mkdir -p "$work"

say "building dist/, kind and helm"
make --no-print-directory -s build >&2
kind="$(scripts/build-kind.sh)/kind"
helm="$(scripts/build-helm.sh)/helm"

say "building the image $image"
"$engine" build -t "$image" . >&2

cleanup() {
  local status=$?
  if [ "$status" -ne 0 ]; then
    say "failed (exit $status): cluster logs in ${work#"$root/"}/logs"
    "$kind" export logs "$work/logs" --name "$cluster" >/dev/null 2>&1 || true
  fi
  if [ "${E2E_KEEP_CLUSTER:-}" = 1 ]; then
    say "keeping the cluster $cluster (KUBECONFIG=$kubeconfig)"
  else
    say "deleting the cluster $cluster"
    "$kind" delete cluster --name "$cluster" --kubeconfig "$kubeconfig" >&2 || true
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A cluster left by an interrupted run would make create fail.
"$kind" delete cluster --name "$cluster" --kubeconfig "$kubeconfig" >/dev/null 2>&1 || true
say "creating the kind cluster $cluster"
"$kind" create cluster --name "$cluster" --kubeconfig "$kubeconfig" --wait 120s >&2

say "loading the image into the cluster"
"$engine" save -o "$work/image.tar" "$image"
"$kind" load image-archive "$work/image.tar" --name "$cluster" >&2
rm -f "$work/image.tar"

say "installing the chart helm/depot with $image"
"$helm" install depot helm/depot --kubeconfig "$kubeconfig" \
  --namespace depot-system --create-namespace \
  --set image.repository="$image_repo" --set image.tag="$image_tag" --set image.pullPolicy=Never >&2

say "waiting for the rollout of depot-system/depot-operator"
npx tsx test/e2e/kind/wait-rollout.ts --kubeconfig "$kubeconfig" --deployment depot-system/depot-operator --timeout 300

say "helm test: the chart's own check of the Service (/api/v1/version, /metrics)"
"$helm" test depot --kubeconfig "$kubeconfig" --namespace depot-system --logs >&2

say "the tour against the operator in the cluster"
node bin/depot.js local demo --exit --existing-cluster --kubeconfig "$kubeconfig" \
  --operator-deployment depot-system/depot-operator

say "passed"
