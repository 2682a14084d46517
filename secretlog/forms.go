package secretlog

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Form is a set of encodings in which a [Registry] looks for each value, as
// well as for its bytes. Combine them with |; see [WithForms].
type Form uint

const (
	// FormJSON is a value inside a JSON string, as the encoders logs use
	// write it: log/slog's JSON handler; encoding/json by default (& < >
	// as \u0026 \u003c \u003e, U+2028 and U+2029 as \u2028 \u2029, \b and
	// \f in short) and without HTML escaping; and ASCII-only JSON, as
	// Python's json.dumps writes it by default (é as \u00e9, a character
	// outside the BMP as a surrogate pair), with lower- or upper-case hex
	// digits. Masked by default.
	FormJSON Form = 1 << iota
	// FormQuote is a value as Go's %q and strconv.Quote write it between
	// the quotes (\" \\ \n, \x.. for other control bytes and invalid
	// UTF-8, \u.... and \U........ for unprintable characters), and as %+q
	// and strconv.QuoteToASCII write it (every non-ASCII character as
	// \u.... or \U........). Masked by default.
	FormQuote
	// FormBase64 is a value base64-encoded, in the standard and URL-safe
	// alphabets, padded or not: encoded on its own, and inside a longer
	// encoded text at any offset (where the characters that also carry
	// bits of the neighbouring bytes, one or two at each end, stay
	// visible). Opt-in.
	FormBase64
	// FormHex is a value hex-encoded, lower and upper case. Opt-in.
	FormHex

	// DefaultForms are the forms a registry masks unless [WithForms] says
	// otherwise: those that logging code produces from a value without
	// meaning to, by escaping it.
	DefaultForms = FormJSON | FormQuote
	// AllForms are all the forms above.
	AllForms = FormJSON | FormQuote | FormBase64 | FormHex
)

var formNames = []struct {
	f    Form
	name string
}{{FormJSON, "json"}, {FormQuote, "quote"}, {FormBase64, "base64"}, {FormHex, "hex"}}

// String returns the forms' names separated by commas, as [ParseForms]
// reads them, or "none".
func (f Form) String() string {
	var names []string
	for _, n := range formNames {
		if f&n.f != 0 {
			names = append(names, n.name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ",")
}

// ParseForms reads a comma-separated list of forms: json, quote, base64,
// hex, or default, all or none (alone).
func ParseForms(s string) (Form, error) {
	var f Form
	for _, name := range strings.Split(s, ",") {
		switch name = strings.TrimSpace(strings.ToLower(name)); name {
		case "default":
			f |= DefaultForms
			continue
		case "all":
			f |= AllForms
			continue
		case "none", "":
			continue
		}
		found := false
		for _, n := range formNames {
			if n.name == name {
				f, found = f|n.f, true
			}
		}
		if !found {
			return 0, errors.New("secretlog: unknown form " + strconv.Quote(name) + " (want json, quote, base64, hex, default, all or none)")
		}
	}
	return f, nil
}

// formsOf returns the forms of v under f, other than v itself, each once,
// and none shorter than minLen. A value with no character that a form
// escapes costs one pass over its bytes and no allocation.
func formsOf(v string, f Form, minLen int) []string {
	var forms []string
	add := func(s string) {
		if len(s) < minLen || s == v {
			return
		}
		for _, g := range forms {
			if g == s {
				return
			}
		}
		forms = append(forms, s)
	}
	c := classify(v)
	if f&FormJSON != 0 {
		// The styles of the encoders logs use, each computed only when v
		// has a character it writes otherwise than those before.
		for _, e := range []struct {
			st   jsonStyle
			when bool
		}{
			{jsonStyle{}, c.jsonEscapes},                                             // log/slog
			{jsonStyle{shortBF: true}, c.bf},                                         // encoding/json, no HTML escaping
			{jsonStyle{shortBF: true, html: true}, c.bf || c.html},                   // encoding/json
			{jsonStyle{shortBF: true, ascii: true}, c.nonASCII},                      // Python
			{jsonStyle{shortBF: true, ascii: true, upper: true}, c.nonASCII},         // Jackson, non-ASCII escaped
			{jsonStyle{shortBF: true, upper: true}, c.ctl || c.invalid || c.lineSep}, // Jackson
			{jsonStyle{shortBF: true, html: true, upper: true}, c.html},              // \u003C, as .NET writes it
		} {
			if e.when {
				add(jsonEscape(v, e.st))
			}
		}
	}
	if f&FormQuote != 0 {
		if c.quoteOnlyAsJSON && f&FormJSON != 0 {
			// strconv.Quote writes what log/slog's JSON does.
		} else if c.quoteEscapes {
			add(unquoted(strconv.Quote(v)))
		}
		if c.nonASCII {
			add(unquoted(strconv.QuoteToASCII(v)))
		}
	}
	if f&FormBase64 != 0 {
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			add(enc.EncodeToString([]byte(v)))
			for _, core := range base64Cores(enc, v) {
				add(core)
			}
		}
	}
	if f&FormHex != 0 {
		h := hex.EncodeToString([]byte(v))
		add(h)
		add(strings.ToUpper(h))
	}
	return forms
}

// unquoted strips the quotes strconv.Quote adds.
func unquoted(q string) string { return q[1 : len(q)-1] }

// base64Cores returns the characters of v's encoding that are the same
// wherever v is in a longer encoded text: for each of the three offsets of
// v in a group of three bytes, the characters that carry only v's bits.
func base64Cores(enc *base64.Encoding, v string) []string {
	var cores []string
	for a, skip := range []int{0, 2, 3} {
		b := make([]byte, a+len(v))
		copy(b[a:], v)
		s := enc.EncodeToString(b)
		if end := 8 * len(b) / 6; end > skip {
			cores = append(cores, s[skip:end])
		}
	}
	return cores
}

// class says which characters of a value some form escapes.
type class struct {
	jsonEscapes     bool // " \ control, invalid UTF-8, U+2028, U+2029
	bf              bool // \b or \f
	ctl             bool // another control character than \n \r \t
	html            bool // & < >
	lineSep         bool // U+2028 or U+2029
	nonASCII        bool // a valid non-ASCII character
	invalid         bool // invalid UTF-8
	quoteEscapes    bool // something strconv.Quote escapes
	quoteOnlyAsJSON bool // strconv.Quote escapes only " \ \n \r \t
}

func classify(v string) class {
	var c class
	quoteOther := false
	for i := 0; i < len(v); {
		b := v[i]
		if b < utf8.RuneSelf {
			switch {
			case b == '"' || b == '\\' || b == '\n' || b == '\r' || b == '\t':
				c.jsonEscapes, c.quoteEscapes = true, true
			case b == '\b' || b == '\f':
				c.jsonEscapes, c.quoteEscapes, c.bf, c.ctl, quoteOther = true, true, true, true, true
			case b < 0x20:
				c.jsonEscapes, c.quoteEscapes, c.ctl, quoteOther = true, true, true, true
			case b == 0x7f:
				c.quoteEscapes, quoteOther = true, true
			case b == '&' || b == '<' || b == '>':
				c.html = true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(v[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			c.invalid, c.jsonEscapes, c.quoteEscapes, quoteOther = true, true, true, true
		case r == '\u2028' || r == '\u2029':
			c.lineSep, c.nonASCII, c.jsonEscapes, c.quoteEscapes, quoteOther = true, true, true, true, true
		default:
			c.nonASCII = true
			if !strconv.IsPrint(r) {
				c.quoteEscapes, quoteOther = true, true
			}
		}
		i += size
	}
	c.quoteOnlyAsJSON = c.quoteEscapes && !quoteOther
	return c
}

// jsonStyle is how an encoder writes a JSON string.
type jsonStyle struct {
	shortBF bool // \b and \f, not \u0008 and \u000c (encoding/json, not log/slog)
	html    bool // & < > as \u0026 \u003c \u003e
	ascii   bool // every non-ASCII character as \u.... (surrogate pairs past the BMP)
	upper   bool // upper-case hex digits
}

// jsonEscape returns s as content of a JSON string written in style st.
// Invalid UTF-8 becomes \ufffd, and U+2028 and U+2029 are escaped, as
// log/slog and encoding/json write them.
func jsonEscape(s string, st jsonStyle) string {
	digits := "0123456789abcdef"
	if st.upper {
		digits = "0123456789ABCDEF"
	}
	// Two passes, the first to size the result exactly, so that a large
	// value costs its escaped form once and no more.
	var b strings.Builder
	var size int
	write := func(p ...byte) {
		if b.Cap() == 0 {
			size += len(p)
		} else {
			b.Write(p)
		}
	}
	u := func(r rune) {
		write('\\', 'u', digits[r>>12&0xF], digits[r>>8&0xF], digits[r>>4&0xF], digits[r&0xF])
	}
	for pass := 0; pass < 2; pass++ {
		if pass == 1 {
			b.Grow(size)
		}
		for i := 0; i < len(s); {
			c := s[i]
			if c < utf8.RuneSelf {
				switch {
				case c == '"' || c == '\\':
					write('\\', c)
				case c == '\n':
					write('\\', 'n')
				case c == '\r':
					write('\\', 'r')
				case c == '\t':
					write('\\', 't')
				case st.shortBF && c == '\b':
					write('\\', 'b')
				case st.shortBF && c == '\f':
					write('\\', 'f')
				case c < 0x20 || (st.html && (c == '&' || c == '<' || c == '>')):
					u(rune(c))
				default:
					j := i + 1
					for j < len(s) && s[j] >= 0x20 && s[j] < utf8.RuneSelf && s[j] != '"' && s[j] != '\\' &&
						!(st.html && (s[j] == '&' || s[j] == '<' || s[j] == '>')) {
						j++
					}
					if b.Cap() == 0 {
						size += j - i
					} else {
						b.WriteString(s[i:j])
					}
					i = j
					continue
				}
				i++
				continue
			}
			r, n := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && n == 1:
				u(unicode.ReplacementChar)
			case r == '\u2028' || r == '\u2029':
				u(r)
			case st.ascii && r > 0xFFFF:
				r1, r2 := utf16.EncodeRune(r)
				u(r1)
				u(r2)
			case st.ascii:
				u(r)
			default:
				if b.Cap() == 0 {
					size += n
				} else {
					b.WriteString(s[i : i+n])
				}
			}
			i += n
		}
	}
	return b.String()
}
