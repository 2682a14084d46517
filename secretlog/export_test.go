package secretlog

// WithIndexPrefix makes the registry's matcher index n bytes of each value,
// so that tests verify short values as long ones.
func WithIndexPrefix(n int) Option {
	return func(r *Registry) { r.prefix = n }
}
