#!/usr/bin/env bash
# Builds what the real-Argo-CD tests and the tour run, from pinned Go modules, once per pin:
# argocd (application controller, repo-server, applicationset-controller and an in-process
# Redis: test/argocd/go/main.go) and kustomize at the version Argo CD pins.
# Both need Go >= 1.27, which only this script asks the go command for (cold first build).
# Helm comes from scripts/build-helm.sh. Prints the bin directory on stdout; progress on stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod="$root/test/argocd/go"
kmod="$root/test/argocd/kustomize"
export GOTOOLCHAIN=go1.27.3
# shellcheck source=lib/go-build.sh
source "$root/scripts/lib/go-build.sh"

go_build_init argocd "Argo CD" "$mod/go.mod" "$mod/go.sum" "$mod/main.go" "$kmod/go.mod" "$kmod/go.sum"
go_build_reuse_or_lock argocd kustomize

version="$(grep -oE 'github.com/argoproj/argo-cd/v3 v[0-9.]+' "$mod/go.mod" | cut -d' ' -f2)"
go_build_say "building Argo CD $version (application controller, repo-server, applicationset-controller) and kustomize with $GOTOOLCHAIN; a cold build takes a long while on 2 cores, later runs reuse .cache"
cd "$mod"
go_build_download
go_build_binary argocd depot.sh/argocd "-s -w -X github.com/argoproj/argo-cd/v3/common.version=${version#v}"
# Upstream runs each component through a link named after it: the name is also
# its field manager in managedFields (client-go's user agent), which Depot shows.
for c in argocd-application-controller argocd-repo-server argocd-applicationset-controller argocd-git-ask-pass argocd-redis; do
  ln -sfn argocd "$GO_BUILD_OUT/bin/$c"
done
# Argo CD's CRDs from the module that was built (never copied into the project).
mkdir -p "$GO_BUILD_OUT/crds"
cp "$(go list -m -f '{{.Dir}}' github.com/argoproj/argo-cd/v3)"/manifests/crds/*-crd.yaml "$GO_BUILD_OUT/crds/"
chmod u+w "$GO_BUILD_OUT"/crds/*
# The repo-server runs this upstream script (its image has it in /usr/local/bin) for every Git source.
install -m 0755 "$(go list -m -f '{{.Dir}}' github.com/argoproj/argo-cd/v3)/hack/git-verify-wrapper.sh" "$GO_BUILD_OUT/bin/"
cd "$kmod"
kversion="$(grep -oE 'sigs.k8s.io/kustomize/kustomize/v5 v[0-9.]+' go.mod | cut -d' ' -f2)"
go_build_download
go_build_binary kustomize sigs.k8s.io/kustomize/kustomize/v5 "-s -w -X sigs.k8s.io/kustomize/api/provenance.version=kustomize/$kversion"
go_build_finish
