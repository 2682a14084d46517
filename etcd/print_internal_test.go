package etcd

import (
	"crypto/rand"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/secretstore-go/secretstore/internal/envelope"
	"github.com/secretstore-go/secretstore/storetest"
)

// TestStorePrintsNoKey prints a store as New makes it, with a client that
// holds a password, in every way storetest knows: neither the data key nor
// the password shows. (The live conformance suite prints a store New opened
// on a real cluster.)
func TestStorePrintsNoKey(t *testing.T) {
	const password = "etcd-password-printed-nowhere"
	c, err := clientv3.New(clientv3.Config{Endpoints: []string{"127.0.0.1:1"}, DialTimeout: time.Millisecond, Logger: zap.NewNop()})
	if err != nil {
		t.Fatalf("a client for an address that is never dialled: %v", err)
	}
	defer c.Close()
	// A client made with a password (it would log in at once) holds it so.
	c.Username, c.Password = "root", password
	dataKey := make([]byte, envelope.KeySize)
	rand.Read(dataKey)
	rc, err := envelope.NewRecords(dataKey, [envelope.IDSize]byte{1, 2, 3}, envErrors)
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{c: c, prefix: "/secretstore/app", rc: rc}
	storetest.CheckPrinting(t, "a store", s, string(dataKey), password)
	storetest.CheckPrinting(t, "a store in a caller's exported field", struct{ S *Store }{s}, string(dataKey), password)
}

// TestKeySourcesPrintNoKey prints every key source and the options holding
// one in every way storetest knows.
func TestKeySourcesPrintNoKey(t *testing.T) {
	var raw [32]byte
	rand.Read(raw[:])
	const pw = "correct horse battery staple, printed nowhere"
	for _, src := range []KeySource{Key(raw), Passphrase([]byte(pw)), KeyFile("/k"), PassphraseFile("/p")} {
		for what, v := range map[string]any{
			"the source":           src,
			"options":              Options{Prefix: "/p", Key: src},
			"a pointer to options": &Options{Prefix: "/p", Key: src},
			"an unexported field":  struct{ k KeySource }{src},
		} {
			storetest.CheckPrinting(t, src.String()+" as "+what, v, string(raw[:]), pw)
		}
	}
}

// TestPassphraseIsCopied checks that the caller may clear the slice given to
// Passphrase.
func TestPassphraseIsCopied(t *testing.T) {
	b := []byte("a passphrase the caller clears")
	src := Passphrase(b)
	clear(b)
	kdf, err := envelope.NewKDF(src, 1, 64, 1, envErrors)
	if err != nil {
		t.Fatal(err)
	}
	k1, err1 := envelope.DeriveKEK(src, &kdf, envErrors)
	k2, err2 := envelope.DeriveKEK(Passphrase([]byte("a passphrase the caller clears")), &kdf, envErrors)
	if err1 != nil || err2 != nil || string(k1) != string(k2) {
		t.Fatalf("a passphrase whose slice the caller cleared derives another key (%v, %v)", err1, err2)
	}
}
