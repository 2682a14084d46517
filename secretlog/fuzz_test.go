package secretlog_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/secretlog"
)

// FuzzHandler logs records made of random text with known values inserted,
// through handlers made before and after the values were added, and checks
// that no string of the JSON output (message, keys, values at any depth)
// contains a known value of at least the minimum length.
//
// values is a list of values separated by its first byte. In the texts,
// bytes 0xF0 to 0xFF stand for values (the (b-0xF0)%n-th), so that the
// fuzzer can place values side by side, overlapping and split.
func FuzzHandler(f *testing.F) {
	f.Add([]byte(",hunter22,sk_live_42,abc"), "login \xf0 ok", "a\xf1b", "\xf0\xf1", "err \xf2\xf0", int64(1234))
	f.Add([]byte(`/q"uote\/back\\slash/nl`+"\n"+`x`), "\xf0", "\xf1 \xf2", "k\xf0", "\xf1", int64(-1))
	f.Add([]byte(",12345,abcd,abcdef,cdef"), "abcdefg", "\xf0\xf1", "\xf2\xf3", "x", int64(9912345))
	f.Add([]byte("\x00bad\xffutf8\x00\xc3\xa9t\xc3\xa9s\x00ctl\x01\x1f"), "\xf0 \xf1", "\xf2", "caf\xc3\xa9t\xc3\xa9s", "\xf1\xf0", int64(0))
	f.Add([]byte(",RED,]xyz,EDAC"), "\xf0 ]xyz \xf1", "\xf2", "RED", "]", int64(7))
	f.Fuzz(func(t *testing.T, valuesArg []byte, msg, s1, s2, s3 string, n int64) {
		if len(valuesArg) == 0 || len(valuesArg) > 256 || len(msg)+len(s1)+len(s2)+len(s3) > 2048 {
			return
		}
		var values []string
		for _, v := range bytes.Split(valuesArg[1:], valuesArg[:1]) {
			if len(v) > 0 {
				values = append(values, string(v))
			}
		}
		if len(values) == 0 {
			return
		}
		expand := func(s string) string {
			var b strings.Builder
			for i := 0; i < len(s); i++ {
				if s[i] >= 0xF0 {
					b.WriteString(values[int(s[i]-0xF0)%len(values)])
				} else {
					b.WriteByte(s[i])
				}
			}
			return b.String()
		}
		msg, s1, s2, s3 = expand(msg), expand(s1), expand(s2), expand(s3)

		reg := secretlog.NewRegistry()
		var out bytes.Buffer
		logger := slog.New(secretlog.NewHandler(slog.NewJSONHandler(&out, &slog.HandlerOptions{
			// Only what the record holds: no time, no level.
			ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
				if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey) {
					return slog.Attr{}
				}
				return a
			},
		}), reg))
		early := logger.With("early", s1, s2, s3).WithGroup(s2) // before the values are known
		reg.AddAll(values...)
		for _, l := range []*slog.Logger{logger, early, logger.With("w", s2).WithGroup(s3)} {
			l.Info(msg, "s1", s1,
				slog.Group("g", "s2", s2, "err", errors.New(s3), "n", n, "f", float64(n)/8),
				"list", []string{s1, s3},
				"st", wrapper{&creds{s2, s3}},
				"m", map[string]string{s1: s3},
				"v", valuer{slog.GroupValue(slog.String("s", s3), slog.Any("e", errors.New(s1)))},
				s2, "keyed",
				"secret", secretstore.NewSecret(s1))
		}

		// Every string in the output, as a reader decoding it sees it.
		var texts []string
		dec := json.NewDecoder(&out)
		dec.UseNumber()
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out.String())
			}
			switch tok := tok.(type) {
			case string:
				texts = append(texts, tok)
			case json.Number:
				texts = append(texts, tok.String())
			}
		}
		for _, v := range values {
			if len(v) < secretlog.DefaultMinLen || !utf8.ValidString(v) || strings.ContainsRune(v, utf8.RuneError) ||
				strings.ContainsAny(v, "[]") || strings.Contains(secretstore.Redacted, v) {
				// Too short to be masked; never seen as such in decoded
				// JSON (which is valid UTF-8, where invalid bytes become
				// U+FFFD); or spelled by the mask itself (see
				// internal/redact).
				continue
			}
			for _, s := range texts {
				if strings.Contains(s, v) {
					t.Fatalf("value %q is in the output string %q\nvalues %q\n%s", v, s, values, out.String())
				}
			}
		}
	})
}
