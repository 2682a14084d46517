package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
)

// contractCases check the optional parts of the driver contract that the
// portable Store only passes through: As, the error classes a driver may
// give, and the Watcher's delivery.
var contractCases = []testCase{
	{"As", caseAs},
	{"ErrorClasses", caseErrorClasses},
	{"Watch", caseWatch},
	{"WatchResumes", caseWatchResumes},
}

// caseAs: the portable Store's As sets every target the harness lists
// (Harness.AsTargets, the types the driver documents) and refuses others.
func caseAs(t *testing.T, e *env) {
	_, isAser := e.drv.(driver.Aser)
	switch {
	case !isAser && len(e.h.AsTargets) > 0:
		t.Fatal("Harness.AsTargets is set, but the driver does not implement driver.Aser")
	case isAser && len(e.h.AsTargets) == 0:
		t.Fatal("the driver implements driver.Aser: list the targets it documents in Harness.AsTargets")
	}
	for _, target := range e.h.AsTargets {
		v := reflect.ValueOf(target)
		if v.Kind() != reflect.Pointer || v.IsNil() {
			t.Fatalf("Harness.AsTargets holds %T: want a non-nil pointer, such as new(*sdk.Client)", target)
		}
		v.Elem().SetZero()
		if !e.store.As(target) {
			t.Errorf("As(%T) = false, want true: the harness lists it as a documented target", target)
			continue
		}
		if v.Elem().IsZero() {
			t.Errorf("As(%T) = true but left the target zero", target)
		}
	}
	var other *struct{ notABackendType int }
	for _, target := range []any{nil, 42, &other, new(error)} {
		if e.store.As(target) {
			t.Errorf("As(%T) = true for a type no driver documents", target)
		}
	}
}

// caseErrorClasses: errors the driver itself returns (for a canceled
// context, a value over its limit, calls after Close) never carry the
// classes only the portable Store gives, Disabled and Closed, whether in a
// *driver.Error or through the driver's ErrorCoder.
func caseErrorClasses(t *testing.T, e *env) {
	check := func(what string, err error) {
		t.Helper()
		e.checkErr(t, err)
		if err == nil {
			return
		}
		code := driver.CodeOf(err)
		if ec, ok := e.drv.(driver.ErrorCoder); ok && code == driver.Unknown {
			code = ec.ErrorCode(err)
		}
		if code.PortableOnly() {
			t.Errorf("%s: the driver returned class %v, which only the portable Store may give: %v", what, code, err)
		}
	}
	name := e.n("classes")
	canceled, cancel := context.WithCancel(e.ctx)
	cancel()
	_, err := e.drv.Get(canceled, []string{name})
	check("Get with a canceled context", err)
	if !e.h.ReadOnly {
		check("Set with a canceled context", e.drv.Set(canceled, name, e.canary))
		check("Remove with a canceled context", e.drv.Remove(canceled, name))
		if e.h.MaxValueSize > 0 {
			check("Set of a value over the limit", e.drv.Set(e.ctx, name, strings.Repeat("x", e.h.MaxValueSize+1)))
		}
	}
	// A second instance, closed, then used: the driver may refuse or even
	// serve, but not with a portable-only class.
	d := e.h.Open(t)
	if err := d.Close(); err != nil {
		check("Close", err)
	}
	ctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
	defer cancel()
	_, err = d.Get(ctx, []string{name})
	check("Get after Close", err)
	if !e.h.ReadOnly {
		check("Set after Close", d.Set(ctx, name, e.canary))
		check("Remove after Close", d.Remove(ctx, name))
	}
	if l, ok := d.(driver.Lister); ok {
		_, err := l.List(ctx, e.prefix)
		check("List after Close", err)
	}
}

// watchBound bounds every wait for a watch: a broken watch fails the test
// instead of hanging it. It is never a synchronisation.
const watchBound = time.Minute

// reports collects the names a driver's watch reports.
type reports struct {
	mu    sync.Mutex
	names []string
	more  chan struct{} // signalled on every report
}

func newReports() *reports { return &reports{more: make(chan struct{}, 1)} }

func (r *reports) add(name string) {
	r.mu.Lock()
	r.names = append(r.names, name)
	r.mu.Unlock()
	select {
	case r.more <- struct{}{}:
	default:
	}
}

func (r *reports) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.names)
}

// caseWatch: a driver's Watch, once ready, reports every change of a
// watched name (a set, an overwrite, a removal) once and in the order the
// changes were made, and only changes of watched names; it returns nil when
// its context ends. Without a lost connection there is no reason for a
// repeated or invented report, so the suite accepts none. A last write to
// a fence name ends the wait: once the fence is reported, every earlier
// change must have been.
func caseWatch(t *testing.T, e *env) {
	w, ok := e.drv.(driver.Watcher)
	if !ok || e.h.ReadOnly {
		t.Skip("the driver does not implement driver.Watcher, or is read-only")
	}
	a, b, c, fence, unwatched := e.n("watch/a"), e.n("watch/b"), e.n("watch/c"), e.n("watch/fence"), e.n("watch/other")
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	rep := newReports()
	ready := make(chan struct{})
	var once sync.Once
	done := make(chan error, 1)
	go func() {
		done <- w.Watch(ctx, []string{a, b, c, fence}, func() { once.Do(func() { close(ready) }) }, rep.add)
	}()
	bound := time.After(watchBound)
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("Watch returned before it was ready: %v", err)
	case <-bound:
		t.Fatal("Watch never called ready")
	}
	v := func(s string) *string { return &s }
	steps := []struct {
		name  string
		value *string // nil: remove
	}{
		{a, v("1")}, {b, v("1")}, {unwatched, v("1")}, {a, v("2")}, {c, v(e.canary)}, {b, nil}, {a, nil}, {fence, v("1")},
	}
	var want []string
	for _, s := range steps {
		var err error
		if s.value != nil {
			err = e.drv.Set(e.ctx, s.name, *s.value)
		} else {
			err = e.drv.Remove(e.ctx, s.name)
		}
		if err != nil {
			t.Fatalf("writing %q: %v", s.name, err)
		}
		if s.name != unwatched {
			want = append(want, s.name)
		}
	}
	for !slices.Contains(rep.got(), fence) {
		select {
		case <-rep.more:
		case err := <-done:
			t.Fatalf("Watch returned while changes were pending: %v (reported %q)", err, rep.got())
		case <-bound:
			t.Fatalf("Watch reported %q, want %q", rep.got(), want)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Watch returned %v when its context ended, want nil", err)
		}
	case <-time.After(watchBound):
		t.Fatal("Watch did not return when its context ended")
	}
	if got := rep.got(); !slices.Equal(got, want) {
		t.Errorf("Watch reported %q, want each change once, in order: %q", got, want)
	}
	for _, n := range []string{c, fence, unwatched} {
		e.drv.Remove(context.WithoutCancel(e.ctx), n)
	}
}

// caseWatchResumes: after the connection the watch uses is lost
// (Harness.BreakWatch), the portable Store's Watch goes on, and reports
// every change made afterwards: the driver resumed its watch, or returned
// an error and the Store called it again.
func caseWatchResumes(t *testing.T, e *env) {
	if _, ok := e.drv.(driver.Watcher); !ok || e.h.ReadOnly {
		t.Skip("the driver does not implement driver.Watcher, or is read-only")
	}
	if e.h.BreakWatch == nil {
		t.Skip("Harness.BreakWatch is not set")
	}
	names := []string{e.n("resume/before"), e.n("resume/after-1"), e.n("resume/after-2"), e.n("resume/after-3")}
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	ch, err := e.store.Watch(ctx, names, secretstore.WatchOptions{Interval: 50 * time.Millisecond, MaxBackoff: time.Second})
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	bound := time.After(watchBound)
	await := func(name string) {
		t.Helper()
		for {
			select {
			case c, ok := <-ch:
				if !ok {
					t.Fatal("the watch ended")
				}
				e.checkErr(t, c.Err)
				if c.Name == name && c.Exists {
					return
				}
			case <-bound:
				t.Fatalf("the change of %q was never reported", name)
			}
		}
	}
	e.set(t, names[0], "v")
	await(names[0])
	e.h.BreakWatch(t, e.drv)
	for _, n := range names[1:] {
		e.set(t, n, e.canary)
		await(n)
	}
	cancel()
	for _, n := range names {
		if err := e.store.Remove(context.WithoutCancel(e.ctx), n); err != nil && !errors.Is(err, secretstore.ErrNotSupported) {
			t.Logf("cleanup: %v", err)
		}
	}
}
