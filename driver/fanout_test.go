package driver_test

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/secretstore-go/secretstore/driver"
)

func TestGetEach(t *testing.T) {
	names := []string{"a", "b", "c", "d", "e"}
	var inFlight, most atomic.Int32
	got, err := driver.GetEach(context.Background(), names, 2, func(_ context.Context, n string) (string, bool, error) {
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		return "v" + n, n != "c", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got["a"] != "va" || got["e"] != "ve" {
		t.Errorf("GetEach = %v", got)
	}
	if _, ok := got["c"]; ok {
		t.Error("a missing name is present")
	}
	if most.Load() > 2 {
		t.Errorf("%d calls at once, limit 2", most.Load())
	}
	if got, err := driver.GetEach(context.Background(), nil, 2, nil); got != nil || err != nil {
		t.Errorf("GetEach of no names = %v, %v", got, err)
	}
	none, err := driver.GetEach(context.Background(), names, 3, func(context.Context, string) (string, bool, error) { return "", false, nil })
	if none != nil || err != nil {
		t.Errorf("GetEach finding nothing = %v, %v; want a nil map", none, err)
	}
}

func TestFanOutFirstErrorCancels(t *testing.T) {
	boom := errors.New("boom")
	const n = 50
	var canceled atomic.Int32
	err := driver.FanOut(context.Background(), n, 4, func(ctx context.Context, i int) error {
		if i == 0 {
			return boom
		}
		<-ctx.Done() // every other call waits for the first error's cancellation
		canceled.Add(1)
		return ctx.Err()
	})
	if !errors.Is(err, boom) {
		t.Fatalf("FanOut = %v, want the first error", err)
	}
	if c := canceled.Load(); c >= n-1 {
		t.Errorf("%d calls started after the failure; want the rest not sent", c)
	}
}

func TestFanOutContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err := driver.FanOut(ctx, 3, 2, func(context.Context, int) error { called = true; return nil })
	if !errors.Is(err, context.Canceled) || called {
		t.Errorf("FanOut on a canceled context = %v (called %v)", err, called)
	}

	ctx, cancel = context.WithCancel(context.Background())
	err = driver.FanOut(ctx, 10, 1, func(ctx context.Context, i int) error {
		if i == 1 {
			cancel()
			return errors.New("request failed: " + strconv.Itoa(i)) // caused by the cancellation
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("FanOut after the caller canceled = %v, want context.Canceled", err)
	}
}

func TestFanOutOneInline(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, 1)
	err := driver.FanOut(ctx, 1, 8, func(got context.Context, _ int) error {
		if got != ctx {
			return errors.New("a single call did not get the caller's context")
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

func TestFilterEach(t *testing.T) {
	items := []string{"a", "bb", "c", "dd"}
	got, err := driver.FilterEach(context.Background(), items, 2, func(_ context.Context, i int) (bool, error) {
		return len(items[i]) == 2, nil
	})
	if err != nil || len(got) != 2 || got[0] != "bb" || got[1] != "dd" {
		t.Errorf("FilterEach = %q, %v", got, err)
	}
	boom := errors.New("boom")
	if _, err := driver.FilterEach(context.Background(), []string{"x", "y"}, 2, func(context.Context, int) (bool, error) { return true, boom }); !errors.Is(err, boom) {
		t.Errorf("FilterEach with a failing call = %v", err)
	}
}

func TestRetries(t *testing.T) {
	for _, c := range []struct{ n, def, want int }{{0, 4, 4}, {-1, 4, 0}, {3, 4, 3}} {
		if got := driver.Retries(c.n, c.def); got != c.want {
			t.Errorf("Retries(%d, %d) = %d, want %d", c.n, c.def, got, c.want)
		}
	}
}
