package faq

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestExplain prints how the queries in $EXPLAIN (separated by ";") are
// analysed and scored: a tool for growing the lexicon. It is skipped when
// EXPLAIN is unset.
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
		var parts []string
		for _, term := range ix.an.analyze(q, nil) {
			if ti, ok := ix.terms[term]; ok {
				parts = append(parts, fmt.Sprintf("%s=%.2f", term, ix.idf[ti]))
			} else {
				parts = append(parts, fmt.Sprintf("%s=?%.2f", term, ix.unknownWeight(term)))
			}
		}
		r := ix.Match(q)
		t.Logf("%q\n  terms: %s\n  answered=%v best=%v %.2f", q, strings.Join(parts, " "), r.Answered, idOf(r.Best.Entry), r.Best.Score)
		for _, s := range r.Suggestions {
			t.Logf("  suggestion %s %.2f", s.Entry.ID, s.Score)
		}
	}
}

func idOf(e *Entry) string {
	if e == nil {
		return "-"
	}
	return e.ID + " " + e.Question
}
