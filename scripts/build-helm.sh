#!/usr/bin/env bash
# Builds the helm CLI (helm lint / helm template of helm/depot in the tests)
# from the pinned Go module in test/helm/go, once per pin. Prints the bin
# directory on stdout; progress (phase, elapsed time, packages compiled) goes
# to stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod="$root/test/helm/go"
# shellcheck source=lib/go-build.sh
source "$root/scripts/lib/go-build.sh"

go_build_init helm helm "$mod/go.mod" "$mod/go.sum" "$mod/tools.go"
go_build_reuse_or_lock helm

version="$(grep -oE 'helm.sh/helm/v4 v[0-9.]+' "$mod/go.mod" | cut -d' ' -f2)"
go_build_say "building helm $version from its Go module; a cold build takes several minutes on 2 cores, later runs reuse .cache"
cd "$mod"
go_build_download
# Release builds stamp their version with -X; without it `helm version` reports v4.3.
go_build_binary helm helm.sh/helm/v4/cmd/helm "-s -w -X helm.sh/helm/v4/internal/version.version=$version -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
go_build_finish
