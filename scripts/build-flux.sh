#!/usr/bin/env bash
# Builds Flux's source-, kustomize-, helm- and notification-controller (the
# real controllers the Flux integration tests deliver through) from the
# pinned Go module in test/flux/go, once per pin. Prints the bin directory on
# stdout; progress (phase, elapsed time, packages compiled) goes to stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod="$root/test/flux/go"
# shellcheck source=lib/go-build.sh
source "$root/scripts/lib/go-build.sh"

controllers=(source-controller kustomize-controller helm-controller notification-controller)

go_build_init flux "Flux's controllers" "$mod/go.mod" "$mod/go.sum"
go_build_reuse_or_lock "${controllers[@]}"

versions=""
for c in "${controllers[@]}"; do
  versions+=" $c $(grep -oE "^\s*github.com/fluxcd/$c v[0-9.]+" "$mod/go.mod" | awk '{print $2}')"
done
go_build_say "building Flux${versions} from their Go modules; a cold build compiles about 2,650 packages (tens of minutes on 2 cores), later runs reuse .cache"
cd "$mod"
go_build_download
for c in "${controllers[@]}"; do
  go_build_binary "$c" "github.com/fluxcd/$c"
done
go_build_finish
