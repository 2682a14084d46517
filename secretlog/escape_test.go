package secretlog

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

// TestJSONForms checks the escaped forms against what log/slog and
// encoding/json write.
func TestJSONForms(t *testing.T) {
	for _, v := range []string{
		"plain", `q"uote`, `back\slash`, "nl\ncr\rtab\t", "bs\bff\f", "ctl\x00\x01\x1f", "bad\xffutf8\xc3",
		"sep\u2028\u2029", "<html>&", "é ü 日本", "",
	} {
		var sb bytes.Buffer
		slog.New(slog.NewJSONHandler(&sb, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key != "v" {
				return slog.Attr{}
			}
			return a
		}})).Info("", "v", v)
		slogForm := strings.TrimSuffix(strings.TrimPrefix(sb.String(), `{"v":"`), "\"}\n")
		var jb bytes.Buffer
		enc := json.NewEncoder(&jb)
		enc.SetEscapeHTML(false)
		enc.Encode(v)
		jsonForm := strings.TrimSuffix(strings.TrimPrefix(jb.String(), `"`), "\"\n")

		forms := jsonForms(v)
		has := func(f string) bool {
			if f == v {
				return true
			}
			for _, g := range forms {
				if g == f {
					return true
				}
			}
			return false
		}
		if !has(slogForm) || !has(jsonForm) {
			t.Errorf("%q: forms %q, want slog's %q and encoding/json's %q", v, forms, slogForm, jsonForm)
		}
		if len(forms) > 0 && slogForm == v {
			t.Errorf("%q: forms %q for a value JSON does not escape", v, forms)
		}
	}
}
