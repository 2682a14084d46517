//go:build tools

// Package tools pins the Dapr sidecar (daprd) that CI builds for the dapr
// driver's tests. It is never compiled: .ci/services/dapr.sh runs
// `go build -tags stablecomponents github.com/dapr/dapr/cmd/daprd` in this
// module, so the go command builds the published release, unmodified, at the
// version go.mod requires. The module is kept out of go.work: its dependency
// graph is large and must not reach the library's modules.
package tools

import _ "github.com/dapr/dapr/cmd/daprd"
