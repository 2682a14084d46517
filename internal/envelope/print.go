package envelope

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// Records holds a data key (in its AEAD): it prints as a description under
// every fmt verb, through log/slog and encoding/json, so that a driver
// holding one cannot show the key however it is printed.

// String describes the cipher.
func (*Records) String() string { return "record cipher" }

// Format writes String for every verb.
func (r *Records) Format(f fmt.State, _ rune) { io.WriteString(f, r.String()) }

// LogValue is String, for log/slog.
func (r *Records) LogValue() slog.Value { return slog.StringValue(r.String()) }

// MarshalJSON is String as a JSON string.
func (r *Records) MarshalJSON() ([]byte, error) { return json.Marshal(r.String()) }
