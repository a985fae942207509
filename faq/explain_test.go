package faq

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestExplainQueries prints Explain for the queries in $EXPLAIN (separated
// by ";") against $EXPLAIN_FAQ ("" seed, "corpus", "large").
func TestExplainQueries(t *testing.T) {
	qs := os.Getenv("EXPLAIN")
	if qs == "" {
		t.Skip("set EXPLAIN to queries separated by ;")
	}
	ix := loadEval(t, os.Getenv("EXPLAIN_FAQ"), Options{})
	for _, q := range strings.Split(qs, ";") {
		ex := ix.Explain(q)
		t.Logf("%q clauses=%q asking=%d answered=%v", q, ex.Clauses, ex.Asking, ex.Result.Answered)
		var terms []string
		for _, tw := range ex.Terms {
			mark := ""
			if !tw.Known {
				mark = "?"
			}
			terms = append(terms, mark+tw.Term+"="+strings.TrimRight(strings.TrimRight(fmtF(tw.Weight), "0"), "."))
		}
		t.Logf("  terms: %s", strings.Join(terms, " "))
		for _, e := range ex.Entries {
			t.Logf("  %s %.3f raw=%.3f %s q=%.2f e=%.2f pen=%.2f %q Q%v P%v A%v", e.ID, e.Score, e.Raw, e.Span, e.QueryCoverage, e.EntryCoverage, e.Penalty, e.Question, e.InQuestion, e.InPhrasings, e.InAnswer)
		}
	}
}

func fmtF(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }
