//go:build tools

// Package tools pins the op-conductor main package so that `go mod tidy`
// records every module it needs in go.sum.
package tools

import _ "github.com/ethereum-optimism/optimism/op-conductor/cmd"
