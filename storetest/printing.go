package storetest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore"
)

// The Printing case is added to both case lists here rather than in their
// literals, so that it stays in this file.
func init() {
	cases = append(cases, testCase{"Printing", func(t *testing.T, e *env) {
		name := e.n("printing")
		e.set(t, name, e.canary)
		e.want(t, name, e.canary) // a driver that keeps what it read keeps it now
		e.checkPrinting(t, e.canary)
		if err := e.store.Remove(e.ctx, name); err != nil {
			t.Errorf("Remove(%q): %v", name, err)
		}
	}})
	readOnlyCases = append(readOnlyCases, testCase{"Printing", func(t *testing.T, e *env) {
		fx := Fixture()
		var names, values []string
		for n, v := range fx {
			names = append(names, n)
			values = append(values, v)
		}
		if _, err := e.store.Get(e.ctx, names...); err != nil {
			t.Fatalf("Get fixture: %v", err)
		}
		e.checkPrinting(t, values...)
	}})
}

// checkPrinting prints the opened driver, the Store over it and the errors
// both return, in every way CheckPrinting knows, and fails if any of them
// reveals values, the canary or a credential the driver was opened with.
func (e *env) checkPrinting(t *testing.T, values ...string) {
	t.Helper()
	needles := append(append([]string{e.canary}, values...), e.h.Credentials...)
	CheckPrinting(t, "the driver", e.drv, needles...)
	CheckPrinting(t, "the Store", e.store, needles...)

	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	errs := map[string]error{}
	_, errs["the driver's Get with a canceled context"] = e.drv.Get(ctx, []string{e.n("printing")})
	errs["the driver's Set with a canceled context"] = e.drv.Set(ctx, e.n("printing"), e.canary)
	errs["a refused Set"] = e.store.Narrow(secretstore.PermGet).Set(e.ctx, e.n("printing"), e.canary)
	errs["Set of an invalid name"] = e.store.Set(e.ctx, "bad name", e.canary)
	_, errs["Require of a missing name"] = e.store.Require(e.ctx, e.n("printing-missing"))
	for what, err := range errs {
		if err == nil {
			continue
		}
		CheckPrinting(t, what, err, needles...)
	}
}

// PrintVerbs are the fmt verbs [Printed] prints a value with: every verb fmt
// hands to a Formatter ("%T" and "%p" never reach one, and reveal no value).
var PrintVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%c", "%U", "%o", "%b"}

// Printed returns everything printing v by accident could show: v under
// every verb of [PrintVerbs], v logged as an attribute through slog's text
// and JSON handlers, v's encoding/json form (or its error), and, for an
// error, the Error text and %+v of it and of every error it wraps.
func Printed(v any) string {
	var out bytes.Buffer
	for _, verb := range PrintVerbs {
		fmt.Fprintf(&out, verb+"\n", v)
	}
	slog.New(slog.NewTextHandler(&out, nil)).Info("printing", "v", v, slog.Group("g", "v", v))
	slog.New(slog.NewJSONHandler(&out, nil)).Info("printing", "v", v, slog.Group("g", "v", v))
	if j, err := json.Marshal(v); err != nil {
		fmt.Fprintf(&out, "json error: %v\n", err)
	} else {
		out.Write(j)
		out.WriteByte('\n')
	}
	if err, ok := v.(error); ok {
		printErrors(&out, err, 0)
	}
	return out.String()
}

// printErrors writes the text and %+v of err and of what it wraps.
func printErrors(out *bytes.Buffer, err error, depth int) {
	if err == nil || depth > 32 {
		return
	}
	fmt.Fprintf(out, "%s\n%+v\n", err.Error(), err)
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		printErrors(out, u.Unwrap(), depth+1)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			printErrors(out, e, depth+1)
		}
	}
}

// Forms returns the ways secret shows in printed text: as it is,
// Go-quoted, in hex (lower and upper case), in base64 (standard and URL, with
// and without padding), and as fmt prints it as a byte slice under every verb
// of [PrintVerbs] (for %d the decimal list "13 207 ...", for %#v
// "0xd, 0xcf, ...") and as a string, and as encoding/json writes a byte
// array ("13,207,...").
func Forms(secret string) []string {
	if secret == "" {
		return nil
	}
	b := []byte(secret)
	forms := []string{
		secret,
		strings.Trim(strconv.Quote(secret), `"`),
		hex.EncodeToString(b),
		strings.ToUpper(hex.EncodeToString(b)),
		base64.StdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b),
		base64.RawStdEncoding.EncodeToString(b),
		base64.RawURLEncoding.EncodeToString(b),
	}
	for _, verb := range PrintVerbs {
		for _, v := range []any{b, secret} {
			// Strip what fmt puts around a slice or a string.
			f := fmt.Sprintf(verb, v)
			f = strings.TrimPrefix(f, "[]byte{")
			f = strings.TrimSuffix(strings.TrimPrefix(f, "["), "]")
			f = strings.TrimSuffix(f, "}")
			f = strings.Trim(f, `"`)
			if f != "" {
				forms = append(forms, f)
			}
		}
	}
	// encoding/json writes a byte array (not a slice) as numbers: "[13,207]".
	nums := make([]string, len(b))
	for i, c := range b {
		nums[i] = strconv.Itoa(int(c))
	}
	forms = append(forms, strings.Join(nums, ","))
	out := forms[:0]
	for _, f := range forms {
		if !contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// keyLike matches what key material of 16 bytes or more looks like when a
// byte slice or array is printed by reflection: a list of 16 or more numbers
// (%v, %d, %o, %b, %#v, a JSON array), of code points (%U), or a run of 32 or more hex
// digits (%x, %X; a run of only 0 and 1 is a number printed with %b, such as
// an address, and is let through).
var keyLike = regexp.MustCompile(`\d+(?:(?:, ?| )\d+){15,}|(?:0x[0-9a-f]+, ){15,}|(?:U\+[0-9A-F]{4,} ){15,}|[0-9a-fA-F]{32,}`)

// findKeyLike returns the first text keyLike matches, but for runs of binary
// digits and hex runs that spell text (an error message under %x).
func findKeyLike(text string) string {
	for _, m := range keyLike.FindAllString(text, -1) {
		if strings.Trim(m, "01") != "" && !hexOfText(m) {
			return m
		}
	}
	return ""
}

// hexOfText reports whether run is hex digits that decode to printable
// ASCII.
func hexOfText(run string) bool {
	b, err := hex.DecodeString(run[:len(run)&^1])
	if err != nil {
		return false
	}
	for _, c := range b {
		if c < ' ' || c > '~' {
			return false
		}
	}
	return true
}

// Reveals reports which of secrets text shows in any of their [Forms], and
// whether text shows something that looks like key material printed by
// reflection (a list of 16 or more numbers, a run of 32 or more hex digits),
// which a value holding a key it was not given (a data key it unwrapped)
// would print.
func Reveals(text string, secrets ...string) (found []string, keyLikeText string) {
	for _, s := range secrets {
		for _, f := range Forms(s) {
			if strings.Contains(text, f) {
				found = append(found, fmt.Sprintf("%q as %q", abbrev(s), abbrev(f)))
				break
			}
		}
	}
	return found, findKeyLike(text)
}

// CheckPrinting fails t if printing v in any way [Printed] knows reveals any
// of secrets, in any of their [Forms], or shows something that looks like
// key material (see [Reveals]). Use it for every value that holds key
// material or credentials: a driver, its options, a key source, an error.
// what names v in the failure.
func CheckPrinting(t testing.TB, what string, v any, secrets ...string) {
	t.Helper()
	text := Printed(v)
	found, key := Reveals(text, secrets...)
	for _, f := range found {
		t.Errorf("printing %s (%T) reveals the secret %s", what, v, f)
	}
	if key != "" {
		t.Errorf("printing %s (%T) shows what looks like key material: %q", what, v, abbrev(key))
	}
}

// abbrev shortens s for a failure message, so that it names a leak without
// repeating it: its first bytes and its length.
func abbrev(s string) string {
	if len(s) > 6 {
		return s[:6] + "… (" + strconv.Itoa(len(s)) + " bytes)"
	}
	return s
}
