#!/usr/bin/env bash
# Builds Flux's notification-controller (the Receiver webhook server used by
# the integration tests of the Flux `receiver` delivery) from the pinned Go
# module in test/flux/go, once per pin. Prints the bin directory on stdout;
# progress (phase, elapsed time, packages compiled) goes to stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod="$root/test/flux/go"
# shellcheck source=lib/go-build.sh
source "$root/scripts/lib/go-build.sh"

go_build_init flux "Flux's notification-controller" "$mod/go.mod" "$mod/go.sum"
go_build_reuse_or_lock notification-controller

version="$(grep -oE 'github.com/fluxcd/notification-controller v[0-9.]+' "$mod/go.mod" | cut -d' ' -f2)"
go_build_say "building Flux notification-controller $version from its Go module; a cold build takes several minutes on 2 cores, later runs reuse .cache"
cd "$mod"
go_build_download
go_build_binary notification-controller github.com/fluxcd/notification-controller
go_build_finish
