package infisical

import (
	"encoding/base64"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ValuePrefix marks a value the driver stored in base64 because Infisical
// would not keep it exactly as a plain string (see "Values" in the package
// documentation). A stored value that starts with ValuePrefix and continues
// with canonical standard base64 reads as the bytes it encodes.
const ValuePrefix = "secretstore-base64:"

// hiddenMask is what Infisical puts in place of a value the caller may see
// listed but not read.
const hiddenMask = "<hidden-by-infisical>"

var b64 = base64.StdEncoding.Strict()

// encodeValue returns what the driver stores for value: value itself when
// Infisical keeps it exactly, otherwise ValuePrefix and value in base64.
func encodeValue(value string) string {
	if plain(value) {
		return value
	}
	return ValuePrefix + b64.EncodeToString([]byte(value))
}

// decodeValue returns the value stored as s.
func decodeValue(s string) string {
	rest, ok := strings.CutPrefix(s, ValuePrefix)
	if !ok {
		return s
	}
	b, err := b64.DecodeString(rest)
	if err != nil {
		return s // not one of ours: a value written by other means
	}
	return string(b)
}

// plain reports whether Infisical stores and returns value unchanged, and
// whether reading it back is unambiguous:
//
//   - it is valid UTF-8 (the API carries JSON strings; invalid bytes would
//     become U+FFFD);
//   - it is not empty (the SDK's update omits an empty value, so it could not
//     be written);
//   - it survives the API's trimming: Infisical trims white space from both
//     ends of every value it is sent, keeping one final "\n" if the value
//     ended with one;
//   - it holds no NUL and no "${" (Infisical parses "${...}" as a secret
//     reference when a value is written, and may refuse it);
//   - it does not start with ValuePrefix, and is not Infisical's mask for a
//     hidden value.
func plain(value string) bool {
	return value != "" && utf8.ValidString(value) && survivesTrim(value) &&
		!strings.HasPrefix(value, ValuePrefix) && value != hiddenMask &&
		strings.IndexByte(value, 0) < 0 && !strings.Contains(value, "${")
}

// survivesTrim reports whether Infisical's transform of a written value,
// (val.at(-1) === "\n" ? val.trim() + "\n" : val.trim()), leaves it as it is.
func survivesTrim(value string) bool {
	body := strings.TrimSuffix(value, "\n")
	if body == "" {
		return false
	}
	first, _ := utf8.DecodeRuneInString(body)
	last, _ := utf8.DecodeLastRuneInString(body)
	return !trimmable(first) && !trimmable(last)
}

// trimmable reports the runes JavaScript's String.prototype.trim removes
// (white space and line terminators), and a few more that some Unicode
// versions or Go count as space: the check errs on the side of encoding.
func trimmable(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', 0x85, 0x180E, 0x2028, 0x2029, 0xFEFF:
		return true
	}
	return unicode.Is(unicode.Zs, r) || unicode.IsSpace(r)
}
