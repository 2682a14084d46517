package secretstore

import (
	"errors"
	"strings"
	"testing"
)

func TestExtractField(t *testing.T) {
	const obj = `{"username": "app", "password": "p\u00e4ss\n", "port": 5432, "ratio": 1.50, "tls": true,
		"none": null, "nested": {"a": [1, 2], "b": "x"}, "list": [ "a", {"b": null} ], "empty": "", "dup": "1", "dup": "2"}`
	for _, c := range []struct {
		name, value, field string
		want               string
		found              bool
		notObject          bool
	}{
		{"string", obj, "username", "app", true, false},
		{"escaped string", obj, "password", "päss\n", true, false},
		{"empty string", obj, "empty", "", true, false},
		{"number", obj, "port", "5432", true, false},
		{"number kept as written", obj, "ratio", "1.50", true, false},
		{"bool", obj, "tls", "true", true, false},
		{"null is missing", obj, "none", "", false, false},
		{"nested object, compact", obj, "nested", `{"a":[1,2],"b":"x"}`, true, false},
		{"array, compact", obj, "list", `["a",{"b":null}]`, true, false},
		{"missing field", obj, "nope", "", false, false},
		{"keys are case-sensitive", obj, "Username", "", false, false},
		{"last duplicate wins", obj, "dup", "2", true, false},
		{"leading space", "  \n{\"a\":\"b\"}", "a", "b", true, false},
		{"empty object", `{}`, "a", "", false, false},
		{"array value", `["a"]`, "a", "", false, true},
		{"string value", `"a"`, "a", "", false, true},
		{"number value", `12`, "a", "", false, true},
		{"null value", `null`, "a", "", false, true},
		{"plain text", `hunter2`, "a", "", false, true},
		{"empty value", ``, "a", "", false, true},
		{"invalid JSON", `{"a": "b"`, "a", "", false, true},
		{"trailing garbage", `{"a": "b"} x`, "a", "", false, true},
		{"not UTF-8 inside", "{\"a\": \"\xff\"}", "a", "\ufffd", true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, found, err := extractField(c.value, c.field)
			if c.notObject {
				if !errors.Is(err, errNotObject) {
					t.Fatalf("err = %v, want errNotObject", err)
				}
				return
			}
			if err != nil || found != c.found || got != c.want {
				t.Fatalf("extractField(%q) = %q, %v, %v; want %q, %v", c.field, got, found, err, c.want, c.found)
			}
		})
	}
}

func TestCheckFieldName(t *testing.T) {
	for _, c := range []struct {
		name, prefix string
		ok           bool
	}{
		{"db#password", "", true},
		{"db/primary#pass_word-1.x", "", true},
		{"db#a:b@c!$%&'()*+,-./;<=>?[]^_`{|}~", "", true},
		{"db#", "", false},
		{"#password", "", false},
		{"db#pass word", "", false},
		{"db#a#b", "", false},
		{"db#\x00", "", false},
		{"db#é", "", false},
		{"../db#a", "", false},
		{"db/#a", "", false},
		{"db#" + strings.Repeat("a", MaxFieldLen), "", true},
		{"db#" + strings.Repeat("a", MaxFieldLen+1), "", false},
		{strings.Repeat("a", 200) + "#a", strings.Repeat("p", 56), true},
		{strings.Repeat("a", 201) + "#a", strings.Repeat("p", 56), false},
	} {
		if got := checkFieldName(c.prefix, c.name) == ""; got != c.ok {
			t.Errorf("checkFieldName(%q, %q) = %q, want ok=%v", c.prefix, c.name, checkFieldName(c.prefix, c.name), c.ok)
		}
	}
}

func TestWithField(t *testing.T) {
	old := `{"username":"app","password":"old","port":5432,"nested":{ "a" : 1 }}`
	got, change, err := withField(&old, "password", ptr("new<&>"))
	if err != nil || !change {
		t.Fatal(change, err)
	}
	if want := `{"nested":{"a":1},"password":"new\u003c\u0026\u003e","port":5432,"username":"app"}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if v, _, _ := extractField(got, "password"); v != "new<&>" {
		t.Fatalf("round trip: %q", v)
	}
	if got, change, err = withField(nil, "a", ptr("b")); err != nil || !change || got != `{"a":"b"}` {
		t.Fatal(got, change, err)
	}
	if _, change, err = withField(&old, "absent", nil); err != nil || change {
		t.Fatal("removing an absent field changes nothing", change, err)
	}
	if got, _, _ = withField(&old, "nested", nil); got != `{"password":"old","port":5432,"username":"app"}` {
		t.Fatal(got)
	}
	bad := "plain"
	if _, _, err = withField(&bad, "a", ptr("b")); !errors.Is(err, errNotObject) {
		t.Fatal(err)
	}
}

func ptr(s string) *string { return &s }

// FuzzSplitField checks that a requested name splits at its first '#' into
// parts that join back to it, that a name the check admits has a valid
// secret name and a field without '#', and that the check never panics.
func FuzzSplitField(f *testing.F) {
	for _, s := range []string{"db#password", "db", "#", "a#b#c", "db/x#f", "db#", "#f", "a..b#c", "tenant:acme:k#x y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		secret, field, ok := splitField(name)
		if ok != strings.Contains(name, "#") {
			t.Fatalf("ok = %v for %q", ok, name)
		}
		if !ok {
			if secret != name || field != "" {
				t.Fatalf("no '#': got %q, %q", secret, field)
			}
			return
		}
		if secret+"#"+field != name || strings.Contains(secret, "#") {
			t.Fatalf("%q split as %q, %q", name, secret, field)
		}
		if checkFieldName("", name) == "" {
			if !validName(secret) || checkField(field) != "" || strings.Contains(field, "#") {
				t.Fatalf("%q admitted with secret %q, field %q", name, secret, field)
			}
		}
	})
}
