package filestore

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// A Store holds its unwrapped data key. It prints as a description, never
// that key, however it is printed: under every fmt verb, through log/slog and
// encoding/json.

// String describes the store by its file.
func (s *Store) String() string {
	if s == nil {
		return "filestore (nil)"
	}
	return "filestore " + s.path
}

// Format writes String for every verb, so that %d, %x or %+v of a Store never
// shows its data key.
func (s *Store) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// LogValue is String, for log/slog.
func (s *Store) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON is String as a JSON string.
func (s *Store) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }
