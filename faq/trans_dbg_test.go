package faq

import (
	"os"
	"testing"
)

func TestTransDebug(t *testing.T) {
	if os.Getenv("TRANS") == "" {
		t.Skip()
	}
	ix := loadEval(t, "corpus", Options{})
	names := make([]string, len(ix.voc.ids))
	for s, i := range ix.voc.ids {
		names[i] = s
	}
	n := 0
	for k, ts := range ix.trans {
		if !isASCIIWord(names[k]) {
			continue
		}
		n++
		if n < 60 {
			line := names[k] + " →"
			for _, tr := range ts {
				line += " " + names[tr.term]
			}
			t.Log(line)
		}
	}
	t.Logf("%d english terms with translations", n)
}
