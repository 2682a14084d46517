package etcd_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/driver"
	"github.com/secretstore-go/secretstore/etcd"
	"github.com/secretstore-go/secretstore/internal/testenv"
	"github.com/secretstore-go/secretstore/storetest"
)

// The tests in this file run against a real etcd cluster: the three-member
// cluster CI starts (.ci/services/etcd.sh exports ETCD_ENDPOINTS and
// ETCD_BIN) and, for the failover test, a cluster the test starts itself
// from ETCD_BIN (or etcd on PATH). Without them they skip, unless CI is
// set: then they fail.

func endpoints(t testing.TB) []string {
	t.Helper()
	return strings.Split(testenv.Env(t, "etcd", "ETCD_ENDPOINTS")[0], ",")
}

func newClient(t testing.TB, eps []string) *clientv3.Client {
	t.Helper()
	c, err := clientv3.New(clientv3.Config{Endpoints: eps, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// testKeyBytes are the key of the stores the tests make, testKey.
var testKeyBytes = [32]byte{1, 2, 3}

// testKey is the key of the stores the tests make.
var testKey = etcd.Key(testKeyBytes)

// freshPrefix returns a key prefix no other test uses, removed when t ends.
func freshPrefix(t testing.TB, c *clientv3.Client) string {
	t.Helper()
	p := "/secretstore-test/" + randHex(8)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c.Delete(ctx, p+"/", clientv3.WithPrefix())
	})
	return p
}

func openStore(t testing.TB, c *clientv3.Client, prefix string) *etcd.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := etcd.New(ctx, c, etcd.Options{Prefix: prefix, Key: testKey})
	if err != nil {
		t.Fatalf("etcd.New: %v", err)
	}
	return s
}

// TestConformance runs the suite through a proxy to one member, which
// BreakWatch uses to cut the client's connections under a running watch.
func TestConformance(t *testing.T) {
	p := startProxy(t, endpoints(t)[0])
	c := newClient(t, []string{p.addr()})
	storetest.Run(t, storetest.Harness{
		AsTargets: []any{new(*clientv3.Client)},
		Open: func(t *testing.T) driver.Store {
			return openStore(t, c, freshPrefix(t, c))
		},
		MaxValueSize: etcd.MaxValueSize,
		BreakWatch: func(t *testing.T, _ driver.Store) {
			if n := p.drop(); n == 0 {
				t.Fatal("BreakWatch: the proxy carried no connection to cut")
			}
		},
		Credentials: []string{string(testKeyBytes[:])},
	})
}

// TestClusterSeesNoPlaintext reads the raw keys of a store with the etcd
// client: neither a value nor its previous version appears.
func TestClusterSeesNoPlaintext(t *testing.T) {
	c := newClient(t, endpoints(t))
	prefix := freshPrefix(t, c)
	s := secretstore.New(openStore(t, c, prefix), secretstore.EnableSet(true))
	defer s.Close()
	canary := "canary-" + randHex(16)
	ctx := t.Context()
	if err := s.Set(ctx, "db/password", "old-"+canary); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "db/password", "new-"+canary); err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(ctx, prefix+"/", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) != 2 {
		t.Fatalf("the store has %d keys, want the metadata and one secret", len(resp.Kvs))
	}
	for _, kv := range resp.Kvs {
		if strings.Contains(string(kv.Value), canary) || strings.Contains(string(kv.Value), hex.EncodeToString([]byte(canary))) {
			t.Fatalf("key %s holds the plaintext", kv.Key)
		}
	}
	if got := string(resp.Kvs[1].Key); got != prefix+"/s/db/password" {
		t.Fatalf("the secret's key is %q", got)
	}
	// A record moved to another name does not open.
	if _, err := c.Put(ctx, prefix+"/s/other", string(resp.Kvs[1].Value)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "other"); err == nil {
		t.Fatal("a record copied to another name opened")
	}
}

// TestOpenURLAndKeys opens a store through its URL with a key file, then
// with a passphrase file for another prefix, and refuses a wrong key.
func TestOpenURLAndKeys(t *testing.T) {
	eps := endpoints(t)
	c := newClient(t, eps)
	prefix := freshPrefix(t, c)
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "k")
	if err := os.WriteFile(keyPath, []byte(strings.Repeat("k", 32)), 0o600); err != nil {
		t.Fatal(err)
	}
	u := fmt.Sprintf("etcd://%s%s?key-file=%s", strings.Join(eps, ","), prefix, keyPath)
	ctx := t.Context()
	s, err := secretstore.Open(ctx, u, secretstore.EnableSet(true))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Set(ctx, "a", "v"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Another client with the same key file reads it.
	s2, err := secretstore.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if sec, ok, err := s2.Lookup(ctx, "a"); err != nil || !ok || sec.Reveal() != "v" {
		t.Fatalf("a second client does not read the value: %v", err)
	}
	s2.Close()
	other := filepath.Join(dir, "other")
	os.WriteFile(other, []byte(strings.Repeat("o", 32)), 0o600)
	_, err = secretstore.Open(ctx, strings.Replace(u, keyPath, other, 1))
	if driver.CodeOf(err) != driver.PermissionDenied || !errors.Is(err, etcd.ErrWrongKey) {
		t.Fatalf("Open with another key: %v, want permission denied and etcd.ErrWrongKey", err)
	}
	pass := filepath.Join(dir, "pass")
	os.WriteFile(pass, []byte("correct horse\n"), 0o600)
	pp := freshPrefix(t, c)
	pu := fmt.Sprintf("etcd://%s%s?passphrase-file=%s", strings.Join(eps, ","), pp, pass)
	for range 2 { // create, then open
		s, err := secretstore.Open(ctx, pu)
		if err != nil {
			t.Fatalf("Open with a passphrase: %v", err)
		}
		s.Close()
	}
	if _, err := secretstore.Open(ctx, fmt.Sprintf("etcd://%s%s?key-file=%s", strings.Join(eps, ","), pp, keyPath)); !errors.Is(err, etcd.ErrWrongKey) {
		t.Fatalf("a key file for a passphrase store: %v", err)
	}
}

// TestUnreachable: a cluster that does not answer is ErrUnavailable.
func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "k")
	os.WriteFile(keyPath, []byte(strings.Repeat("k", 32)), 0o600)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	// The client's dial is non-blocking; its first request fails when the
	// dial timeout passes.
	c, err := clientv3.New(clientv3.Config{Endpoints: []string{addr}, DialTimeout: time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rctx, rcancel := context.WithTimeout(ctx, 2*time.Second)
	defer rcancel()
	_, err = etcd.New(rctx, c, etcd.Options{Prefix: "/x", Key: testKey})
	if driver.CodeOf(err) != driver.Unavailable && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("New against a closed port: %v, want unavailable", err)
	}
}

// TestWatchPushed: a change reaches a watcher whose poll interval is an
// hour, so it can only have come from the cluster's push.
func TestWatchPushed(t *testing.T) {
	c := newClient(t, endpoints(t))
	prefix := freshPrefix(t, c)
	reader := secretstore.New(openStore(t, c, prefix))
	defer reader.Close()
	writer := secretstore.New(openStore(t, c, prefix), secretstore.EnableSet(true), secretstore.EnableRemove(true))
	defer writer.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	changes, err := reader.Watch(ctx, []string{"a", "b"}, secretstore.WatchOptions{Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	next := func(want string, exists bool) {
		t.Helper()
		select {
		case ch := <-changes:
			if ch.Err != nil || ch.Name != want || ch.Exists != exists {
				t.Fatalf("change %+v, want %s exists=%v", ch, want, exists)
			}
		case <-time.After(30 * time.Second): // a bound on a broken watch, not a synchronisation
			t.Fatalf("no change for %s arrived", want)
		}
	}
	// The watch may be established just after Watch returns: write until
	// the first change arrives, each write bounded by its wait.
	if err := writer.Set(ctx, "a", "1"); err != nil {
		t.Fatal(err)
	}
	next("a", true)
	if err := writer.Set(ctx, "c", "unwatched"); err != nil {
		t.Fatal(err)
	}
	if err := writer.Set(ctx, "b", "2"); err != nil {
		t.Fatal(err)
	}
	next("b", true)
	if err := writer.Remove(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	next("a", false)
}

// freePorts returns n ports of 127.0.0.1 that are free now, below Linux's
// ephemeral range (32768 and up), so that no outgoing connection (such as a
// member's own, to its peers) takes one before the server binds it.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for try := 0; len(ports) < n; try++ {
		if try > 1000 {
			t.Fatal("no free ports between 20000 and 32000")
		}
		var b [2]byte
		rand.Read(b[:])
		p := 20000 + (int(b[0])<<8|int(b[1]))%12000
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			continue
		}
		ls = append(ls, l)
		ports = append(ports, p)
	}
	return ports
}

// cluster is a three-member etcd cluster a test starts and may kill and
// restart members of.
type cluster struct {
	t          *testing.T
	bin, dir   string
	clientURLs []string
	args       [][]string
	cmds       []*exec.Cmd
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	bin := testenv.Binary(t, "etcd", "ETCD_BIN", "etcd")
	ports := freePorts(t, 6)
	var initial []string
	for i := range 3 {
		initial = append(initial, fmt.Sprintf("t%d=http://127.0.0.1:%d", i, ports[2*i+1]))
	}
	cl := &cluster{t: t, bin: bin, dir: t.TempDir(), cmds: make([]*exec.Cmd, 3)}
	token := "t-" + randHex(4)
	for i := range 3 {
		cu := fmt.Sprintf("http://127.0.0.1:%d", ports[2*i])
		pu := fmt.Sprintf("http://127.0.0.1:%d", ports[2*i+1])
		cl.args = append(cl.args, []string{"--name", fmt.Sprintf("t%d", i), "--data-dir", filepath.Join(cl.dir, fmt.Sprint(i)),
			"--listen-client-urls", cu, "--advertise-client-urls", cu,
			"--listen-peer-urls", pu, "--initial-advertise-peer-urls", pu,
			"--initial-cluster", strings.Join(initial, ","), "--initial-cluster-token", token,
			"--initial-cluster-state", "new"})
		cl.clientURLs = append(cl.clientURLs, strings.TrimPrefix(cu, "http://"))
	}
	t.Cleanup(func() {
		for i := range cl.cmds {
			cl.kill(i)
		}
	})
	for i := range 3 {
		cl.start(i)
	}
	for i := range 3 {
		cl.waitHealthy(i)
	}
	return cl
}

// start starts member i (again: it keeps its data directory).
func (cl *cluster) start(i int) {
	t := cl.t
	t.Helper()
	cmd := exec.Command(cl.bin, cl.args[i]...)
	logf, err := os.OpenFile(filepath.Join(cl.dir, fmt.Sprintf("t%d.log", i)), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cl.cmds[i] = cmd
}

// kill kills member i, if it runs.
func (cl *cluster) kill(i int) {
	if c := cl.cmds[i]; c != nil {
		c.Process.Kill()
		c.Wait()
		cl.cmds[i] = nil
	}
}

// waitHealthy polls member i's /health until it has a leader: at most a
// minute.
func (cl *cluster) waitHealthy(i int) {
	t := cl.t
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	hc := &http.Client{Timeout: 2 * time.Second} // /health waits for a leader
	for {
		r, err := hc.Get("http://" + cl.clientURLs[i] + "/health")
		if err == nil {
			var b [64]byte
			n, _ := r.Body.Read(b[:])
			r.Body.Close()
			if strings.Contains(string(b[:n]), `"health":"true"`) {
				return
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(cl.dir, fmt.Sprintf("t%d.log", i)))
			t.Fatalf("test cluster member %d is not healthy after a minute; its log ends:\n%s", i, b[max(0, len(b)-2000):])
		}
		time.Sleep(50 * time.Millisecond) // polling a server's health, bounded
	}
}

// leader returns the index of the member that leads.
func (cl *cluster) leader(ctx context.Context, c *clientv3.Client) int {
	cl.t.Helper()
	for i, u := range cl.clientURLs {
		if cl.cmds[i] == nil {
			continue
		}
		st, err := c.Status(ctx, u)
		if err == nil && st.Leader == st.Header.MemberId {
			return i
		}
	}
	cl.t.Fatal("no member says it leads")
	return -1
}

// TestMemberKilled: with a store connected to a three-member cluster, the
// member the client uses first is killed; reads and writes go on through
// the other two, and a watcher goes on seeing changes.
func TestMemberKilled(t *testing.T) {
	cl := startCluster(t)
	c := newClient(t, cl.clientURLs)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	s := secretstore.New(openStore(t, c, "/failover"), secretstore.EnableSet(true))
	defer s.Close()
	if err := s.Set(ctx, "k", "before"); err != nil {
		t.Fatal(err)
	}
	changes, err := s.Watch(ctx, []string{"k"}, secretstore.WatchOptions{Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	cl.kill(0)
	start := time.Now()
	// The client's failover: the first read after the kill may wait for
	// the balancer to leave the dead member; each attempt is bounded.
	var got string
	for attempt := 0; ; attempt++ {
		rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
		sec, ok, err := s.Lookup(rctx, "k")
		rcancel()
		if err == nil && ok {
			got = sec.Reveal()
			break
		}
		if attempt >= 10 {
			t.Fatalf("reads fail after a member was killed: %v", err)
		}
	}
	t.Logf("first read after the kill took %v", time.Since(start))
	if got != "before" {
		t.Fatalf("read %q after the kill", got)
	}
	if err := s.Set(ctx, "k", "after"); err != nil {
		t.Fatalf("Set after a member was killed: %v", err)
	}
	for {
		select {
		case ch := <-changes:
			if ch.Err != nil {
				t.Logf("watch error during failover (it backs off and resumes): %v", ch.Err)
				continue
			}
			if ch.Name != "k" {
				t.Fatalf("change %+v", ch)
			}
			sec, _, err := s.Lookup(ctx, "k")
			if err != nil || sec.Reveal() != "after" {
				t.Fatalf("after the change the store reads the old value (err %v)", err)
			}
			return
		case <-ctx.Done():
			t.Fatal("the watcher saw no change after the member was killed")
		}
	}
}

// TestFailoverUnderLoad: with a writer and a reader running, the member the
// client uses first is killed, then (after it is back) the leader. Every
// acknowledged Set stays readable, reads and writes resume within the
// client's failover time (logged), and the watcher's last change leads to
// the last written value.
func TestFailoverUnderLoad(t *testing.T) {
	cl := startCluster(t)
	c := newClient(t, cl.clientURLs)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	s := secretstore.New(openStore(t, c, "/load"), secretstore.EnableSet(true))
	defer s.Close()
	if err := s.Set(ctx, "counter", "0"); err != nil {
		t.Fatal(err)
	}
	changes, err := s.Watch(ctx, []string{"counter"}, secretstore.WatchOptions{Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	acked := make(chan int, 1024) // each acknowledged write, in order
	stop := make(chan struct{})
	writerDone := make(chan struct{})
	var attempted, longest atomic.Int64
	go func() {
		defer close(writerDone)
		last := time.Now()
		for i := 1; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			attempted.Store(int64(i))
			wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
			err := s.Set(wctx, "counter", strconv.Itoa(i))
			wcancel()
			if err != nil {
				i-- // not acknowledged: write the same number again
				continue
			}
			if gap := time.Since(last); gap > time.Duration(longest.Load()) {
				longest.Store(int64(gap))
			}
			last = time.Now()
			select {
			case acked <- i:
			default:
			}
		}
	}()
	readerDone := make(chan struct{})
	var readFailures atomic.Int64
	go func() {
		defer close(readerDone)
		for {
			select {
			case <-stop:
				return
			default:
			}
			rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
			if _, _, err := s.Lookup(rctx, "counter"); err != nil {
				readFailures.Add(1)
			}
			rcancel()
		}
	}()
	// waitWrites waits for n more acknowledged writes, bounded.
	lastAcked := 0
	waitWrites := func(n int, what string) {
		t.Helper()
		for range n {
			select {
			case lastAcked = <-acked:
			case <-time.After(30 * time.Second): // a bound on a stuck writer, not a synchronisation
				t.Fatalf("no acknowledged write for 30 s %s", what)
			}
		}
	}
	waitWrites(5, "before the kills")
	cl.kill(0)
	waitWrites(10, "after the first member was killed")
	cl.start(0)
	cl.waitHealthy(0)
	lead := cl.leader(ctx, c)
	cl.kill(lead)
	t.Logf("killed member 0, restarted it, then killed the leader (member %d)", lead)
	waitWrites(10, "after the leader was killed")
	close(stop)
	<-writerDone
	<-readerDone
	for {
		select {
		case lastAcked = <-acked:
			continue
		default:
		}
		break
	}
	sec, ok, err := s.Lookup(ctx, "counter")
	if err != nil || !ok {
		t.Fatalf("read after the failovers: %v", err)
	}
	got, _ := strconv.Atoi(sec.Reveal())
	if got < lastAcked || int64(got) > attempted.Load() {
		t.Fatalf("after the failovers the counter is %d; the last acknowledged write was %d", got, lastAcked)
	}
	t.Logf("longest gap between acknowledged writes (the client's failover time): %v; failed reads: %d", time.Duration(longest.Load()), readFailures.Load())
	// The watcher's changes end with the last value.
	for {
		select {
		case ch := <-changes:
			if ch.Err != nil {
				continue
			}
			cur, _, err := s.Lookup(ctx, "counter")
			if err == nil && cur.Reveal() == sec.Reveal() {
				return
			}
		case <-time.After(30 * time.Second): // a bound on a broken watch, not a synchronisation
			t.Fatal("the watcher did not report the last write after the failovers")
		}
	}
}

// TestAuth: on a cluster with authentication enabled, the URL's username and
// password-file authenticate; a user without a role and a wrong password are
// refused as permission denied.
func TestAuth(t *testing.T) {
	cl := startCluster(t)
	c := newClient(t, cl.clientURLs)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	for _, step := range []func() error{
		func() error { _, err := c.UserAdd(ctx, "root", "root-pw"); return err },
		func() error { _, err := c.UserGrantRole(ctx, "root", "root"); return err },
		func() error { _, err := c.UserAdd(ctx, "nobody", "nobody-pw"); return err },
		func() error { _, err := c.AuthEnable(ctx); return err },
	} {
		if err := step(); err != nil {
			t.Fatalf("setting up authentication: %v", err)
		}
	}
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "k")
	os.WriteFile(keyPath, []byte(strings.Repeat("k", 32)), 0o600)
	pw := func(name, pw string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(pw+"\n"), 0o600)
		return p
	}
	u := func(user, pwFile string) string {
		return fmt.Sprintf("etcd://%s/authz?key-file=%s&username=%s&password-file=%s", strings.Join(cl.clientURLs, ","), keyPath, url.QueryEscape(user), pwFile)
	}
	s, err := secretstore.Open(ctx, u("root", pw("root", "root-pw")), secretstore.EnableSet(true))
	if err != nil {
		t.Fatalf("Open as root: %v", err)
	}
	if err := s.Set(ctx, "a", "v"); err != nil {
		t.Fatalf("Set as root: %v", err)
	}
	s.Close()
	for _, tc := range []struct{ user, pw string }{{"nobody", "nobody-pw"}, {"root", "wrong"}} {
		_, err := secretstore.Open(ctx, u(tc.user, pw(tc.user+"-"+tc.pw, tc.pw)))
		if driver.CodeOf(err) != driver.PermissionDenied {
			t.Fatalf("Open as %s with password %s: %v, want permission denied", tc.user, tc.pw, err)
		}
		if err != nil && strings.Contains(err.Error(), tc.pw+"\n") {
			t.Fatalf("the error repeats the password: %v", err)
		}
	}
}
