package vault

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// A Store holds clients and a session with its token. It prints as a description, never
// those, however it is printed: under every fmt verb (Format), through
// log/slog (LogValue) and encoding/json (MarshalJSON).

// Format writes String for every verb.
func (s *Store) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// LogValue is String, for log/slog.
func (s *Store) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON is String as a JSON string.
func (s *Store) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// String describes the store by its server and mount.
func (s *Store) String() string {
	if s == nil {
		return "vault (nil)"
	}
	return fmt.Sprintf("vault %s mount %s (kv v%d)", s.client.Address(), s.mount, s.kv)
}

// The Auth methods print as their String (which never holds a token, a role
// id or a secret id) for every verb, through log/slog and encoding/json.

func (a tokenAuth) Format(f fmt.State, _ rune)       { io.WriteString(f, a.String()) }
func (a tokenAuth) LogValue() slog.Value             { return slog.StringValue(a.String()) }
func (a tokenAuth) MarshalJSON() ([]byte, error)     { return json.Marshal(a.String()) }
func (a tokenFileAuth) Format(f fmt.State, _ rune)   { io.WriteString(f, a.String()) }
func (a tokenFileAuth) LogValue() slog.Value         { return slog.StringValue(a.String()) }
func (a tokenFileAuth) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }
func (a appRoleAuth) Format(f fmt.State, _ rune)     { io.WriteString(f, a.String()) }
func (a appRoleAuth) LogValue() slog.Value           { return slog.StringValue(a.String()) }
func (a appRoleAuth) MarshalJSON() ([]byte, error)   { return json.Marshal(a.String()) }

// String describes the options without the role id.
func (o AppRoleOptions) String() string {
	if o.RoleID != "" {
		o.RoleID = "[REDACTED]"
	}
	type plain AppRoleOptions // without methods, printed field by field
	return fmt.Sprintf("%+v", plain(o))
}

// Format writes String for every verb, so that no verb shows the role id.
func (o AppRoleOptions) Format(f fmt.State, _ rune) { io.WriteString(f, o.String()) }

// LogValue is String, for log/slog.
func (o AppRoleOptions) LogValue() slog.Value { return slog.StringValue(o.String()) }

// MarshalJSON is String as a JSON string.
func (o AppRoleOptions) MarshalJSON() ([]byte, error) { return json.Marshal(o.String()) }

// The driver of a KV v1 mount prints as its Store does.

func (k kv1) Format(f fmt.State, _ rune)   { io.WriteString(f, k.s.String()) }
func (k kv1) LogValue() slog.Value         { return slog.StringValue(k.s.String()) }
func (k kv1) MarshalJSON() ([]byte, error) { return json.Marshal(k.s.String()) }
