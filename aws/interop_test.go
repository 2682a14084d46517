package awssm_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/internal/testenv"
)

// awsCLI runs the AWS CLI against moto and returns its standard output.
type awsCLI struct {
	t        *testing.T
	path     string
	endpoint string
	env      []string
}

func newAWSCLI(t *testing.T, endpoint string) *awsCLI {
	t.Helper()
	p, err := exec.LookPath("aws")
	if err != nil {
		if testenv.InCI() && os.Getenv("SECRETSTORE_CI_NO_MOTO") == "1" {
			t.Skip("SKIPPED IN CI: the aws CLI is not installed on this machine; the interop test with the AWS CLI did not run")
		}
		testenv.Need(t, "moto", "the aws CLI is not on PATH (it ships beside moto_server in this machine's image)")
	}
	dir := t.TempDir()
	// The machine's AWS settings stay out: only test credentials, and no
	// files of this machine's.
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "AWS_") })
	env = append(env,
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"), "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=")
	return &awsCLI{t: t, path: p, endpoint: endpoint, env: env}
}

func (c *awsCLI) run(args ...string) string {
	c.t.Helper()
	cmd := exec.CommandContext(c.t.Context(), c.path, append([]string{"secretsmanager", "--endpoint-url", c.endpoint}, args...)...)
	cmd.Env = c.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		// The CLI's output holds test values only.
		c.t.Fatalf("aws secretsmanager %s: %v\n%s", args[0], err, errb.String())
	}
	return out.String()
}

// TestMotoInteropAWSCLI: secrets the AWS CLI creates, named as teams name
// them (myapp-secret and prod/db-master, which end in '-' and six
// characters; rds!db-<uuid>, as RDS names the master passwords it
// manages), holding text, JSON or binary values, are read byte for byte by
// the driver under those very names, one at a time and in one batch, and
// listed; what the driver writes, the CLI reads back byte for byte.
func TestMotoInteropAWSCLI(t *testing.T) {
	endpoint := motoURL(t)
	cli := newAWSCLI(t, endpoint)
	testEnv(t)
	run := randHex(t, 4)
	bin := []byte{0x00, 0xff, 0x10, 'a', 0x80, '\n'}
	binFile := filepath.Join(t.TempDir(), "value.bin")
	if err := os.WriteFile(binFile, bin, 0o600); err != nil {
		t.Fatal(err)
	}
	made := map[string]string{
		"interop-" + run + "/myapp-secret":               "s3cr3t-value",
		"interop-" + run + "/prod/db-master":             "multi\nline value with spaces ",
		"rds!db-" + run + "-0e4f-4a7b-9c1d-2b3a4c5d6e7f": `{"username":"admin","password":"p@ss:w0rd!"}`,
		"interop-" + run + "/prod/db":                    `{"username": "app", "password": "hunter2", "port": 5432}`,
	}
	binName := "interop-" + run + "/prod/tls-key"
	t.Cleanup(func() {
		for n := range made {
			cmd := exec.Command(cli.path, "secretsmanager", "--endpoint-url", endpoint, "delete-secret", "--secret-id", n, "--force-delete-without-recovery")
			cmd.Env = cli.env
			_ = cmd.Run()
		}
	})
	for n, v := range made {
		cli.run("create-secret", "--name", n, "--secret-string", v)
	}
	cli.run("create-secret", "--name", binName, "--secret-binary", "fileb://"+binFile)
	made[binName] = string(bin)

	d := openMoto(t, endpoint, "")
	st := secretstore.New(d, secretstore.EnableSet(true), secretstore.EnableRemove(true))
	ctx := t.Context()
	var all []string
	for n, want := range made {
		all = append(all, n)
		v, ok, err := st.Lookup(ctx, n)
		if err != nil || !ok || v.Reveal() != want {
			t.Errorf("Lookup(%q): found %v, %v; the value differs from what the CLI wrote: %v", n, ok, err, v.Reveal() != want)
		}
	}
	ss, err := st.Get(ctx, all...)
	if err != nil {
		t.Fatal(err)
	}
	for n, want := range made {
		if ss.Reveal(n) != want {
			t.Errorf("Get (batch) of %q: the value differs from what the CLI wrote", n)
		}
	}
	listed, err := st.List(ctx, "interop-"+run+"/")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(listed)
	want := []string{"interop-" + run + "/myapp-secret", "interop-" + run + "/prod/db", "interop-" + run + "/prod/db-master", binName}
	slices.Sort(want)
	if !slices.Equal(listed, want) {
		t.Errorf("List = %q, want %q", listed, want)
	}
	if _, err := st.Get(ctx, "interop-"+run+":x"); !errors.Is(err, secretstore.ErrInvalidName) {
		t.Errorf("Get of a name with ':' in native mode: %v, want ErrInvalidName", err)
	}

	// The other way: the driver writes, the CLI reads.
	written := map[string]string{
		"interop-" + run + "/written/text": "written by the driver\nsecond line",
		"interop-" + run + "/written/json": `{"token":"abc","n":1}`,
		"interop-" + run + "/myapp-secret": "second version, by the driver",
	}
	for n, v := range written {
		made[n] = v
		if err := st.Set(ctx, n, v); err != nil {
			t.Fatal(err)
		}
		got := cli.run("get-secret-value", "--secret-id", n, "--query", "SecretString", "--output", "text")
		if got != v+"\n" {
			t.Errorf("the CLI reads %q differently from what the driver wrote", n)
		}
	}
	wbin := "interop-" + run + "/written/binary"
	made[wbin] = ""
	if err := st.Set(ctx, wbin, "\xff\xfe\x00binary"); err != nil {
		t.Fatal(err)
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cli.run("get-secret-value", "--secret-id", wbin, "--query", "SecretBinary", "--output", "text")))
	if err != nil || string(got) != "\xff\xfe\x00binary" {
		t.Errorf("the CLI reads the binary %q differently from what the driver wrote (%v)", wbin, err)
	}
	// The CLI sees the version the driver replaced as AWSPREVIOUS.
	if prev := cli.run("get-secret-value", "--secret-id", "interop-"+run+"/myapp-secret", "--version-stage", "AWSPREVIOUS",
		"--query", "SecretString", "--output", "text"); prev != "s3cr3t-value\n" {
		t.Error("the CLI does not see the CLI's value as AWSPREVIOUS after the driver's write")
	}
	// The escaped mode maps names: the same store in names=escaped reads
	// "tenant:acme:key" from the AWS secret tenant=cacme=ckey.
	esc := secretstore.New(openMoto(t, endpoint, "&names=escaped"), secretstore.EnableSet(true))
	escName := "interop-" + run + "/tenant:acme:key"
	made["interop-"+run+"/tenant=cacme=ckey"] = ""
	if err := esc.Set(ctx, escName, "escaped"); err != nil {
		t.Fatal(err)
	}
	if got := cli.run("get-secret-value", "--secret-id", "interop-"+run+"/tenant=cacme=ckey", "--query", "SecretString", "--output", "text"); got != "escaped\n" {
		t.Error("names=escaped did not write tenant:acme:key as the AWS secret tenant=cacme=ckey")
	}
}

func randHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
