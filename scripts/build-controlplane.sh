#!/usr/bin/env bash
# Builds the local control plane (etcd, kube-apiserver, kube-controller-manager
# and the small depot-pki helper) from the pinned Go modules in
# test/controlplane/go, once per set of pins. Prints the bin directory on
# stdout; progress (phase, elapsed time, packages compiled) goes to stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod="$root/test/controlplane/go"

command -v go >/dev/null 2>&1 || { echo "error: the Go toolchain (>= 1.26) is needed to build the local control plane: install Go and put it on PATH" >&2; exit 1; }

key="$(cat "$0" "$mod/go.mod" "$mod/go.sum" "$mod"/cmd/*/*.go | sha256sum | cut -c1-12)"
k8s_version="$(grep -oE 'k8s.io/kubernetes v[0-9.]+' "$mod/go.mod" | cut -d' ' -f2)"
# Release builds stamp their version with -X; without it the server reports v0.0.0-master.
version_flags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  version_flags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$(echo "$k8s_version" | cut -d. -f2) -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
out="$root/.cache/controlplane/$key"
bins=(etcd kube-apiserver kube-controller-manager depot-pki)
have_all() { for b in "${bins[@]}"; do [ -x "$out/bin/$b" ] || return 1; done; }
reuse() { echo ">> control plane: using the binaries built earlier in ${out#"$root/"}/bin" >&2; echo "$out/bin"; exit 0; }
if have_all; then reuse; fi

# One build at a time (parallel test runs share the cache); re-check after waiting.
mkdir -p "$root/.cache/controlplane"
exec 9>"$root/.cache/controlplane/.build.lock"
if ! flock -n 9; then
  echo ">> waiting for another build of the control plane to finish" >&2
  flock 9
fi
if have_all; then reuse; fi

start=$(date +%s)
say() { local s=$(( $(date +%s) - start )); printf '>> [control plane %dm%02ds] %s\n' $((s/60)) $((s%60)) "$*" >&2; }
say "building etcd and kube-apiserver from their Go modules (Kubernetes $k8s_version); a cold build takes about 10 minutes on 2 cores, later runs reuse .cache"

cd "$mod"
say "phase 1/2: downloading Go modules"
go mod download 2>&1 | sed 's/^/   /' >&2

# Build each binary with a ticker that reports how many packages go has compiled.
build() {
  local name="$1" pkg="$2" log total pid n
  log="$(mktemp)"
  total=$(go list -deps "$pkg" 2>/dev/null | wc -l)
  say "phase 2/2: building $name ($total packages, compiled ones are counted; cached ones are skipped)"
  go build -v -trimpath -ldflags="$version_flags" -o "$out/bin/.$name.tmp" "$pkg" 2>"$log" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 20
    kill -0 "$pid" 2>/dev/null || break
    n=$(grep -c -v '^#' "$log" || true)
    say "   $name: $n of at most $total packages compiled"
  done
  if ! wait "$pid"; then
    grep -v '^[a-z0-9._/-]*$' "$log" | tail -20 >&2
    echo "error: building $name failed (full log: $log)" >&2
    exit 1
  fi
  mv "$out/bin/.$name.tmp" "$out/bin/$name"
  rm -f "$log"
  say "   $name done"
}

mkdir -p "$out/bin"
build depot-pki ./cmd/depot-pki
build etcd go.etcd.io/etcd/server/v3
build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
build kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager
# Builds for older pins are no longer used.
find "$root/.cache/controlplane" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
echo "$(( $(date +%s) - start ))" > "$out/build-seconds"
say "control plane built in $out/bin"
echo "$out/bin"
