package azure

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// A Store holds an SDK client with its credential. It prints as a description, never
// those, however it is printed: under every fmt verb (Format), through
// log/slog (LogValue) and encoding/json (MarshalJSON).

// Format writes String for every verb.
func (s *Store) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// LogValue is String, for log/slog.
func (s *Store) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON is String as a JSON string.
func (s *Store) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// String describes the store.
func (s *Store) String() string { return "azure key vault" }

// String describes the options, naming the credential's type only.
func (o Options) String() string {
	type plain Options // without methods, printed field by field
	p := plain(o)
	p.Credential = nil
	p.ClientOptions = nil
	return fmt.Sprintf("%+v", p) + fmt.Sprintf(" (credential %T, client options set: %v)", o.Credential, o.ClientOptions != nil)
}

// Format writes String for every verb, so that no verb shows the credential.
func (o Options) Format(f fmt.State, _ rune) { io.WriteString(f, o.String()) }

// LogValue is String, for log/slog.
func (o Options) LogValue() slog.Value { return slog.StringValue(o.String()) }

// MarshalJSON is String as a JSON string.
func (o Options) MarshalJSON() ([]byte, error) { return json.Marshal(o.String()) }
