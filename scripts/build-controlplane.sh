#!/usr/bin/env bash
# Builds the local control plane (etcd, kube-apiserver, kube-controller-manager
# and the small depot-pki helper) from the pinned Go modules in
# test/controlplane/go, once per set of pins. Prints the bin directory on
# stdout; progress (phase, elapsed time, packages compiled) goes to stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod="$root/test/controlplane/go"
# shellcheck source=lib/go-build.sh
source "$root/scripts/lib/go-build.sh"

go_build_init controlplane "control plane" "$mod/go.mod" "$mod/go.sum" "$mod"/cmd/*/*.go
go_build_reuse_or_lock etcd kube-apiserver kube-controller-manager depot-pki

k8s_version="$(grep -oE 'k8s.io/kubernetes v[0-9.]+' "$mod/go.mod" | cut -d' ' -f2)"
# Release builds stamp their version with -X; without it the server reports v0.0.0-master.
version_flags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  version_flags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$(echo "$k8s_version" | cut -d. -f2) -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
go_build_say "building etcd and kube-apiserver from their Go modules (Kubernetes $k8s_version); a cold build takes about 10 minutes on 2 cores, later runs reuse .cache"
cd "$mod"
go_build_download
go_build_binary depot-pki ./cmd/depot-pki
go_build_binary etcd go.etcd.io/etcd/server/v3 "$version_flags"
go_build_binary kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$version_flags"
go_build_binary kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager "$version_flags"
go_build_finish
