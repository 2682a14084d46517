package redact_test

import (
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/secretstore-go/secretstore"
	"github.com/secretstore-go/secretstore/internal/redact"
)

func TestMaskIsRedacted(t *testing.T) {
	if redact.Mask != secretstore.Redacted {
		t.Fatalf("redact.Mask %q differs from secretstore.Redacted %q", redact.Mask, secretstore.Redacted)
	}
}

func ExampleNewWriter() {
	w := redact.NewWriter(os.Stdout, []string{"hunter2", "sk_live_42"})
	// A log arriving in pieces: the value is split across reads.
	io.Copy(w, io.MultiReader(strings.NewReader("login ok pw=hun"), strings.NewReader("ter2 key=sk_live_42\n")))
	w.Close()
	// Output: login ok pw=[REDACTED] key=[REDACTED]
}

func ExampleMatcher_Redact() {
	m := redact.NewMatcher([]string{"abc", "abcdef", "cde"})
	fmt.Println(m.Redact("xabcdefx abcde"))
	// Output: x[REDACTED]x [REDACTED]de
}
