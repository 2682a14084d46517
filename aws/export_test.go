package awssm

import "time"

// SetBackoff replaces the wait before retrying a create that a forced
// deletion still blocks, so that tests take no time.
func SetBackoff(s *Store, f func(attempt int) time.Duration) { s.backoff = f }
