package infisical

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// A Store holds SDK clients with their access tokens. It prints as a description, never
// those, however it is printed: under every fmt verb (Format), through
// log/slog (LogValue) and encoding/json (MarshalJSON).

// Format writes String for every verb.
func (s *Store) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// LogValue is String, for log/slog.
func (s *Store) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON is String as a JSON string.
func (s *Store) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }
