package faq

import (
	"os"
	"testing"
)

func TestSubjectDebug(t *testing.T) {
	if os.Getenv("SUBJ") == "" {
		t.Skip()
	}
	for _, name := range []string{"", "corpus", "large"} {
		ix := loadEval(t, name, Options{})
		var out []string
		for s, i := range ix.voc.ids {
			if ix.voc.subject[i] {
				out = append(out, s)
			}
		}
		t.Logf("%q: %v", name, out)
	}
}
