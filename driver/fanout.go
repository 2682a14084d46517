package driver

import (
	"context"
	"slices"

	"golang.org/x/sync/errgroup"
)

// FanOut calls f for every index from 0 to n-1, at most limit calls at once
// (limit < 1 means 1), for a driver whose backend has no batch read. The
// first error cancels the context the other calls get and is returned; when
// ctx itself ends, its error is returned instead of what the cancellation
// caused. A single call runs on the caller's goroutine.
func FanOut(ctx context.Context, n, limit int, f func(ctx context.Context, i int) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if n == 1 {
		return f(ctx, 0)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(limit, 1))
	for i := range n {
		if gctx.Err() != nil {
			break // a call failed: send no more
		}
		g.Go(func() error { return f(gctx, i) })
	}
	if err := g.Wait(); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return err
	}
	return ctx.Err()
}

// GetEach implements a many-name Get for a backend without a batch read: it
// reads every name with get, at most limit at once (see [FanOut] for errors
// and cancellation), and returns the values found. A name get reports
// missing (ok false) is absent from the map, which is nil when no name is
// found.
func GetEach(ctx context.Context, names []string, limit int, get func(ctx context.Context, name string) (value string, ok bool, err error)) (map[string]string, error) {
	if len(names) == 0 {
		return nil, ctx.Err()
	}
	vals := make([]string, len(names))
	found := make([]bool, len(names))
	err := FanOut(ctx, len(names), limit, func(ctx context.Context, i int) error {
		var err error
		vals[i], found[i], err = get(ctx, names[i])
		return err
	})
	if err != nil {
		return nil, err
	}
	var out map[string]string
	for i, n := range names {
		if found[i] {
			if out == nil {
				out = make(map[string]string, len(names))
			}
			out[n] = vals[i]
		}
	}
	return out, nil
}

// FilterEach implements a filter that takes a backend call per item, such
// as dropping deleted names from a listing: it calls keep for every index
// of items, at most limit at once (see [FanOut] for errors and
// cancellation), and returns the items keep accepted, in their order. It
// reuses the backing array of items.
func FilterEach(ctx context.Context, items []string, limit int, keep func(ctx context.Context, i int) (bool, error)) ([]string, error) {
	ok := make([]bool, len(items))
	err := FanOut(ctx, len(items), limit, func(ctx context.Context, i int) error {
		var err error
		ok[i], err = keep(ctx, i)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := items[:0]
	for i, it := range items {
		if ok[i] {
			out = append(out, it)
		}
	}
	return slices.Clip(out), nil
}
