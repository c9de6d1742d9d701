//go:build tools

// Package tools records the kind binary this module builds, so that
// `go mod tidy` keeps its dependencies.
package tools

import (
	_ "sigs.k8s.io/kind"
)
