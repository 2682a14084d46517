package infisical

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// infisicalTransform is what Infisical's API does to a written value
// (secretValue: val.at(-1) === "\n" ? `${val.trim()}\n` : val.trim()), with
// JavaScript's trim, and what the JSON transport does to bytes that are not
// UTF-8.
func infisicalTransform(v string) string {
	v = strings.ToValidUTF8(v, "\uFFFD")
	jsSpace := func(r rune) bool {
		switch r {
		case '\t', '\n', '\v', '\f', '\r', 0x2028, 0x2029, 0xFEFF:
			return true
		}
		return unicode.Is(unicode.Zs, r)
	}
	if strings.HasSuffix(v, "\n") {
		return strings.TrimFunc(v, jsSpace) + "\n"
	}
	return strings.TrimFunc(v, jsSpace)
}

func checkValue(t *testing.T, v string) {
	t.Helper()
	stored := encodeValue(v)
	if stored == "" || !utf8.ValidString(stored) {
		t.Fatalf("encodeValue(%q) = %q: empty or not UTF-8", v, stored)
	}
	if got := infisicalTransform(stored); got != stored {
		t.Fatalf("encodeValue(%q) = %q, which Infisical changes to %q", v, stored, got)
	}
	if strings.Contains(stored, "${") || strings.IndexByte(stored, 0) >= 0 || stored == hiddenMask {
		t.Fatalf("encodeValue(%q) = %q holds a reference, a NUL or the hidden mask", v, stored)
	}
	if got := decodeValue(stored); got != v {
		t.Fatalf("decodeValue(encodeValue(%q)) = %q", v, got)
	}
}

func TestValues(t *testing.T) {
	plainValues := []string{"hunter2", "pässwörd-🔑", "a b", "line1\nline2\n", "-----BEGIN KEY-----\nx\n-----END KEY-----\n", `{"a":1}`, "$HOME", "x$"}
	for _, v := range plainValues {
		checkValue(t, v)
		if encodeValue(v) != v {
			t.Errorf("%q is encoded, want it stored as it is", v)
		}
	}
	encoded := []string{"", " ", "\n", " x", "x ", "x\t", "\tx", "x\r\n", "x\n\n", "x \n", "\u00a0x", "x\u3000", "\ufeffx",
		"a\x00b", "\xff\xfe", "${OTHER}", "a${b}c", ValuePrefix, ValuePrefix + "aGk=", hiddenMask}
	for _, v := range encoded {
		checkValue(t, v)
		if !strings.HasPrefix(encodeValue(v), ValuePrefix) {
			t.Errorf("%q is stored as it is, want it encoded", v)
		}
	}
	// A value stored by other means that merely looks like ours.
	for _, v := range []string{ValuePrefix + "not base64!", ValuePrefix + "aGk"} {
		if got := decodeValue(v); got != v {
			t.Errorf("decodeValue(%q) = %q, want it as it is", v, got)
		}
	}
}

// FuzzValues: every value is stored in a form Infisical keeps exactly, and
// reads back as itself.
func FuzzValues(f *testing.F) {
	for _, s := range []string{"", "x", " x ", "a\r\n", "\xff", "${x}", ValuePrefix, "\u2028x", "pem\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) { checkValue(t, v) })
}
