package etcd

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// A Store holds the store's record cipher (its data key) and a client that
// may hold a password. It prints as a description, never either, however it
// is printed: under every fmt verb, through log/slog and encoding/json.

// String describes the store by its key prefix.
func (s *Store) String() string {
	if s == nil {
		return "etcd store (nil)"
	}
	return "etcd store at " + s.prefix
}

// Format writes String for every verb.
func (s *Store) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// LogValue is String, for log/slog.
func (s *Store) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON is String as a JSON string.
func (s *Store) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }
