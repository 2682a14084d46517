package filestore_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/filestore"
)

// cheapArgon2 keeps passphrase tests fast.
var cheapArgon2 = &filestore.Argon2Params{Time: 1, Memory: 64, Threads: 1}

var modes = []struct {
	name string
	opts filestore.Options
}{
	{"PerOperation", filestore.Options{}},
	{"KeepOpen", filestore.Options{KeepOpen: true}},
}

// values are the awkward values every mode must round-trip exactly.
var values = map[string]string{
	"empty":       "",
	"binary":      "\x00\x01\xff\xfe\x00",
	"non-utf8":    "\xc3\x28\xa0\xa1",
	"multi/line":  "line 1\r\nline 2\n\n",
	"large":       strings.Repeat("0123456789abcdef\x00", 70<<10/17+1),
	"a:b@c+d=e.f": "punctuation in the name",
}

func mustSet(t testing.TB, s driver.Store, name, value string) {
	t.Helper()
	if err := s.Set(context.Background(), name, value); err != nil {
		t.Fatalf("Set(%q): %v", name, err)
	}
}

func mustGet(t testing.TB, s driver.Store, names ...string) map[string]string {
	t.Helper()
	m, err := s.Get(context.Background(), names)
	if err != nil {
		t.Fatalf("Get(%q): %v", names, err)
	}
	return m
}

// wantOnly fails if err does not match target, or reveals a value.
func wantErr(t testing.TB, what string, err, target error, code driver.Code, secrets ...string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: %v, want %v", what, err, target)
	}
	if got := driver.CodeOf(err); got != code {
		t.Fatalf("%s: code %v, want %v (error %v)", what, got, code, err)
	}
	for _, v := range secrets {
		if v != "" && strings.Contains(err.Error(), v) {
			t.Fatalf("%s: the error reveals a value: %v", what, err)
		}
	}
}

func TestValuesPersist(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			s, path, key := newStore(t, m.opts)
			for n, v := range values {
				mustSet(t, s, n, v)
			}
			names := slices.Collect(maps.Keys(values))
			if got := mustGet(t, s, append(names, "missing")...); !maps.Equal(got, values) {
				t.Fatal("Get returned other values than were set")
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s, err := filestore.Open(path, key, m.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := mustGet(t, s, names...); !maps.Equal(got, values) {
				t.Fatal("after reopening, Get returned other values than were set")
			}
			if got, err := s.Get(context.Background(), nil); err != nil || got != nil {
				t.Fatalf("Get of no names = %v, %v", got, err)
			}
		})
	}
}

func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "dir")
	keyPath := filepath.Join(dir, "keys", "key")
	if err := filestore.NewKeyFile(keyPath); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "store", "secrets.db")
	if err := filestore.Init(path, filestore.KeyFile(keyPath), filestore.Options{}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]fs.FileMode{
		keyPath: 0o600, filepath.Dir(keyPath): 0o700 | fs.ModeDir,
		path: 0o600, filepath.Dir(path): 0o700 | fs.ModeDir,
	} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s has mode %v, want %v", p, fi.Mode(), want)
		}
	}
	if fi, _ := os.Stat(keyPath); fi.Size() != 32 {
		t.Errorf("key file has %d bytes", fi.Size())
	}
	// Init leaves no temporary file behind.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("store directory holds %d entries, want 1", len(entries))
	}
	// Neither replaces an existing file.
	if err := filestore.NewKeyFile(keyPath); !errors.Is(err, fs.ErrExist) {
		t.Errorf("NewKeyFile over an existing file: %v, want fs.ErrExist", err)
	}
	if err := filestore.Init(path, filestore.KeyFile(keyPath), filestore.Options{}); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Init over an existing file: %v, want fs.ErrExist", err)
	}
}

func TestInsecureKeyFile(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "key")
	if err := filestore.NewKeyFile(keyPath); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "secrets.db")
	if err := filestore.Init(path, filestore.KeyFile(keyPath), filestore.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []fs.FileMode{0o640, 0o604, 0o620} {
		if err := os.Chmod(keyPath, mode); err != nil {
			t.Fatal(err)
		}
		_, err := filestore.Open(path, filestore.KeyFile(keyPath), filestore.Options{})
		wantErr(t, "Open with a key file of mode "+mode.String(), err, filestore.ErrInsecureKeyFile, driver.PermissionDenied)
	}
	os.Chmod(keyPath, 0o400)
	s, err := filestore.Open(path, filestore.KeyFile(keyPath), filestore.Options{})
	if err != nil {
		t.Fatalf("Open with a key file of mode 0400: %v", err)
	}
	s.Close()
	// A key file of the wrong length.
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("0123456789"), 0o600)
	_, err = filestore.Open(path, filestore.KeyFile(short), filestore.Options{})
	wantErr(t, "Open with a 10-byte key file", err, filestore.ErrWrongKey, driver.PermissionDenied)
	// A missing key file.
	_, err = filestore.Open(path, filestore.KeyFile(filepath.Join(dir, "nope")), filestore.Options{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open with a missing key file: %v, want fs.ErrNotExist", err)
	}
}

func TestWrongKey(t *testing.T) {
	s, path, _ := newStore(t, filestore.Options{})
	mustSet(t, s, "a", "value-a")
	s.Close()
	otherKey := filepath.Join(t.TempDir(), "other")
	if err := filestore.NewKeyFile(otherKey); err != nil {
		t.Fatal(err)
	}
	_, err := filestore.Open(path, filestore.KeyFile(otherKey), filestore.Options{})
	wantErr(t, "Open with another key file", err, filestore.ErrWrongKey, driver.PermissionDenied)
	_, err = filestore.Open(path, filestore.Key([32]byte{1}), filestore.Options{KeepOpen: true})
	wantErr(t, "Open with another raw key", err, filestore.ErrWrongKey, driver.PermissionDenied)
	_, err = filestore.Open(path, filestore.Passphrase([]byte("pw")), filestore.Options{})
	wantErr(t, "Open of a key store with a passphrase", err, filestore.ErrWrongKey, driver.PermissionDenied)
	if !strings.Contains(err.Error(), "not by a passphrase") {
		t.Errorf("error does not explain the key kind: %v", err)
	}
}

func TestKeyEqualsKeyFile(t *testing.T) {
	s, path, _ := newStore(t, filestore.Options{})
	mustSet(t, s, "a", "value-a")
	s.Close()
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(path), "key"))
	if err != nil {
		t.Fatal(err)
	}
	s2, err := filestore.Open(path, filestore.Key([32]byte(raw)), filestore.Options{})
	if err != nil {
		t.Fatalf("Open with Key of the key file's bytes: %v", err)
	}
	defer s2.Close()
	if got := mustGet(t, s2, "a"); got["a"] != "value-a" {
		t.Fatal("wrong value")
	}
}

func TestKeySourceDoesNotPrintSecrets(t *testing.T) {
	for _, k := range []filestore.KeySource{
		filestore.Key([32]byte{0xAB, 0xCD}),
		filestore.Passphrase([]byte("correct horse")),
	} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
			out := sprintf(verb, k)
			if strings.Contains(out, "correct horse") || strings.Contains(strings.ToLower(out), "abcd") ||
				strings.Contains(out, "636f7272") || strings.Contains(out, "171") {
				t.Errorf("%s of a KeySource prints key material: %s", verb, out)
			}
		}
	}
}

func TestPassphrase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secrets.db")
	pass := []byte("correct horse battery staple")
	opts := filestore.Options{Argon2: cheapArgon2}
	if err := filestore.Init(path, filestore.Passphrase(pass), opts); err != nil {
		t.Fatal(err)
	}
	s, err := filestore.Open(path, filestore.Passphrase(pass), filestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "a", "value-a")
	s.Close()

	passFile := filepath.Join(dir, "pass")
	os.WriteFile(passFile, append(bytes.Clone(pass), "\r\n"...), 0o600)
	s, err = filestore.Open(path, filestore.PassphraseFile(passFile), filestore.Options{})
	if err != nil {
		t.Fatalf("Open with a passphrase file ending in CRLF: %v", err)
	}
	if got := mustGet(t, s, "a"); got["a"] != "value-a" {
		t.Fatal("wrong value")
	}
	s.Close()

	_, err = filestore.Open(path, filestore.Passphrase([]byte("correct horse battery stapler")), filestore.Options{})
	wantErr(t, "Open with a wrong passphrase", err, filestore.ErrWrongKey, driver.PermissionDenied)
	_, err = filestore.Open(path, filestore.Key([32]byte{}), filestore.Options{})
	wantErr(t, "Open of a passphrase store with a key", err, filestore.ErrWrongKey, driver.PermissionDenied)
	if !strings.Contains(err.Error(), "protected by a passphrase") {
		t.Errorf("error does not explain the key kind: %v", err)
	}
	os.Chmod(passFile, 0o644)
	_, err = filestore.Open(path, filestore.PassphraseFile(passFile), filestore.Options{})
	wantErr(t, "Open with a world-readable passphrase file", err, filestore.ErrInsecureKeyFile, driver.PermissionDenied)

	if err := filestore.Init(filepath.Join(dir, "x.db"), filestore.Passphrase(nil), opts); err == nil {
		t.Error("Init with an empty passphrase succeeded")
	}
	if err := filestore.Init(filepath.Join(dir, "y.db"), filestore.Passphrase(pass),
		filestore.Options{Argon2: &filestore.Argon2Params{Time: 0, Memory: 64, Threads: 1}}); err == nil {
		t.Error("Init with Argon2 time 0 succeeded")
	}
}

// rawRecord reads the stored bytes of a record with bbolt directly.
func rawRecord(t testing.TB, path, name string) []byte {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rec []byte
	db.View(func(tx *bolt.Tx) error {
		rec = bytes.Clone(tx.Bucket([]byte("secrets")).Get([]byte(name)))
		return nil
	})
	return rec
}

// boltUpdate changes the file with bbolt directly.
func boltUpdate(t testing.TB, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func TestRekey(t *testing.T) {
	ctx := context.Background()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			opts := m.opts
			opts.Argon2 = cheapArgon2
			s, path, oldKey := newStore(t, opts)
			mustSet(t, s, "a", "value-a")
			mustSet(t, s, "b", "value-b")
			// A KeepOpen store locks the file: read the record after
			// closing it.
			s.Close()
			before := rawRecord(t, path, "a")
			s, err := filestore.Open(path, oldKey, opts)
			if err != nil {
				t.Fatal(err)
			}
			pass := filestore.Passphrase([]byte("new passphrase"))
			if err := s.Rekey(ctx, pass); err != nil {
				t.Fatal(err)
			}
			// The open store keeps working.
			mustSet(t, s, "c", "value-c")
			s.Close()
			if after := rawRecord(t, path, "a"); !bytes.Equal(before, after) {
				t.Error("Rekey rewrote a record")
			}
			_, err = filestore.Open(path, oldKey, filestore.Options{})
			wantErr(t, "Open with the key before Rekey", err, filestore.ErrWrongKey, driver.PermissionDenied)
			s, err = filestore.Open(path, pass, opts)
			if err != nil {
				t.Fatalf("Open with the new key: %v", err)
			}
			want := map[string]string{"a": "value-a", "b": "value-b", "c": "value-c"}
			if got := mustGet(t, s, "a", "b", "c"); !maps.Equal(got, want) {
				t.Fatal("values changed across Rekey")
			}
			// And back to a key file.
			newKey := filepath.Join(t.TempDir(), "key2")
			filestore.NewKeyFile(newKey)
			if err := s.Rekey(ctx, filestore.KeyFile(newKey)); err != nil {
				t.Fatal(err)
			}
			s.Close()
			s, err = filestore.Open(path, filestore.KeyFile(newKey), filestore.Options{})
			if err != nil {
				t.Fatalf("Open with the key file after the second Rekey: %v", err)
			}
			defer s.Close()
			if got := mustGet(t, s, "a", "b", "c"); !maps.Equal(got, want) {
				t.Fatal("values changed across the second Rekey")
			}
		})
	}
}

func TestVersions(t *testing.T) {
	ctx := context.Background()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			s, _, _ := newStore(t, m.opts)
			defer s.Close()
			check := func(what string, wantCur, wantPrev *string) {
				t.Helper()
				cur, prev, err := s.GetVersions(ctx, "k")
				if err != nil {
					t.Fatalf("%s: GetVersions: %v", what, err)
				}
				if !eqPtr(cur, wantCur) || !eqPtr(prev, wantPrev) {
					t.Fatalf("%s: GetVersions = %s, %s; want %s, %s", what, show(cur), show(prev), show(wantCur), show(wantPrev))
				}
			}
			check("missing", nil, nil)
			mustSet(t, s, "k", "v1")
			check("first Set", ptr("v1"), nil)
			mustSet(t, s, "k", "v2")
			check("second Set", ptr("v2"), ptr("v1"))
			mustSet(t, s, "k", "v2")
			check("Set of the same value", ptr("v2"), ptr("v1"))
			mustSet(t, s, "k", "")
			check("Set of the empty value", ptr(""), ptr("v2"))
			mustSet(t, s, "k", "v3")
			check("Set after the empty value", ptr("v3"), ptr(""))
			if got := mustGet(t, s, "k"); got["k"] != "v3" {
				t.Fatal("Get does not return the current value")
			}
			if err := s.Remove(ctx, "k"); err != nil {
				t.Fatal(err)
			}
			check("Remove", nil, nil)
			mustSet(t, s, "k", "v4")
			check("Set after Remove", ptr("v4"), nil)
		})
	}
}

func ptr(s string) *string { return &s }

func eqPtr(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func show(p *string) string {
	if p == nil {
		return "nil"
	}
	return "<" + *p + ">"
}

func TestRemoveAndList(t *testing.T) {
	ctx := context.Background()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			s, _, _ := newStore(t, m.opts)
			defer s.Close()
			for _, n := range []string{"app/a", "app/b", "app2/c", "ap", "zzz"} {
				mustSet(t, s, n, "v")
			}
			got, err := s.List(ctx, "app/")
			if err != nil || !slices.Equal(got, []string{"app/a", "app/b"}) {
				t.Fatalf("List(app/) = %q, %v", got, err)
			}
			got, err = s.List(ctx, "")
			if err != nil || len(got) != 5 {
				t.Fatalf("List() = %q, %v", got, err)
			}
			if got, err = s.List(ctx, "nothing"); err != nil || len(got) != 0 {
				t.Fatalf("List(nothing) = %q, %v", got, err)
			}
			if err := s.Remove(ctx, "app/a"); err != nil {
				t.Fatal(err)
			}
			if err := s.Remove(ctx, "app/a"); err != nil {
				t.Fatalf("Remove of a missing name: %v", err)
			}
			if got := mustGet(t, s, "app/a", "app/b"); len(got) != 1 || got["app/b"] != "v" {
				t.Fatalf("after Remove, Get = %d entries", len(got))
			}
		})
	}
}

func TestContextAndClose(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			s, _, _ := newStore(t, m.opts)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if err := s.Set(ctx, "a", "v"); !errors.Is(err, context.Canceled) {
				t.Fatalf("Set with a canceled context: %v", err)
			}
			if _, err := s.Get(ctx, []string{"a"}); !errors.Is(err, context.Canceled) {
				t.Fatalf("Get with a canceled context: %v", err)
			}
			if got := mustGet(t, s, "a"); len(got) != 0 {
				t.Fatal("Set with a canceled context wrote")
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			_, err := s.Get(context.Background(), []string{"a"})
			wantErr(t, "Get after Close", err, filestore.ErrClosed, driver.Unknown)
			err = s.Set(context.Background(), "a", "v")
			wantErr(t, "Set after Close", err, filestore.ErrClosed, driver.Unknown)
		})
	}
}

func TestValueTooLarge(t *testing.T) {
	s, _, _ := newStore(t, filestore.Options{})
	defer s.Close()
	err := s.Set(context.Background(), "big", strings.Repeat("x", filestore.MaxValueSize+1))
	if driver.CodeOf(err) != driver.InvalidValue {
		t.Fatalf("Set of a value over MaxValueSize: %v, want code InvalidValue", err)
	}
}

func TestOpenMissingOrNotAStore(t *testing.T) {
	dir := t.TempDir()
	key := filestore.Key([32]byte{1})
	for _, m := range modes {
		missing := filepath.Join(dir, "missing.db")
		_, err := filestore.Open(missing, key, m.opts)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: Open of a missing file: %v, want fs.ErrNotExist", m.name, err)
		}
		if _, err := os.Stat(missing); err == nil {
			t.Fatalf("%s: Open of a missing file created it", m.name)
		}

		empty := filepath.Join(dir, "empty.db")
		os.WriteFile(empty, nil, 0o600)
		_, err = filestore.Open(empty, key, m.opts)
		wantErr(t, m.name+": Open of an empty file", err, filestore.ErrCorrupt, driver.Unknown)
		if fi, _ := os.Stat(empty); fi.Size() != 0 {
			t.Fatalf("%s: Open of an empty file wrote to it", m.name)
		}

		junk := filepath.Join(dir, "junk.db")
		os.WriteFile(junk, bytes.Repeat([]byte("not a database "), 2000), 0o600)
		_, err = filestore.Open(junk, key, m.opts)
		wantErr(t, m.name+": Open of a file that is not a database", err, filestore.ErrCorrupt, driver.Unknown)

		other := filepath.Join(dir, "other.db")
		boltUpdate(t, other, func(tx *bolt.Tx) error {
			_, err := tx.CreateBucketIfNotExists([]byte("unrelated"))
			return err
		})
		_, err = filestore.Open(other, key, m.opts)
		wantErr(t, m.name+": Open of another bbolt database", err, filestore.ErrCorrupt, driver.Unknown)
	}
}

func TestTamperedRecords(t *testing.T) {
	ctx := context.Background()
	s, path, key := newStore(t, filestore.Options{})
	defer s.Close()
	mustSet(t, s, "a", "secret-a")
	mustSet(t, s, "b", "secret-b")
	mustSet(t, s, "b", "secret-b2")
	s2, path2, _ := newStore(t, filestore.Options{})
	mustSet(t, s2, "a", "secret-other")
	s2.Close()

	recA := rawRecord(t, path, "a")
	recOther := rawRecord(t, path2, "a")
	check := func(what, name string, others ...string) {
		t.Helper()
		got, err := s.Get(ctx, []string{name})
		wantErr(t, what, err, filestore.ErrCorrupt, driver.Unknown, "secret-a", "secret-b", "secret-b2", "secret-other")
		if got != nil {
			t.Fatalf("%s: Get returned values with its error", what)
		}
		_, _, err = s.GetVersions(ctx, name)
		wantErr(t, what+" (GetVersions)", err, filestore.ErrCorrupt, driver.Unknown, "secret-a", "secret-b", "secret-b2")
		if err := s.Verify(ctx); !errors.Is(err, filestore.ErrCorrupt) || !strings.Contains(err.Error(), `"`+name+`"`) {
			t.Fatalf("%s: Verify = %v, want ErrCorrupt naming %q", what, err, name)
		}
	}
	put := func(name string, rec []byte) {
		boltUpdate(t, path, func(tx *bolt.Tx) error { return tx.Bucket([]byte("secrets")).Put([]byte(name), rec) })
	}

	if err := s.Verify(ctx); err != nil {
		t.Fatalf("Verify of an intact store: %v", err)
	}
	// A record copied to another name.
	put("copy", recA)
	check("record copied to another name", "copy")
	// A record copied from another store, same name.
	put("a", recOther)
	check("record copied from another store", "a")
	// Every flipped byte of a record.
	for i := range recA {
		m := bytes.Clone(recA)
		m[i] ^= 0x01
		put("a", m)
		check("record with a flipped byte", "a")
	}
	// Truncated.
	put("a", recA[:len(recA)-1])
	check("truncated record", "a")
	// A future format version.
	m := bytes.Clone(recA)
	m[0]++
	put("a", m)
	_, err := s.Get(ctx, []string{"a"})
	wantErr(t, "record of a future version", err, filestore.ErrUnsupportedFormat, driver.Unknown)

	// Set replaces an unreadable record, keeping no previous value.
	mustSet(t, s, "a", "repaired")
	cur, prev, err := s.GetVersions(ctx, "a")
	if err != nil || *cur != "repaired" || prev != nil {
		t.Fatalf("after Set over a damaged record: %v", err)
	}
	_ = key
}

func TestTamperedHeader(t *testing.T) {
	s, path, key := newStore(t, filestore.Options{})
	mustSet(t, s, "a", "secret-a")
	s.Close()
	var hdr []byte
	boltUpdate(t, path, func(tx *bolt.Tx) error {
		hdr = bytes.Clone(tx.Bucket([]byte("meta")).Get([]byte("header")))
		return nil
	})
	for i := range hdr {
		m := bytes.Clone(hdr)
		m[i] ^= 0x80
		boltUpdate(t, path, func(tx *bolt.Tx) error { return tx.Bucket([]byte("meta")).Put([]byte("header"), m) })
		_, err := filestore.Open(path, key, filestore.Options{})
		wantErr(t, "Open with a flipped header byte", err, filestore.ErrCorrupt, driver.Unknown)
	}
	boltUpdate(t, path, func(tx *bolt.Tx) error { return tx.Bucket([]byte("meta")).Delete([]byte("header")) })
	_, err := filestore.Open(path, key, filestore.Options{})
	wantErr(t, "Open without a header", err, filestore.ErrCorrupt, driver.Unknown)
}

func TestTruncatedFile(t *testing.T) {
	s, path, key := newStore(t, filestore.Options{})
	for i := range 200 {
		mustSet(t, s, "name/"+strings.Repeat("x", i%50)+string(rune('a'+i%26)), strings.Repeat("v", 100+i))
	}
	s.Close()
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sizes := []int{0, 1, 100, 4096, 8191, 8192, 12288, len(orig) / 2, len(orig) - 4096, len(orig) - 1}
	for _, m := range modes {
		for _, n := range sizes {
			if err := os.WriteFile(path, orig[:n], 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := filestore.Open(path, key, m.opts)
			if err == nil {
				// Only the unused space bbolt allocates ahead may go.
				verr := s.Verify(context.Background())
				s.Close()
				if n < len(orig)/2+1 || verr != nil {
					t.Fatalf("%s: Open of the file truncated to %d of %d bytes succeeded (Verify: %v)", m.name, n, len(orig), verr)
				}
				continue
			}
			t.Logf("%s %d: %v", m.name, n, err)
			wantErr(t, m.name+": Open of a truncated file", err, filestore.ErrCorrupt, driver.Unknown)
		}
	}

	// A file truncated under an open store is reported, not a crash.
	os.WriteFile(path, orig, 0o600)
	for _, m := range modes {
		s, err := filestore.Open(path, key, m.opts)
		if err != nil {
			t.Fatal(err)
		}
		mustSet(t, s, "name/a", "before the truncation")
		if err := os.Truncate(path, int64(len(orig)/2)); err != nil {
			t.Fatal(err)
		}
		err = s.Set(context.Background(), "name/a", "after")
		wantErr(t, m.name+": Set after the file was truncated", err, filestore.ErrCorrupt, driver.Unknown)
		_, err = s.Get(context.Background(), []string{"name/a"})
		wantErr(t, m.name+": Get after the file was truncated", err, filestore.ErrCorrupt, driver.Unknown)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(path, orig, 0o600)
	}
}

func TestReplacedFile(t *testing.T) {
	s, path, key := newStore(t, filestore.Options{})
	defer s.Close()
	mustSet(t, s, "a", "secret-a")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := filestore.Init(path, key, filestore.Options{}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Get(context.Background(), []string{"a"})
	wantErr(t, "Get after the file was replaced", err, filestore.ErrReplaced, driver.Conflict)
	err = s.Set(context.Background(), "a", "v")
	wantErr(t, "Set after the file was replaced", err, filestore.ErrReplaced, driver.Conflict)
	os.Remove(path)
	if _, err := s.Get(context.Background(), []string{"a"}); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Get after the file was removed: %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("an operation recreated the removed file")
	}
}

func TestLocking(t *testing.T) {
	ctx := context.Background()
	// Per-operation Stores of one file, in one process, share it.
	a, path, key := newStore(t, filestore.Options{LockTimeout: 300 * time.Millisecond})
	defer a.Close()
	b, err := filestore.Open(path, key, filestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, a, "x", "1")
	if got := mustGet(t, b, "x"); got["x"] != "1" {
		t.Fatal("a second Store does not see the first one's write")
	}
	mustSet(t, b, "x", "2")
	if got := mustGet(t, a, "x"); got["x"] != "2" {
		t.Fatal("the first Store does not see the second one's write")
	}
	b.Close()

	// A KeepOpen Store holds the lock: others wait LockTimeout and fail.
	holder, err := filestore.Open(path, key, filestore.Options{KeepOpen: true})
	if err != nil {
		t.Fatalf("KeepOpen Open next to a per-operation Store: %v", err)
	}
	_, err = filestore.Open(path, key, filestore.Options{LockTimeout: 100 * time.Millisecond})
	wantErr(t, "Open while another handle holds the file", err, filestore.ErrLocked, driver.Unavailable)
	start := time.Now()
	_, err = a.Get(ctx, []string{"x"})
	wantErr(t, "Get while another handle holds the file", err, filestore.ErrLocked, driver.Unavailable)
	if d := time.Since(start); d < 200*time.Millisecond || d > 3*time.Second {
		t.Errorf("the lock wait took %v, want about LockTimeout (300ms)", d)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("the lock error does not name the file: %v", err)
	}

	// A context deadline shortens the wait.
	dctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start = time.Now()
	err = a.Set(dctx, "x", "3")
	if !errors.Is(err, filestore.ErrLocked) && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Set with a deadline while the file is held: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Set with a 200ms deadline waited %v", d)
	}
	if err := holder.Close(); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, a, "x"); got["x"] != "2" {
		t.Fatal("a failed Set changed the value")
	}
}

// TestFlippedBytesInFile flips bytes all over a store's file and checks
// that every operation either fails with a typed error or returns exactly
// the values that were stored, and never panics.
func TestFlippedBytesInFile(t *testing.T) {
	ctx := context.Background()
	s, path, key := newStore(t, filestore.Options{})
	want := map[string]string{}
	for i := range 24 {
		n := "app/secret-" + strings.Repeat("n", i)
		mustSet(t, s, n, "old")
		v := strings.Repeat(string(rune('a'+i)), 10*i)
		mustSet(t, s, n, v)
		want[n] = v
	}
	// Two transactions that only rewrite the header with the same key, so
	// that bbolt falling back to the older meta page finds the same secrets.
	for range 2 {
		if err := s.Rekey(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	names := slices.Sorted(maps.Keys(want))
	typed := func(err error) bool {
		return errors.Is(err, filestore.ErrCorrupt) || errors.Is(err, filestore.ErrUnsupportedFormat) ||
			errors.Is(err, filestore.ErrWrongKey)
	}
	// Every 41st byte by default; FILESTORE_FLIP_STEP=1 flips every byte
	// (a minute or so).
	step := 41
	if testing.Short() || raceEnabled {
		step = 211
	}
	if v, err := strconv.Atoi(os.Getenv("FILESTORE_FLIP_STEP")); err == nil && v > 0 {
		step = v
	}
	trials, opened := 0, 0
	for pos := 0; pos < len(orig); pos += step {
		m := bytes.Clone(orig)
		m[pos] ^= 1 << (pos % 8)
		if bytes.Equal(m, orig) {
			continue
		}
		if err := os.WriteFile(path, m, 0o600); err != nil {
			t.Fatal(err)
		}
		trials++
		st, err := filestore.Open(path, key, filestore.Options{LockTimeout: time.Second})
		if err != nil {
			if !typed(err) {
				t.Fatalf("byte %d flipped: Open: untyped error %v", pos, err)
			}
			continue
		}
		opened++
		got, err := st.Get(ctx, names)
		if err != nil && !typed(err) {
			t.Fatalf("byte %d flipped: Get: untyped error %v", pos, err)
		}
		for n, v := range got {
			if want[n] != v {
				t.Fatalf("byte %d flipped: Get returned a wrong value for %q", pos, n)
			}
		}
		cur, _, err := st.GetVersions(ctx, names[3])
		if err == nil && cur != nil && *cur != want[names[3]] {
			t.Fatalf("byte %d flipped: GetVersions returned a wrong value", pos)
		}
		st.List(ctx, "")
		st.Verify(ctx)
		if trials%8 != 0 {
			// A Set costs fsyncs: try one on every 8th damaged file.
		} else if err := st.Set(ctx, names[0], "after"); err == nil {
			// Damage to bbolt's structure can hide a record (see the
			// package documentation), but never change its value.
			if got, err := st.Get(ctx, names[:1]); err == nil {
				if v, ok := got[names[0]]; ok && v != "after" {
					t.Fatalf("byte %d flipped: Get after Set returned a wrong value", pos)
				}
			}
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d flips of a %d-byte file, %d opened", trials, len(orig), opened)
}

func TestCompareAndSwap(t *testing.T) {
	ctx := context.Background()
	s, path, _ := newStore(t, filestore.Options{})
	defer s.Close()
	if err := s.CompareAndSwap(ctx, "k", nil, "v1"); err != nil {
		t.Fatalf("CompareAndSwap creating a missing name: %v", err)
	}
	if err := s.CompareAndSwap(ctx, "k", nil, "x"); driver.CodeOf(err) != driver.Conflict {
		t.Fatalf("CompareAndSwap expecting absence of an existing name: %v, want a conflict", err)
	}
	if err := s.CompareAndSwap(ctx, "k", ptr("stale"), "x"); driver.CodeOf(err) != driver.Conflict {
		t.Fatalf("CompareAndSwap against a stale value: %v, want a conflict", err)
	} else if strings.Contains(err.Error(), "v1") || strings.Contains(err.Error(), "stale") {
		t.Fatalf("the conflict error reveals a value: %v", err)
	}
	if err := s.CompareAndSwap(ctx, "missing", ptr("v1"), "x"); driver.CodeOf(err) != driver.Conflict {
		t.Fatalf("CompareAndSwap of a missing name against a value: %v, want a conflict", err)
	}
	if err := s.CompareAndSwap(ctx, "k", ptr("v1"), "v2"); err != nil {
		t.Fatalf("CompareAndSwap against the current value: %v", err)
	}
	cur, prev, err := s.GetVersions(ctx, "k")
	if err != nil || !eqPtr(cur, ptr("v2")) || !eqPtr(prev, ptr("v1")) {
		t.Fatalf("after CompareAndSwap, GetVersions = %s, %s, %v", show(cur), show(prev), err)
	}
	if got := mustGet(t, s, "missing"); len(got) != 0 {
		t.Fatal("a failed CompareAndSwap created a name")
	}
	// A damaged current record is an error, not a conflict or a swap.
	rec := rawRecord(t, path, "k")
	rec[len(rec)-1] ^= 1
	boltUpdate(t, path, func(tx *bolt.Tx) error { return tx.Bucket([]byte("secrets")).Put([]byte("k"), rec) })
	err = s.CompareAndSwap(ctx, "k", ptr("v2"), "v3")
	wantErr(t, "CompareAndSwap over a damaged record", err, filestore.ErrCorrupt, driver.Unknown)
}
