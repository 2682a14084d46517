//go:build race

package filestore_test

// raceEnabled makes slow tests do less under the race detector, which slows
// argon2id and bbolt by an order of magnitude.
const raceEnabled = true
