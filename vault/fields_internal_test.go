package vault

import (
	"bytes"
	"encoding/json"
	"testing"
)

// kvStore is a driver value with the default fields, for the encoding tests.
func kvStore(kv int) *Store { return &Store{kv: kv, field: "value", encField: "value_encoding"} }

// serverRoundTrip stores value as encode writes it and reads it back as
// decode does from what a server (one that keeps numbers as written, as
// Vault does) answers.
func serverRoundTrip(t testing.TB, s *Store, value string) (string, bool, map[string]any) {
	body, err := s.encode(value, -1)
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var req struct {
		Data map[string]any `json:"data"`
	}
	if s.kv == 1 {
		err = d.Decode(&req.Data)
	} else {
		err = d.Decode(&req)
	}
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := json.Marshal(req.Data)
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(answer, &fields); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.decode("x", fields)
	if err != nil {
		t.Fatal(err)
	}
	return got, ok, req.Data
}

func TestValuesAndFields(t *testing.T) {
	for _, kv := range []int{1, 2} {
		s := kvStore(kv)
		for _, c := range []struct {
			value    string
			asFields bool
		}{
			{"plain", false},
			{`{"password":"pw","username":"app"}`, true},
			{`{"port":5432,"ratio":1.50,"tls":true,"x":null,"z":{"b":[1,"<"],"a":{}}}`, false}, // not canonical: nested keys unsorted
			{`{"port":5432,"ratio":1.50,"tls":true,"x":null,"z":{"a":{},"b":[1,"\u003c"]}}`, true},
			{`{"password": "pw", "username": "app"}`, false}, // spaces: kept as one value
			{`{"username":"app","password":"pw"}`, false},    // unsorted
			{`{"a":"\u00e9"}`, false},                        // escaped where encoding/json is not
			{`{"a":"é"}`, true},
			{`{"value":"x"}`, false}, // would read back as "x"
			{`{"value":"eA==","value_encoding":"base64"}`, false},
			{`{"note":"n","value":"x"}`, true},
			{`{}`, false},
			{`[]`, false},
			{"\xff\x00binary", false},
			{"", false},
		} {
			got, ok, data := serverRoundTrip(t, s, c.value)
			if !ok || got != c.value {
				t.Errorf("KV v%d: %q read back as %q (ok %v)", kv, c.value, got, ok)
			}
			_, single := data["value"]
			if fields := len(data) > 0 && !single || len(data) > 1 && data["value_encoding"] == nil; fields != c.asFields {
				t.Errorf("KV v%d: %q stored as %v, want fields %v", kv, c.value, data, c.asFields)
			}
		}
	}
}

func TestMultiFieldSecretReadsAsObject(t *testing.T) {
	s := kvStore(2)
	for in, want := range map[string]string{
		`{"value":"x"}`:                                    "x",
		`{"password":"pw","username":"app"}`:               `{"password":"pw","username":"app"}`,
		`{"username": "app" , "password":"\u0070w"}`:       `{"password":"pw","username":"app"}`,
		`{"note":"n","value":"x"}`:                         `{"note":"n","value":"x"}`,
		`{"n":1.50,"b":false,"o":{"z":1,"a":null},"l":[]}`: `{"b":false,"l":[],"n":1.50,"o":{"a":null,"z":1}}`,
	} {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal([]byte(in), &fields); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.decode("x", fields)
		if err != nil || !ok || got != want {
			t.Errorf("%s read as %q, %v, %v; want %s", in, got, ok, err, want)
		}
	}
	if _, ok, err := s.decode("x", map[string]json.RawMessage{}); ok || err != nil {
		t.Error("a secret without data exists")
	}
}

// FuzzValueRoundTrip checks that every value reads back exactly, whether it
// is written as the value field or as the secret's fields.
func FuzzValueRoundTrip(f *testing.F) {
	for _, v := range []string{"x", `{"a":"b"}`, `{"value":"x"}`, `{"a":1,"value":"x"}`, `{"a":"\u003c"}`, "\xff", `{"a":{"b":[1.0,true,null]}}`} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, kv := range []int{1, 2} {
			if got, ok, _ := serverRoundTrip(t, kvStore(kv), v); !ok || got != v {
				t.Fatalf("KV v%d: %q read back as %q (ok %v)", kv, v, got, ok)
			}
		}
	})
}

func TestFieldOptionKeepsOneField(t *testing.T) {
	s := kvStore(2)
	s.field, s.encField, s.oneField = "password", "password_encoding", true
	for _, v := range []string{`{"a":"1","b":"2"}`, "pw"} {
		if got, ok, data := serverRoundTrip(t, s, v); !ok || got != v || len(data) != 1 || data["password"] != v {
			t.Errorf("%q: read back %q, stored as %d fields", v, got, len(data))
		}
	}
	got, ok, err := s.decode("x", map[string]json.RawMessage{"username": []byte(`"app"`), "password": []byte(`"pw"`)})
	if err != nil || !ok || got != "pw" {
		t.Errorf("a secret of several fields read as %q, %v, %v; want its field password", got, ok, err)
	}
}
