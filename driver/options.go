package driver

// Retries applies the convention every driver's Options share for a retry
// count (MaxRetries): 0 means the driver's default def, a negative number
// means no retry, and a positive one is the number of retries after the
// first attempt.
func Retries(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return 0
	}
	return n
}
