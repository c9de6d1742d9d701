#!/usr/bin/env bash
# Prints the path of a Prometheus server binary, installing Debian's
# `prometheus` package when there is none (the prometheus gate's integration
# test runs a real server). Needs root (or passwordless sudo) on a fresh machine.
set -euo pipefail
if command -v prometheus >/dev/null 2>&1; then command -v prometheus; exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; fi
echo ">> installing Debian's prometheus package" >&2
$SUDO apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus >&2
# The package starts a service where systemd runs; the test runs its own server.
command -v prometheus
