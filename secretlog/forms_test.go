package secretlog

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// slogJSON returns v as log/slog's JSON handler writes it inside a string.
func slogJSON(v string) string {
	var b bytes.Buffer
	slog.New(slog.NewJSONHandler(&b, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key != "v" {
			return slog.Attr{}
		}
		return a
	}})).Info("", "v", v)
	return strings.TrimSuffix(strings.TrimPrefix(b.String(), `{"v":"`), "\"}\n")
}

// stdJSON returns v as encoding/json writes it inside a string, escaping
// HTML or not.
func stdJSON(v string, html bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	enc.Encode(v)
	return strings.TrimSuffix(strings.TrimPrefix(b.String(), `"`), "\"\n")
}

// asciiJSON returns the JSON form s (as encoding/json writes it) with every
// non-ASCII character escaped if ascii is set, as Python's json.dumps does,
// and with the hex digits of every \u escape in upper case if upper is set.
func asciiJSON(s string, ascii, upper bool) string {
	var b strings.Builder
	u := func(r rune) {
		h := fmt.Sprintf("%04x", r)
		if upper {
			h = strings.ToUpper(h)
		}
		b.WriteString(`\u` + h)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case s[i] == '\\' && s[i+1] == 'u':
			r, _ := strconv.ParseUint(s[i+2:i+6], 16, 32)
			u(rune(r))
			size = 6
		case s[i] == '\\':
			b.WriteString(s[i : i+2])
			size = 2
		case r < 0x80 || !ascii:
			b.WriteString(s[i : i+size])
		case r > 0xFFFF:
			r1, r2 := utf16.EncodeRune(r)
			u(r1)
			u(r2)
		default:
			u(r)
		}
		i += size
	}
	return b.String()
}

// TestForms checks that each form of each value, written by the encoder
// that produces it, is masked, and that opt-in forms are masked only when
// asked for.
func TestForms(t *testing.T) {
	values := []string{
		"Tr0ub4dor&3<x>",        // encoding/json: \u0026 \u003c \u003e
		"caf\u00e9-secret-Zk",   // ASCII-only JSON: \u00e9
		"emoji-\U0001F600-pass", // surrogate pairs, \U0001f600
		"q\"uote\\back",         // \" \\
		"nl\ncr\rtab\t",         // \n \r \t
		"bs\bff\fctl\x01\x1f",   // \b \f \u0008 \u000c \x01 \u001f
		"sep\u2028\u2029para",   // \u2028 \u2029
		"bad\xffutf8\xc3z",      // \ufffd, \xff
		"del\x7f-char",          // \x7f
		"plainASCIIvalue",
	}
	type form struct {
		name  string
		enc   func(string) string
		optIn Form // 0: masked by default
	}
	b64 := func(e *base64.Encoding, pre string) func(string) string {
		return func(v string) string { return e.EncodeToString([]byte(pre + v + "tail")) }
	}
	forms := []form{
		{"raw", func(v string) string { return v }, 0},
		{"log/slog JSON", slogJSON, 0},
		{"encoding/json", func(v string) string { return stdJSON(v, true) }, 0},
		{"encoding/json without HTML escaping", func(v string) string { return stdJSON(v, false) }, 0},
		{"ASCII-only JSON", func(v string) string { return asciiJSON(stdJSON(v, false), true, false) }, 0},
		{"ASCII-only JSON, upper case", func(v string) string { return asciiJSON(stdJSON(v, false), true, true) }, 0},
		{"JSON, upper case", func(v string) string { return asciiJSON(stdJSON(v, false), false, true) }, 0},
		{"encoding/json, upper case", func(v string) string { return asciiJSON(stdJSON(v, true), false, true) }, 0},
		{"%q", func(v string) string { return fmt.Sprintf("%q", v) }, 0},
		{"%+q", func(v string) string { return fmt.Sprintf("%+q", v) }, 0},
		{"base64", func(v string) string { return base64.StdEncoding.EncodeToString([]byte(v)) }, FormBase64},
		{"base64 unpadded", func(v string) string { return base64.RawStdEncoding.EncodeToString([]byte(v)) }, FormBase64},
		{"base64 URL", func(v string) string { return base64.URLEncoding.EncodeToString([]byte(v)) }, FormBase64},
		{"base64 URL unpadded", func(v string) string { return base64.RawURLEncoding.EncodeToString([]byte(v)) }, FormBase64},
		{"base64 at offset 0", b64(base64.StdEncoding, "abc"), FormBase64},
		{"base64 at offset 1", b64(base64.StdEncoding, "u:"), FormBase64},
		{"base64 at offset 2", b64(base64.RawURLEncoding, "u"), FormBase64},
		{"hex", func(v string) string { return hex.EncodeToString([]byte(v)) }, FormHex},
		{"HEX", func(v string) string { return strings.ToUpper(hex.EncodeToString([]byte(v))) }, FormHex},
	}
	for _, f := range forms {
		for _, v := range values {
			text := "x " + f.enc(v) + " y"
			for _, set := range []Form{DefaultForms, AllForms, f.optIn} {
				r := NewRegistry(WithForms(set))
				r.Add(v)
				got := r.Redact(text)
				masked := !strings.Contains(got, f.enc(v)) && strings.Contains(got, "[REDACTED]")
				if want := set&f.optIn == f.optIn && (set != 0 || strings.Contains(f.enc(v), v)); masked != want {
					t.Errorf("%s of %q with forms %v: masked %v, want %v: %q", f.name, v, set, masked, want, got)
				}
			}
		}
	}
}

// TestFormsOfPlainValue checks that a value with nothing to escape has no
// form but its own under the default forms.
func TestFormsOfPlainValue(t *testing.T) {
	if fs := formsOf("sk_live_0123456789abcdef", DefaultForms, 4); len(fs) != 0 {
		t.Errorf("forms %q", fs)
	}
	pem := "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
	if fs := formsOf(pem, DefaultForms, 4); len(fs) != 1 || fs[0] != slogJSON(pem) {
		t.Errorf("forms of a PEM block: %q, want only its JSON form", fs)
	}
}

func TestParseForms(t *testing.T) {
	for in, want := range map[string]Form{
		"":                  0,
		"none":              0,
		"default":           DefaultForms,
		"all":               AllForms,
		"json":              FormJSON,
		"JSON, hex":         FormJSON | FormHex,
		"default,base64":    DefaultForms | FormBase64,
		"quote,base64,hex":  FormQuote | FormBase64 | FormHex,
		"json,quote,base64": FormJSON | FormQuote | FormBase64,
	} {
		got, err := ParseForms(in)
		if err != nil || got != want {
			t.Errorf("ParseForms(%q) = %v, %v; want %v", in, got, err, want)
		}
		if back, err := ParseForms(got.String()); err != nil || back != got {
			t.Errorf("ParseForms(%q) = %v, %v", got.String(), back, err)
		}
	}
	if _, err := ParseForms("json,rot13"); err == nil {
		t.Error("an unknown form is accepted")
	}
}
