// Package secretlog masks known secret values in logs: plaintext that code
// revealed from a secretstore.Secret and then logged, printed or put in an
// error, which the Secret type cannot stop.
//
//	reg := secretlog.NewRegistry()
//	store := secretstore.New(drv, secretstore.WithKnownValues(reg))
//	logger := slog.New(secretlog.NewHandler(slog.NewJSONHandler(os.Stdout, nil), reg))
//	log.SetOutput(secretlog.NewWriter(os.Stderr, reg))
//
// A [Registry] holds the values to mask. Given to a store with
// secretstore.WithKnownValues, it learns every value the store reads,
// writes, rotates to or reads as a previous version, before the store
// returns it; values from elsewhere (an environment variable, a flag) are
// added by hand with [Registry.Add]. [NewHandler] wraps an slog.Handler and
// [NewWriter] an io.Writer; both replace every occurrence of a value by
// "[REDACTED]" (secretstore.Redacted). All values are looked for together,
// at a cost that hardly depends on their number (an index of the byte pairs
// that begin a value, and an Aho–Corasick automaton: the code the secretstore
// redact command uses). Where values overlap, the one that starts first is
// masked, and of those starting at the same byte, the longest. The handler
// masks text before the next handler encodes it, so the output's format and
// escaping do not matter.
//
// # What is caught
//
// The handler checks the record's message and every attribute, at any depth
// of groups, including those given to WithAttrs and group names: keys, which
// are usually constants but are sometimes made from data, as well as values.
// Values are checked in the text a handler prints for them: strings; numbers
// (an int, uint or float value is replaced by the masked string of its
// digits); an error's Error() text (and its %+v form if it implements
// fmt.Formatter); the contents of any string or byte-slice kind, named types
// included (found by reflection, as the text handler finds byte slices); the
// text of an encoding.TextMarshaler; a LogValuer's resolved value (which is
// then passed on resolved, so the next handler prints what was checked); and
// any other value both formatted with fmt's %+v, as the text handler prints
// it (calling String or Error), and encoded as JSON, as the JSON handler
// does (which follows pointers that %+v does not). An attribute that
// contains a value is replaced by the masked text of the form that
// contained it, as a string; one that does not is passed on unchanged. The
// record's time, level and source are not checked, nor are booleans,
// durations and times.
//
// The writer masks a byte stream, values split across Writes included.
//
// # Forms
//
// Each value is also looked for in the forms in which code writes it
// without meaning to, by escaping it ([DefaultForms]):
//
//   - JSON ([FormJSON]): as log/slog's JSON handler writes it; as
//     encoding/json does by default (\u0026 \u003c \u003e for & < >, \u2028
//     \u2029) and without HTML escaping; and as ASCII-only JSON (Python's
//     default, é as \u00e9, characters past the BMP as surrogate pairs),
//     with lower- or upper-case hex digits.
//   - Go quoting ([FormQuote]): %q and strconv.Quote (\" \\ \n, \x.. for
//     other control bytes and invalid UTF-8, \u.... \U........ for
//     unprintable characters), and %+q and strconv.QuoteToASCII.
//
// Two more are opt-in, with [WithForms] (the secretstore redact command's
// --forms flag): base64 ([FormBase64]: standard and URL alphabets, padded or
// not, alone or at any offset inside a longer encoded text) and hex
// ([FormHex]: lower and upper case). They are deliberate encodings rather
// than escapes, each adds several patterns per value (eight for base64), and
// a large value's base64 and hex forms cost more memory than the value. A
// form costs nothing for a value it does not change: a value of letters and
// digits has no escaped form.
//
// # What cannot be caught
//
// Only the bytes of known values are found. Not caught:
//
//   - A value transformed before it was logged other than in the forms
//     above: URL-escaped, changed in case, escaped twice (a %q form inside
//     a JSON string), truncated, or split between two attributes or two
//     records; hex or base64 unless asked for. A registry made with
//     [WithEncodings] adds forms of your own, as an [Encoding]; any other
//     form can be added by hand, as can a composite such as
//     "user:password".
//   - A value the registry does not know yet: one the store has not read, or
//     one from elsewhere that was not added.
//   - A value shorter than the minimum length (see below), and the empty
//     value.
//   - Text that reaches the output by another way than the handler or the
//     writer: a handler's own errors, a panic's stack trace, fmt.Println to
//     standard output.
//   - Where a writer has written out some bytes of a value before the value
//     was added, the rest.
//   - A value of kind Any whose text a handler makes otherwise than with
//     fmt's %+v or encoding/json.
//
// The mask itself can spell part of a value where it meets the text around
// it: a value that is part of "[REDACTED]", or that begins with its last
// bytes or ends with its first ones, such as "]abc" next to a copied "abc".
// Such a value was not in the text there.
//
// # Minimum length
//
// A value shorter than [DefaultMinLen] (4) bytes is not masked, unless the
// registry is made with [WithMinLen]. A value of one to three bytes would
// mask every occurrence of those bytes — a one-byte value every such
// character in every line — and such a value protects little anyway: there
// are at most 2^24 of them, few enough to try them all. From four bytes on,
// accidental matches in ordinary text become rare and each one costs only a
// masked word, while a value that is not masked is a leak.
//
// # Cost
//
// A record that contains no value goes to the next handler as it is, after
// one scan of each string; nothing is allocated but to resolve LogValuers
// and to format values of kind Any (other than errors and byte slices) to
// check them. The matcher indexes a bounded prefix of each value, so that
// its size grows with the number of values, not their length: a 10 MB
// certificate costs about as much to look for as a password (but its escaped
// forms are made once, and kept). Adding a value the registry knows already
// is a map lookup without a lock. Values added since the last use rebuild
// the matcher once, on its next use: many Adds in a row cost one rebuild.
// See BENCHMARKS.md for figures.
package secretlog
