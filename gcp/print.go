package gcp

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// A Store holds an SDK client with its credentials. It prints as a description, never
// those, however it is printed: under every fmt verb (Format), through
// log/slog (LogValue) and encoding/json (MarshalJSON).

// Format writes String for every verb.
func (s *Store) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// LogValue is String, for log/slog.
func (s *Store) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON is String as a JSON string.
func (s *Store) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// String describes the store by its project.
func (s *Store) String() string {
	if s == nil {
		return "gcp secret manager (nil)"
	}
	return "gcp secret manager " + s.parent
}

// String describes the options, counting the client options (which may
// hold credentials) rather than printing them.
func (o Options) String() string {
	type plain Options // without methods, printed field by field
	p := plain(o)
	p.ClientOptions, p.Client = nil, nil
	return fmt.Sprintf("%+v", p) + fmt.Sprintf(" (%d client options, client set: %v)", len(o.ClientOptions), o.Client != nil)
}

// Format writes String for every verb, so that no verb shows a credential.
func (o Options) Format(f fmt.State, _ rune) { io.WriteString(f, o.String()) }

// LogValue is String, for log/slog.
func (o Options) LogValue() slog.Value { return slog.StringValue(o.String()) }

// MarshalJSON is String as a JSON string.
func (o Options) MarshalJSON() ([]byte, error) { return json.Marshal(o.String()) }
