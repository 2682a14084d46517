package filestore_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/secretstore-go/secretstore/filestore"
)

const crashNames = 50

// crashWrite is the i-th write of the crash test: name and value. Values
// are binary, and every tenth one is larger than 64 KiB.
func crashWrite(i int) (name, value string) {
	var b strings.Builder
	fmt.Fprintf(&b, "%08d:", i)
	for k := range 256 {
		b.WriteByte(byte(k + i))
	}
	if i%10 == 3 {
		b.WriteString(strings.Repeat(string(rune('A'+i%26)), 70<<10))
	}
	return fmt.Sprintf("crash/%02d", i%crashNames), b.String()
}

// crashIndex returns the write a stored value came from, checking that the
// value is exactly that write's.
func crashIndex(t *testing.T, name, value string) int {
	t.Helper()
	i, err := strconv.Atoi(value[:min(8, len(value))])
	if err != nil {
		t.Fatalf("%s holds a value that no write produced", name)
	}
	if n, v := crashWrite(i); n != name || v != value {
		t.Fatalf("%s holds a damaged value of write %d", name, i)
	}
	return i
}

// TestHelperProcess is the child of TestCrashSafety: it writes crashWrite(i)
// for i from FILESTORE_CRASH_START on, printing "ok i" after each Set that
// returned success, until it is killed.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("FILESTORE_CRASH_HELPER") != "1" {
		t.Skip("the child process of TestCrashSafety")
	}
	start, _ := strconv.Atoi(os.Getenv("FILESTORE_CRASH_START"))
	opts := filestore.Options{KeepOpen: os.Getenv("FILESTORE_CRASH_KEEPOPEN") == "1"}
	s, err := filestore.Open(os.Getenv("FILESTORE_CRASH_PATH"), filestore.KeyFile(os.Getenv("FILESTORE_CRASH_KEY")), opts)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	for i := start; ; i++ {
		name, value := crashWrite(i)
		if err := s.Set(context.Background(), name, value); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Printf("ok %d\n", i) // os.Stdout is unbuffered
	}
}

// TestCrashSafety kills a writing child process with SIGKILL at random
// moments, many times, and checks after each kill that the file opens and
// holds every write that had returned success, with its previous value.
func TestCrashSafety(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("needs processes and SIGKILL")
	}
	rounds := 16
	if testing.Short() {
		rounds = 4
	}
	ctx := context.Background()
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "key")
	path := filepath.Join(dir, "secrets.db")
	if err := filestore.NewKeyFile(keyPath); err != nil {
		t.Fatal(err)
	}
	key := filestore.KeyFile(keyPath)
	if err := filestore.Init(path, key, filestore.Options{}); err != nil {
		t.Fatal(err)
	}

	maxAcked := -1
	lastAcked := map[string]int{} // name -> last acknowledged write to it
	for round := range rounds {
		keepOpen := round%2 == 1
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
		cmd.Env = append(os.Environ(),
			"FILESTORE_CRASH_HELPER=1",
			"FILESTORE_CRASH_PATH="+path,
			"FILESTORE_CRASH_KEY="+keyPath,
			"FILESTORE_CRASH_START="+strconv.Itoa(maxAcked+1),
			"FILESTORE_CRASH_KEEPOPEN="+map[bool]string{true: "1"}[keepOpen],
		)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		killAfter := 1 + rand.IntN(12)
		acks, killed := 0, false
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			rest, ok := strings.CutPrefix(line, "ok ")
			if !ok {
				if strings.HasPrefix(line, "error") {
					t.Errorf("round %d: child: %s", round, line)
				}
				continue
			}
			i, err := strconv.Atoi(rest)
			if err != nil || i != maxAcked+1 {
				t.Fatalf("round %d: child acknowledged %q after write %d", round, line, maxAcked)
			}
			maxAcked = i
			name, _ := crashWrite(i)
			lastAcked[name] = i
			if acks++; acks == killAfter && !killed {
				cmd.Process.Kill() // SIGKILL
				killed = true
			}
		}
		err = cmd.Wait()
		var ee *exec.ExitError
		if !killed || !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: child ended with %v after %d acknowledged writes, want a SIGKILL", round, err, acks)
		}

		s, err := filestore.Open(path, key, filestore.Options{})
		if err != nil {
			t.Fatalf("round %d: Open after SIGKILL: %v", round, err)
		}
		if err := s.Verify(ctx); err != nil {
			t.Fatalf("round %d: Verify after SIGKILL: %v", round, err)
		}
		for k := range crashNames {
			name := fmt.Sprintf("crash/%02d", k)
			cur, prev, err := s.GetVersions(ctx, name)
			if err != nil {
				t.Fatalf("round %d: GetVersions(%s): %v", round, name, err)
			}
			acked, wasAcked := lastAcked[name]
			if cur == nil {
				if wasAcked {
					t.Fatalf("round %d: %s is missing, but write %d to it was acknowledged", round, name, acked)
				}
				continue
			}
			j := crashIndex(t, name, *cur)
			// At most the one write in flight at the kill can be there
			// unacknowledged.
			if (wasAcked && j < acked) || j > maxAcked+1 {
				t.Fatalf("round %d: %s holds write %d; last acknowledged %d (of all: %d)", round, name, j, acked, maxAcked)
			}
			if j < crashNames {
				if prev != nil {
					t.Fatalf("round %d: %s has a previous value after its first write", round, name)
				}
			} else if prev == nil || crashIndex(t, name, *prev) != j-crashNames {
				t.Fatalf("round %d: %s holds write %d but not write %d as its previous value", round, name, j, j-crashNames)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d rounds, %d acknowledged writes", rounds, maxAcked+1)
}
