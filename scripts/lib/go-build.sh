# Sourced by the scripts that build a pinned Go binary into .cache/<name>/<key>/bin:
# toolchain check, cache key, reuse, one build at a time (flock), progress on
# stderr, removal of older pins; the caller prints the bin directory. Functions:
# go_build_init <cache-name> <label> <key-inputs...>, go_build_reuse_or_lock
# <binaries...>, go_build_binary <name> <package> [ldflags], go_build_finish.

go_build_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

go_build_init() {
  local cache="$1" label="$2"
  shift 2
  GO_BUILD_LABEL="$label"
  GO_BUILD_CACHE="$go_build_root/.cache/$cache"
  command -v go >/dev/null 2>&1 || {
    echo "error: the Go toolchain (>= 1.26) is needed to build $label: install Go and put it on PATH" >&2
    exit 1
  }
  # The key covers this file, the calling script and the given inputs (go.mod, go.sum, ...).
  local key
  key="$(cat "${BASH_SOURCE[0]}" "$0" "$@" | sha256sum | cut -c1-12)"
  GO_BUILD_KEY="$key"
  GO_BUILD_OUT="$GO_BUILD_CACHE/$key"
}

go_build_have_all() {
  local b
  for b in "$@"; do [ -x "$GO_BUILD_OUT/bin/$b" ] || return 1; done
}

go_build_reuse_or_lock() {
  if go_build_have_all "$@"; then
    echo ">> $GO_BUILD_LABEL: using the build from earlier in ${GO_BUILD_OUT#"$go_build_root/"}/bin" >&2
    echo "$GO_BUILD_OUT/bin"
    exit 0
  fi
  # One build at a time (parallel test runs share the cache); re-check after waiting.
  mkdir -p "$GO_BUILD_CACHE"
  exec 9>"$GO_BUILD_CACHE/.build.lock"
  if ! flock -n 9; then
    echo ">> waiting for another build of $GO_BUILD_LABEL to finish" >&2
    flock 9
  fi
  if go_build_have_all "$@"; then
    echo ">> $GO_BUILD_LABEL: using the build from earlier in ${GO_BUILD_OUT#"$go_build_root/"}/bin" >&2
    echo "$GO_BUILD_OUT/bin"
    exit 0
  fi
  GO_BUILD_START=$(date +%s)
  mkdir -p "$GO_BUILD_OUT/bin"
}

go_build_say() {
  local s=$(($(date +%s) - GO_BUILD_START))
  printf '>> [%s %dm%02ds] %s\n' "$GO_BUILD_LABEL" $((s / 60)) $((s % 60)) "$*" >&2
}

go_build_download() {
  go_build_say "phase 1/2: downloading Go modules"
  go mod download 2>&1 | sed 's/^/   /' >&2
}

# Builds one binary in the current directory's module, with a ticker that
# reports how many packages go has compiled.
go_build_binary() {
  local name="$1" pkg="$2" ldflags="${3:-}" log total pid n
  log="$(mktemp)"
  total=$(go list -deps "$pkg" 2>/dev/null | wc -l)
  go_build_say "phase 2/2: building $name ($total packages, compiled ones are counted; cached ones are skipped)"
  go build -v -trimpath -ldflags="$ldflags" -o "$GO_BUILD_OUT/bin/.$name.tmp" "$pkg" 2>"$log" &
  pid=$!
  # Checked every second (a cached build ends at once), reported every 20 s.
  local seconds=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    seconds=$((seconds + 1))
    if ((seconds % 20 == 0)) && kill -0 "$pid" 2>/dev/null; then
      n=$(grep -c -v '^#' "$log" || true)
      go_build_say "   $name: $n of at most $total packages compiled"
    fi
  done
  if ! wait "$pid"; then
    grep -v '^[a-z0-9._/-]*$' "$log" | tail -20 >&2
    echo "error: building $name failed (full log: $log)" >&2
    exit 1
  fi
  mv "$GO_BUILD_OUT/bin/.$name.tmp" "$GO_BUILD_OUT/bin/$name"
  rm -f "$log"
  go_build_say "   $name done"
}

go_build_finish() {
  # Builds for older pins are no longer used.
  find "$GO_BUILD_CACHE" -mindepth 1 -maxdepth 1 -type d ! -name "$GO_BUILD_KEY" -exec rm -rf {} +
  echo "$(($(date +%s) - GO_BUILD_START))" >"$GO_BUILD_OUT/build-seconds"
  go_build_say "$GO_BUILD_LABEL built in ${GO_BUILD_OUT#"$go_build_root/"}/bin"
  echo "$GO_BUILD_OUT/bin"
}
