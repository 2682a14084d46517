package secretlog

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// referenceForms returns every form of v under f, made with the standard
// library's encoders where it has them (log/slog, encoding/json, strconv,
// encoding/base64, encoding/hex), not with the registry's code, and v
// itself.
func referenceForms(v string, f Form) []string {
	forms := []string{v}
	if f&FormJSON != 0 {
		noHTML := stdJSON(v, false)
		forms = append(forms, slogJSON(v), stdJSON(v, true), noHTML,
			asciiJSON(noHTML, true, false), asciiJSON(noHTML, true, true),
			asciiJSON(noHTML, false, true), asciiJSON(stdJSON(v, true), false, true))
	}
	if f&FormQuote != 0 {
		forms = append(forms, unquoted(strconv.Quote(v)), unquoted(strconv.QuoteToASCII(v)))
	}
	if f&FormBase64 != 0 {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			forms = append(forms, strings.TrimRight(enc.EncodeToString([]byte(v)), "="))
			// Inside a longer text, after 0, 1 or 2 bytes of a group of
			// three: the characters that carry v's bits only.
			for a := range 3 {
				s := enc.EncodeToString([]byte(strings.Repeat("\x00", a) + v))
				first := (8*a + 5) / 6 // the first character with no bit before v
				if a == 0 {
					first = 0
				}
				last := 8 * (a + len(v)) / 6 // past the last with no bit after v
				if last > first {
					forms = append(forms, s[first:last])
				}
			}
		}
	}
	if f&FormHex != 0 {
		h := hex.EncodeToString([]byte(v))
		forms = append(forms, h, strings.ToUpper(h))
	}
	return forms
}

// redactReference replaces, from left to right, the longest pattern that
// starts at each byte, by plain search.
func redactReference(text string, patterns []string) string {
	var b strings.Builder
	for i := 0; i < len(text); {
		best := 0
		for _, p := range patterns {
			if len(p) > best && strings.HasPrefix(text[i:], p) {
				best = len(p)
			}
		}
		if best > 0 {
			b.WriteString("[REDACTED]")
			i += best
		} else {
			b.WriteByte(text[i])
			i++
		}
	}
	return b.String()
}

// FuzzForms compares the registry's writer and Redact with a slow
// reference: every form of every value (made by the standard library's
// encoders), found by plain search, leftmost and longest first. The text
// carries values in random forms, next to, inside and across each other,
// and is written in pieces of random length; the matcher indexes a prefix
// of 1 to 4 bytes or the default, so that values are also verified past
// their indexed prefix.
//
// values is a list of values separated by its first byte. In text, bytes
// 0xF0 to 0xFF stand for a value (the (b-0xF0)%n-th) in one of its forms,
// chosen by seed.
func FuzzForms(f *testing.F) {
	f.Add([]byte(",Tr0ub4dor&3<x>,caf\xc3\xa9-secret-Zk"), []byte(`{"password":"\xf0","v":"\xf1"}`), uint64(1), uint8(0xFF))
	f.Add([]byte(",abc,abcdef,cdef,bcd"), []byte("x\xf0\xf1\xf2y\xf3\xf3"), uint64(2), uint8(3))
	f.Add([]byte("/aaaa/aaa/aaaaaaa"), []byte("aaaaaaaaaaaa\xf0\xf1\xf2"), uint64(3), uint8(0x0F))
	f.Add([]byte("\x00q\"uote\\\x00nl\ncr\r\x00\x01\x7f\xff\x00e\xf0\x9f\x98\x80\xe2\x80\xa8"), []byte("\xf0 \xf1 \xf2 \xf3"), uint64(4), uint8(0x03))
	f.Add([]byte(",user:pass,pass,word"), []byte("Basic \xf0 \xf1\xf2"), uint64(5), uint8(0x0C))
	f.Fuzz(func(t *testing.T, valuesArg, textArg []byte, seed uint64, formBits uint8) {
		if len(valuesArg) == 0 || len(valuesArg) > 256 || len(textArg) > 1024 {
			return
		}
		forms := Form(formBits) & AllForms
		var values []string
		for _, v := range bytes.Split(valuesArg[1:], valuesArg[:1]) {
			if len(v) > 0 {
				values = append(values, string(v))
			}
		}
		if len(values) == 0 {
			return
		}
		rng := rand.New(rand.NewPCG(seed, seed>>32))
		var patterns []string
		formsOfValue := make([][]string, len(values))
		for i, v := range values {
			formsOfValue[i] = referenceForms(v, forms)
			patterns = append(patterns, v)
			for _, g := range formsOfValue[i][1:] {
				if len(g) >= DefaultMinLen {
					patterns = append(patterns, g)
				}
			}
		}
		var text []byte
		for _, b := range textArg {
			if b >= 0xF0 {
				fs := formsOfValue[int(b-0xF0)%len(values)]
				text = append(text, fs[rng.IntN(len(fs))]...)
			} else {
				text = append(text, b)
			}
		}
		if len(text) > 8<<10 {
			text = text[:8<<10] // keep the reference fast
		}
		want := redactReference(string(text), patterns)

		r := NewRegistry(WithMinLen(1), WithForms(forms), WithIndexPrefix(int(seed>>8)%5))
		r.AddAll(values...)
		if got := r.Redact(string(text)); got != want {
			t.Fatalf("Redact: values %q, forms %v, text %q:\n got %q\nwant %q", values, forms, text, got, want)
		}
		var out bytes.Buffer
		w := NewWriter(&out, r)
		for rest := text; len(rest) > 0; {
			n := min(len(rest), 1+rng.IntN(1+rng.IntN(48)))
			if _, err := w.Write(rest[:n]); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Fatalf("Writer: values %q, forms %v, text %q:\n got %q\nwant %q", values, forms, text, out.String(), want)
		}
	})
}
