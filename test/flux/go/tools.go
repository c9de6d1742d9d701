//go:build tools

// Package tools records the Flux controller binaries this module builds, so
// that `go mod tidy` keeps their dependencies.
package tools

import (
	_ "github.com/fluxcd/helm-controller"
	_ "github.com/fluxcd/kustomize-controller"
	_ "github.com/fluxcd/notification-controller"
	_ "github.com/fluxcd/source-controller"
)
