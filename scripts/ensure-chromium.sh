#!/usr/bin/env bash
# Debian's Chromium for the dashboard's browser tests (test/ui): playwright-core
# drives it by executablePath, since npm's browser downloads do not work
# offline. Idempotent: does nothing when /usr/bin/chromium exists. Prints its path.
set -euo pipefail
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  echo "installing Debian's chromium (apt-get) for the dashboard's browser tests" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >&2
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: $CHROMIUM is still missing after apt-get install chromium" >&2
  exit 1
fi
echo "$CHROMIUM"
