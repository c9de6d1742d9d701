#!/usr/bin/env bash
# Builds Flux's notification-controller (the Receiver webhook server used by
# the integration tests of the Flux `receiver` delivery) from the pinned Go
# module in test/flux/go, once per pin. Prints the bin directory on stdout;
# progress (phase, elapsed time, packages compiled) goes to stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod="$root/test/flux/go"

command -v go >/dev/null 2>&1 || { echo "error: the Go toolchain (>= 1.26) is needed to build Flux's notification-controller: install Go and put it on PATH" >&2; exit 1; }

key="$(cat "$0" "$mod/go.mod" "$mod/go.sum" | sha256sum | cut -c1-12)"
version="$(grep -oE 'github.com/fluxcd/notification-controller v[0-9.]+' "$mod/go.mod" | cut -d' ' -f2)"
out="$root/.cache/flux/$key"
bin="$out/bin/notification-controller"
reuse() { echo ">> flux: using the notification-controller built earlier in ${out#"$root/"}/bin" >&2; echo "$out/bin"; exit 0; }
if [ -x "$bin" ]; then reuse; fi

# One build at a time (parallel test runs share the cache); re-check after waiting.
mkdir -p "$root/.cache/flux"
exec 9>"$root/.cache/flux/.build.lock"
if ! flock -n 9; then
  echo ">> waiting for another build of the notification-controller to finish" >&2
  flock 9
fi
if [ -x "$bin" ]; then reuse; fi

start=$(date +%s)
say() { local s=$(( $(date +%s) - start )); printf '>> [flux %dm%02ds] %s\n' $((s/60)) $((s%60)) "$*" >&2; }
say "building Flux notification-controller $version from its Go module; a cold build takes several minutes on 2 cores, later runs reuse .cache"

cd "$mod"
say "phase 1/2: downloading Go modules"
go mod download 2>&1 | sed 's/^/   /' >&2

pkg=github.com/fluxcd/notification-controller
log="$(mktemp)"
total=$(go list -deps "$pkg" 2>/dev/null | wc -l)
say "phase 2/2: building notification-controller ($total packages, compiled ones are counted; cached ones are skipped)"
mkdir -p "$out/bin"
go build -v -trimpath -o "$out/bin/.notification-controller.tmp" "$pkg" 2>"$log" &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
  sleep 20
  kill -0 "$pid" 2>/dev/null || break
  n=$(grep -c -v '^#' "$log" || true)
  say "   notification-controller: $n of at most $total packages compiled"
done
if ! wait "$pid"; then
  grep -v '^[a-z0-9._/-]*$' "$log" | tail -20 >&2
  echo "error: building the notification-controller failed (full log: $log)" >&2
  exit 1
fi
mv "$out/bin/.notification-controller.tmp" "$bin"
rm -f "$log"
# Builds for older pins are no longer used.
find "$root/.cache/flux" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
echo "$(( $(date +%s) - start ))" > "$out/build-seconds"
say "notification-controller built in $out/bin"
echo "$out/bin"
