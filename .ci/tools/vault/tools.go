//go:build tools

// Package tools pins the Vault server that CI builds for the vault driver's
// tests. It is never compiled: .ci/services/vault.sh runs
// `go build github.com/hashicorp/vault` in this module, so the go command
// builds the published release, unmodified, at the version go.mod requires.
package tools

import _ "github.com/hashicorp/vault"
