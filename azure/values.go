package azure

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// MaxValueSize is the largest value Key Vault stores, in characters
// (Unicode code points) of the stored string: 25,600, so that a text value
// of non-ASCII characters may have up to four times as many bytes. A value
// kept in base64 (see [BinaryContentType]) may have at most 19,200 bytes
// before encoding.
const MaxValueSize = 25600

// valueChars returns the length of a stored value as Key Vault counts it:
// in characters, not bytes.
func valueChars(stored string) int { return utf8.RuneCountInString(stored) }

// BinaryContentType is the content type of a secret whose value the driver
// keeps in standard base64 (with padding) because it is not text Key Vault
// can hold: not valid UTF-8, or holding a NUL byte. Get decodes it back, so
// every value round-trips exactly; other readers of the vault can tell such a
// secret by this content type.
const BinaryContentType = "application/vnd.secretstore.base64"

// encodeValue returns the string Key Vault stores for value and whether it is
// in base64.
func encodeValue(value string) (stored string, binary bool) {
	if utf8.ValidString(value) && !strings.Contains(value, "\x00") {
		return value, false
	}
	return base64.StdEncoding.EncodeToString([]byte(value)), true
}

// decodeValue returns the value a stored string stands for, given the
// secret's content type.
func decodeValue(stored string, contentType *string) (string, bool) {
	if contentType == nil || *contentType != BinaryContentType {
		return stored, true
	}
	b, err := base64.StdEncoding.Strict().DecodeString(stored)
	if err != nil {
		return "", false
	}
	return string(b), true
}
