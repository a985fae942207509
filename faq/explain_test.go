package faq

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestExplain prints how queries in $EXPLAIN (separated by ";") are analysed
// and scored; it does nothing when EXPLAIN is unset.
func TestExplain(t *testing.T) {
	qs := os.Getenv("EXPLAIN")
	if qs == "" {
		t.Skip("set EXPLAIN to queries separated by ;")
	}
	ix, err := LoadEmbedded(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range strings.Split(qs, ";") {
		terms := ix.an.analyze(q, nil)
		var parts []string
		for _, term := range terms {
			if ti, ok := ix.terms[term]; ok {
				parts = append(parts, term+"="+strings.TrimRight(strings.TrimRight(fmtF(float64(ix.idf[ti])), "0"), "."))
			} else {
				parts = append(parts, term+"=?")
			}
		}
		r := ix.Match(q)
		t.Logf("%q\n  terms: %s\n  answered=%v best=%v %.2f", q, strings.Join(parts, " "), r.Answered, idOf(r.Best.Entry), r.Best.Score)
		for _, s := range r.Suggestions {
			t.Logf("  sugg %s %.2f", s.Entry.ID, s.Score)
		}
		sc := ix.getScratch()
		ix.Match(q)
		_ = sc
		t.Logf("  raw: %v", ix.debugRaw(q))
	}
}

func idOf(e *Entry) string {
	if e == nil {
		return "-"
	}
	return e.ID + " " + e.Question
}

func fmtF(f float64) string {
	return strings.TrimSpace(strings.Replace(string(rune('0'+int(f)))+"."+string(rune('0'+int(f*10)%10))+string(rune('0'+int(f*100)%10)), "", "", 0))
}

func (ix *Index) debugRaw(q string) string {
	var out string
	ix.debug = func(raw []float64) {
		for g, r := range raw {
			if r > 0.3 {
				out += fmt.Sprintf(" %s=%.3f", ix.groups[g].id[8:11], r)
			}
		}
	}
	defer func() { ix.debug = nil }()
	ix.Match(q)
	return out
}
