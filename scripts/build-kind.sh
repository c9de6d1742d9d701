#!/usr/bin/env bash
# Builds kind (Kubernetes in Docker, for make e2e-kind) from the pinned Go
# module in test/e2e/kind/go, once per pin. Prints the bin directory on
# stdout; progress goes to stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod="$root/test/e2e/kind/go"

command -v go >/dev/null 2>&1 || { echo "error: the Go toolchain (>= 1.26) is needed to build kind: install Go and put it on PATH" >&2; exit 1; }

key="$(cat "$0" "$mod/go.mod" "$mod/go.sum" "$mod/tools.go" | sha256sum | cut -c1-12)"
out="$root/.cache/kind/$key"
if [ -x "$out/bin/kind" ]; then echo "$out/bin"; exit 0; fi

mkdir -p "$root/.cache/kind"
exec 9>"$root/.cache/kind/.build.lock"
flock 9
if [ -x "$out/bin/kind" ]; then echo "$out/bin"; exit 0; fi

version="$(grep -oE 'sigs.k8s.io/kind v[0-9.]+' "$mod/go.mod" | cut -d' ' -f2)"
start=$(date +%s)
echo ">> building kind $version from its Go module (about a minute; later runs reuse .cache/kind)" >&2
mkdir -p "$out/bin"
(cd "$mod" && go build -trimpath -ldflags="-s -w" -o "$out/bin/.kind.tmp" sigs.k8s.io/kind) >&2
mv "$out/bin/.kind.tmp" "$out/bin/kind"
# Builds for older pins are no longer used.
find "$root/.cache/kind" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
echo ">> kind built in $(( $(date +%s) - start ))s: ${out#"$root/"}/bin" >&2
echo "$out/bin"
