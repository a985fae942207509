package secret

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestNeverPrinted(t *testing.T) {
	s := String("xoxb-123-456-abcdef")
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("start", "token", s)
	out := buf.String() + fmt.Sprintf("%v %s %+v %#v", s, s, s, s)
	if strings.Contains(out, "abcdef") {
		t.Errorf("secret leaked: %s", out)
	}
	if !strings.Contains(out, "xoxb-[redacted]") {
		t.Errorf("redacted form lacks the prefix: %s", out)
	}
	if s.Reveal() != "xoxb-123-456-abcdef" {
		t.Errorf("Reveal() = %q", s.Reveal())
	}
	if String("").Redacted() != "" || String("plain").Redacted() != "[redacted]" {
		t.Errorf("Redacted of empty or prefix-less secrets is wrong")
	}
}
