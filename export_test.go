package secretstore

// ValidNameFast exposes the hot path's name check to the fuzz tests.
var ValidNameFast = validName
