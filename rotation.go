package secretstore

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/secretstore-go/secretstore/driver"
)

// Versions is the current and the previous value of a secret, as kept by
// backends with versions. During a rotation window both are valid: a verifier
// accepts tokens signed with either key, a server accepts either API key.
type Versions struct {
	Current, Previous       Secret
	HasCurrent, HasPrevious bool
}

// Accepts reports whether candidate equals the current or the previous value.
// Both comparisons always run, each in constant time.
func (v Versions) Accepts(candidate string) bool {
	cur := v.HasCurrent && v.Current.Equal(candidate)
	prev := v.HasPrevious && v.Previous.Equal(candidate)
	return cur || prev
}

// Versions returns the current and the previous value of name. It reads the
// backend, not the cache, and requires the get permission and a driver that
// implements [driver.Versioner]; otherwise it returns an error matching
// [ErrNotSupported].
func (s *Store) Versions(ctx context.Context, name string) (Versions, error) {
	names := []string{name}
	if err := s.admit(ctx, opVersions, PermGet, names); err != nil {
		return Versions{}, err
	}
	ctx, sp := s.sh.tel.start(ctx, s.prefix, opVersions, names)
	var v Versions
	vr, ok := s.sh.drv.(driver.Versioner)
	err := ctx.Err()
	switch {
	case err != nil:
	case !ok:
		err = driver.Errorf(driver.NotSupported, "the driver keeps no previous versions")
	default:
		var cur, prev *string
		cur, prev, err = vr.GetVersions(ctx, s.key(name))
		s.observe(cur)
		s.observe(prev)
		v = Versions{Current: Secret{p: cur}, Previous: Secret{p: prev}, HasCurrent: cur != nil, HasPrevious: prev != nil}
	}
	err = s.wrap(opVersions.String(), names, err)
	s.sh.tel.finish(ctx, sp, opVersions, names, false, err)
	if err != nil {
		return Versions{}, err
	}
	return v, nil
}

// Generator makes a new secret value from a source of randomness (Rotate
// passes crypto/rand.Reader).
type Generator func(random io.Reader) (string, error)

// Rotate replaces the value of name with one that gen makes, and returns it.
// It needs the set permission, like any write; it never shows the old value
// to gen or to the caller.
//
// When the driver implements [driver.Swapper], the write is conditional on
// the value read just before it, so two services rotating the same secret at
// once cannot both win: the loser gets an error matching [ErrConflict] and
// the winner's value stands (read it, rather than rotate again). Otherwise
// Rotate reads nothing and writes unconditionally. With a cache, the new value
// is written through.
func (s *Store) Rotate(ctx context.Context, name string, gen Generator) (Secret, error) {
	names := []string{name}
	if err := s.admit(ctx, opRotate, PermSet, names); err != nil {
		return Secret{}, err
	}
	ctx, sp := s.sh.tel.start(ctx, s.prefix, opRotate, names)
	val, err := s.rotate(ctx, s.key(name), gen)
	err = s.wrap(opRotate.String(), names, err)
	s.sh.tel.finish(ctx, sp, opRotate, names, false, err)
	if err != nil {
		return Secret{}, err
	}
	return Secret{p: val}, nil
}

func (s *Store) rotate(ctx context.Context, key string, gen Generator) (*string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The new value is made before anything reaches the backend, so that a
	// generator that refuses (a size of 0, a bad alphabet) costs no read.
	v, err := generate(gen)
	if err != nil {
		return nil, err
	}
	s.observe(&v)
	sw, conditional := s.sh.drv.(driver.Swapper)
	var old *string
	if conditional {
		m, err := s.fetch(ctx, opRotate, []string{key})
		if err != nil {
			return nil, err
		}
		if v, ok := m[key]; ok {
			old = &v
		}
	}
	done := s.cacheWrite(key)
	if conditional {
		err = sw.CompareAndSwap(ctx, key, old, v)
	} else {
		err = s.sh.drv.Set(ctx, key, v)
	}
	done(&v, err != nil)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// generate calls gen with crypto/rand.Reader. Its error is replaced, since it
// may quote what it made, unless it is one of the package's own generators'
// refusals, which say what was wrong with their parameters.
func generate(gen Generator) (string, error) {
	if gen == nil {
		return "", errors.New("no generator")
	}
	v, err := gen(rand.Reader)
	if err != nil {
		var bad *generatorError
		if errors.As(err, &bad) {
			return "", bad
		}
		return "", errors.New("the generator failed")
	}
	return v, nil
}

// generatorError is a refusal of a generator made by [RandomValue] or
// [RandomBytes]: it describes their parameters, never a value.
type generatorError struct{ msg string }

func (e *generatorError) Error() string { return "secretstore: " + e.msg }

// Alphabets for [RandomValue].
const (
	Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	// URLSafe adds - and _ to Alphanumeric.
	URLSafe = Alphanumeric + "-_"
	// Printable is every printable ASCII character but the space.
	Printable = URLSafe + "!\"#$%&'()*+,./:;<=>?@[\\]^`{|}~"
)

// RandomValue returns a [Generator] of n characters drawn uniformly and
// independently from alphabet, for rotating passwords and keys. The alphabet
// is a string of at least two distinct characters (runes, so "äöü" has three
// and each is drawn whole, making valid UTF-8); a repeated character, which
// would be drawn more often than the others, and invalid UTF-8 are refused.
// The generator refuses n <= 0 and such an alphabet with an error, before
// [Store.Rotate] reads or writes anything. Each character costs one or a few
// reads of the random source (rejection sampling: no modulo bias).
func RandomValue(n int, alphabet string) Generator {
	return func(random io.Reader) (string, error) {
		chars, err := checkAlphabet(n, alphabet)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		b.Grow(n * utf8.UTFMax)
		max := big.NewInt(int64(len(chars)))
		for range n {
			k, err := rand.Int(random, max) // rejection sampling: no modulo bias
			if err != nil {
				return "", err
			}
			b.WriteRune(chars[k.Int64()])
		}
		return b.String(), nil
	}
}

// checkAlphabet validates RandomValue's parameters and returns the alphabet's
// characters.
func checkAlphabet(n int, alphabet string) ([]rune, error) {
	if n <= 0 {
		return nil, &generatorError{"RandomValue needs a positive length, not " + strconv.Itoa(n)}
	}
	if !utf8.ValidString(alphabet) {
		return nil, &generatorError{"RandomValue's alphabet is not valid UTF-8"}
	}
	chars := []rune(alphabet)
	if len(chars) < 2 {
		return nil, &generatorError{"RandomValue needs an alphabet of two or more characters"}
	}
	seen := make(map[rune]struct{}, len(chars))
	for _, r := range chars {
		if _, dup := seen[r]; dup {
			return nil, &generatorError{"RandomValue's alphabet repeats the character " + strconv.QuoteRune(r) + ", which would be drawn more often than the others"}
		}
		seen[r] = struct{}{}
	}
	return chars, nil
}

// RandomBytes returns a [Generator] of n random bytes (binary; for HMAC keys
// and the like). The generator refuses n <= 0 with an error, before
// [Store.Rotate] reads or writes anything.
func RandomBytes(n int) Generator {
	return func(random io.Reader) (string, error) {
		if n <= 0 {
			return "", &generatorError{"RandomBytes needs a positive size, not " + strconv.Itoa(n)}
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(random, b); err != nil {
			return "", err
		}
		return string(b), nil
	}
}
