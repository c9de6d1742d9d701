//go:build tools

// Package tools records the kustomize binary this module builds, so that
// `go mod tidy` keeps its dependencies.
package tools

import (
	_ "sigs.k8s.io/kustomize/kustomize/v5"
)
