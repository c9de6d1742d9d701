#!/usr/bin/env bash
# Builds the local Git and Helm chart server of the tests and the tour
# (test/gitserver/go, standard library only) once per change of its source.
# Prints the bin directory on stdout; progress goes to stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod="$root/test/gitserver/go"
# shellcheck source=lib/go-build.sh
source "$root/scripts/lib/go-build.sh"

go_build_init gitserver "the local Git server" "$mod/go.mod" "$mod/main.go"
go_build_reuse_or_lock gitserver
command -v git >/dev/null 2>&1 || {
  echo "error: git is needed for the local Git server (apt-get install git)" >&2
  exit 1
}
cd "$mod"
go_build_binary gitserver .
go_build_finish
