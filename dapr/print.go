package dapr

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// A Store holds the sidecar's API token. It prints as a description, never
// those, however it is printed: under every fmt verb (Format), through
// log/slog (LogValue) and encoding/json (MarshalJSON).

// Format writes String for every verb.
func (s *Store) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// LogValue is String, for log/slog.
func (s *Store) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON is String as a JSON string.
func (s *Store) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// String describes the store by its sidecar and component.
func (s *Store) String() string {
	if s == nil {
		return "dapr (nil)"
	}
	return "dapr secret store " + s.cfg.store + " at " + s.cfg.base
}

// String describes the options without the API token.
func (o Options) String() string {
	o.Token = redactedIfSet(o.Token)
	type plain Options // without methods, printed field by field
	return fmt.Sprintf("%+v", plain(o))
}

// Format writes String for every verb, so that no verb shows the token.
func (o Options) Format(f fmt.State, _ rune) { io.WriteString(f, o.String()) }

// LogValue is String, for log/slog.
func (o Options) LogValue() slog.Value { return slog.StringValue(o.String()) }

// MarshalJSON is String as a JSON string.
func (o Options) MarshalJSON() ([]byte, error) { return json.Marshal(o.String()) }

func redactedIfSet(s string) string {
	if s == "" {
		return ""
	}
	return "[REDACTED]"
}
