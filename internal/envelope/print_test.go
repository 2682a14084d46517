package envelope

import (
	"crypto/rand"
	"testing"

	"github.com/secretstore-go/secretstore/storetest"
)

// TestKeySourcesPrintNoKey prints every key source, alone and as a caller's
// field, and a record cipher in every way storetest knows.
func TestKeySourcesPrintNoKey(t *testing.T) {
	var raw [KeySize]byte
	rand.Read(raw[:])
	const pw = "correct horse battery staple, printed nowhere"
	for _, src := range []KeySource{Key(raw), Passphrase([]byte(pw)), KeyFile("/k"), PassphraseFile("/p")} {
		for what, v := range map[string]any{
			"the source":          src,
			"an exported field":   struct{ K KeySource }{src},
			"an unexported field": struct{ k KeySource }{src},
		} {
			storetest.CheckPrinting(t, src.String()+" as "+what, v, string(raw[:]), pw)
		}
	}
	r, err := NewRecords(raw[:], [IDSize]byte{1}, testErrs)
	if err != nil {
		t.Fatal(err)
	}
	storetest.CheckPrinting(t, "a record cipher", r, string(raw[:]))
	storetest.CheckPrinting(t, "a record cipher in an exported field", struct{ R *Records }{r}, string(raw[:]))
}

// TestPassphraseIsCopied checks that Passphrase keeps its own copy, so that
// the caller may clear its slice, and that Key copies its array.
func TestPassphraseIsCopied(t *testing.T) {
	b := []byte("passphrase")
	src := Passphrase(b)
	clear(b)
	got, err := src.secret(testErrs)
	if err != nil || string(got) != "passphrase" {
		t.Fatalf("Passphrase after the caller cleared its slice: %q, %v", got, err)
	}
	clear(got)
	if again, _ := src.secret(testErrs); string(again) != "passphrase" {
		t.Fatal("clearing what secret returned cleared the source")
	}
	if _, err := Passphrase(nil).secret(testErrs); err == nil {
		t.Fatal("an empty passphrase was accepted")
	}
}
