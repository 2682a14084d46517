package etcd_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/internal/testenv"
)

// writeCert writes a certificate for 127.0.0.1 signed by parent (self-signed
// when parent is nil) and its key, returning the certificate and key.
func writeCert(t *testing.T, dir, name string, isCA bool, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  isCA,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, name+".pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(filepath.Join(dir, name+"-key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// TestTLS: a member serving clients over TLS that requires client
// certificates is reached with ca-file, client-cert and client-key; without the
// client certificate, or trusting another CA, it is not.
func TestTLS(t *testing.T) {
	bin := testenv.Binary(t, "etcd", "ETCD_BIN", "etcd")
	dir := t.TempDir()
	ca, caKey := writeCert(t, dir, "ca", true, nil, nil)
	writeCert(t, dir, "server", false, ca, caKey)
	writeCert(t, dir, "client", false, ca, caKey)
	writeCert(t, dir, "otherca", true, nil, nil)
	ports := freePorts(t, 2)
	cu := fmt.Sprintf("https://127.0.0.1:%d", ports[0])
	pu := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	cmd := exec.Command(bin, "--name", "tls", "--data-dir", filepath.Join(dir, "data"),
		"--listen-client-urls", cu, "--advertise-client-urls", cu,
		"--listen-peer-urls", pu, "--initial-advertise-peer-urls", pu, "--initial-cluster", "tls="+pu,
		"--cert-file", filepath.Join(dir, "server.pem"), "--key-file", filepath.Join(dir, "server-key.pem"),
		"--client-cert-auth", "--trusted-ca-file", filepath.Join(dir, "ca.pem"))
	logf, err := os.Create(filepath.Join(dir, "etcd.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.Process != nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	keyPath := filepath.Join(dir, "k")
	os.WriteFile(keyPath, []byte(strings.Repeat("k", 32)), 0o600)
	base := fmt.Sprintf("etcd://127.0.0.1:%d/tls?key-file=%s&dial-timeout=2s", ports[0], keyPath)
	good := base + "&ca-file=" + filepath.Join(dir, "ca.pem") + "&client-cert=" + filepath.Join(dir, "client.pem") + "&client-key=" + filepath.Join(dir, "client-key.pem")
	ctx := t.Context()
	// The server is ready when a store opens through it: bounded attempts.
	var s *secretstore.Store
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, 3*time.Second)
		s, err = secretstore.Open(actx, good, secretstore.EnableSet(true))
		cancel()
		if err == nil {
			break
		}
		if attempt >= 20 {
			b, _ := os.ReadFile(filepath.Join(dir, "etcd.log"))
			t.Fatalf("Open over TLS: %v\n%s", err, b[max(0, len(b)-2000):])
		}
	}
	if err := s.Set(ctx, "a", "v"); err != nil {
		t.Fatalf("Set over TLS: %v", err)
	}
	s.Close()
	for _, bad := range []string{
		base + "&ca-file=" + filepath.Join(dir, "ca.pem"), // no client certificate
		strings.Replace(good, "ca.pem", "otherca.pem", 1), // another CA
		base, // plaintext to a TLS port
	} {
		bctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := secretstore.Open(bctx, bad)
		cancel()
		if err == nil {
			t.Fatalf("Open %s succeeded", bad)
		}
		// The handshake fails inside the client's connection loop, so
		// the caller sees its deadline pass (or unavailable).
		if c := driver.CodeOf(err); c != driver.Unavailable && c != driver.PermissionDenied && c != driver.DeadlineExceeded {
			t.Fatalf("Open without the right TLS setup: code %v: %v", c, err)
		}
	}
}
