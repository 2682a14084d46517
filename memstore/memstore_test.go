package memstore_test

import (
	"context"
	"testing"

	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/memstore"
	"github.com/secretstore-go/secretstore/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(*testing.T) driver.Store { return memstore.New(nil) },
	})
}

func TestConformanceReadOnly(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		ReadOnly: true,
		Open:     func(*testing.T) driver.Store { return readOnly{memstore.New(storetest.Fixture())} },
	})
}

// readOnly proves the suite's read-only cases on a driver that refuses writes.
type readOnly struct{ *memstore.Store }

func (readOnly) Set(_ context.Context, _, _ string) error {
	return driver.Errorf(driver.NotSupported, "read-only")
}

func (readOnly) Remove(_ context.Context, _ string) error {
	return driver.Errorf(driver.NotSupported, "read-only")
}
