package secretlog

import (
	"unicode/utf8"
)

// jsonForms returns the forms v takes inside a JSON string where they differ
// from v: as log/slog's JSON handler writes a string, and as encoding/json
// writes one (inside values the JSON handler marshals), which differ only in
// writing \b and \f. A value with no character that JSON escapes has none.
func jsonForms(v string) []string {
	slogForm, changed := jsonEscape(v, false)
	if !changed {
		return nil
	}
	forms := []string{slogForm}
	if jsonForm, _ := jsonEscape(v, true); jsonForm != slogForm {
		forms = append(forms, jsonForm)
	}
	return forms
}

// jsonEscape escapes s as JSON string content without HTML escaping, writing
// \b and \f in short if short is set (encoding/json) and as \u0008 and \u000c
// otherwise (log/slog), and reports whether that changed s. Invalid UTF-8
// becomes \ufffd, as both write it.
func jsonEscape(s string, short bool) (string, bool) {
	const hex = "0123456789abcdef"
	var b []byte
	start := 0
	flush := func(i int, esc string) {
		if b == nil {
			b = make([]byte, 0, len(s)+8)
		}
		b = append(b, s[start:i]...)
		b = append(b, esc...)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			var esc string
			switch {
			case c == '"' || c == '\\':
				esc = `\` + string(c)
			case c == '\n':
				esc = `\n`
			case c == '\r':
				esc = `\r`
			case c == '\t':
				esc = `\t`
			case short && c == '\b':
				esc = `\b`
			case short && c == '\f':
				esc = `\f`
			case c < 0x20:
				esc = `\u00` + string(hex[c>>4]) + string(hex[c&0xF])
			default:
				i++
				continue
			}
			flush(i, esc)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		var esc string
		switch {
		case r == utf8.RuneError && size == 1:
			esc = `\ufffd`
		case r == '\u2028':
			esc = `\u2028`
		case r == '\u2029':
			esc = `\u2029`
		default:
			i += size
			continue
		}
		flush(i, esc)
		i += size
		start = i
	}
	if b == nil {
		return s, false
	}
	return string(append(b, s[start:]...)), true
}
