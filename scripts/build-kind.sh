#!/usr/bin/env bash
# Builds kind (Kubernetes in Docker, for make e2e-kind) from the pinned Go
# module in test/e2e/kind/go, once per pin. Prints the bin directory on
# stdout; progress goes to stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod="$root/test/e2e/kind/go"
# shellcheck source=lib/go-build.sh
source "$root/scripts/lib/go-build.sh"

go_build_init kind kind "$mod/go.mod" "$mod/go.sum" "$mod/tools.go"
go_build_reuse_or_lock kind

version="$(grep -oE 'sigs.k8s.io/kind v[0-9.]+' "$mod/go.mod" | cut -d' ' -f2)"
go_build_say "building kind $version from its Go module (about a minute; later runs reuse .cache/kind)"
cd "$mod"
go_build_download
go_build_binary kind sigs.k8s.io/kind "-s -w"
go_build_finish
