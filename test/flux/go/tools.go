//go:build tools

// Package tools records the Flux notification-controller binary this module
// builds, so that `go mod tidy` keeps its dependencies.
package tools

import (
	_ "github.com/fluxcd/notification-controller"
)
