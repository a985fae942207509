package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"text/tabwriter"

	"github.com/beianbot/beianbot/faq"
)

// label is one line of a labelled JSONL file. Its "expect" is one entry id,
// a list of acceptable ids (copies of one answer), or null for a query the
// FAQ does not cover; Expect holds them all, none for null.
type label struct {
	Query  string
	Expect []string
}

// UnmarshalJSON reads {"query": ..., "expect": "id" | ["id", ...] | null}.
func (l *label) UnmarshalJSON(b []byte) error {
	var raw struct {
		Query  string          `json:"query"`
		Expect json.RawMessage `json:"expect"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	l.Query, l.Expect = raw.Query, nil
	switch {
	case len(raw.Expect) == 0 || string(raw.Expect) == "null":
	case raw.Expect[0] == '"':
		var id string
		if err := json.Unmarshal(raw.Expect, &id); err != nil {
			return err
		}
		l.Expect = []string{id}
	default:
		if err := json.Unmarshal(raw.Expect, &l.Expect); err != nil {
			return fmt.Errorf("expect: want an id, a list of ids or null: %w", err)
		}
	}
	return nil
}

// tally counts outcomes for one matcher over the labelled queries.
type tally struct {
	top1     int // in-scope queries whose top hit is the expected entry
	answered int // in-scope queries answered with the expected entry
	wrong    int // in-scope queries answered with another entry
	outAns   int // out-of-scope queries answered anyway
}

// evaluate prints, for bleve and for faq, how their top hits compare with
// the labels in files.
func evaluate(w io.Writer, files []string, s *searcher, ix *faq.Index, minScore float64) error {
	ctx := context.Background()
	var labels []label
	for _, f := range files {
		ls, err := readLabels(f)
		if err != nil {
			return err
		}
		labels = append(labels, ls...)
	}
	var in, out int
	var bl, ours tally
	for _, l := range labels {
		h, err := s.top(ctx, l.Query)
		if err != nil {
			return err
		}
		var bleveID string
		if h.entry != nil {
			bleveID = h.entry.ID
		}
		r := ix.Match(l.Query)
		var oursID string
		if r.Best.Entry != nil {
			oursID = r.Best.Entry.ID
		}
		if len(l.Expect) == 0 {
			out++
			bl.add(nil, bleveID, h.entry != nil && h.score >= minScore)
			ours.add(nil, oursID, r.Answered)
			continue
		}
		in++
		bl.add(l.Expect, bleveID, h.entry != nil && h.score >= minScore)
		ours.add(l.Expect, oursID, r.Answered)
	}
	if in == 0 {
		return fmt.Errorf("evaluate %v: no in-scope labelled queries", files)
	}
	fmt.Fprintf(w, "%d labelled queries: %d in scope, %d out of scope; %d FAQ entries; bleve --min-score %g\n",
		len(labels), in, out, ix.Len(), minScore)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "matcher\ttop-1 in scope\tanswered right\tanswered wrong\tout of scope answered")
	for _, row := range []struct {
		name string
		t    tally
	}{{"bleve", bl}, {"faq", ours}} {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", row.name,
			pct(row.t.top1, in), pct(row.t.answered, in), pct(row.t.wrong, in), pct(row.t.outAns, out))
	}
	return tw.Flush()
}

// add records one query: the acceptable ids (none when out of scope), the
// matcher's top id, and whether it answered.
func (t *tally) add(expect []string, got string, answered bool) {
	switch {
	case len(expect) == 0:
		if answered {
			t.outAns++
		}
	case slices.Contains(expect, got):
		t.top1++
		if answered {
			t.answered++
		}
	case answered:
		t.wrong++
	}
}

func pct(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d = %.1f%%", n, of, 100*float64(n)/float64(of))
}

// readLabels reads a labelled JSONL file.
func readLabels(path string) ([]label, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read labels: %w", err)
	}
	defer f.Close()
	var out []label
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var l label
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("read labels %s:%d: %w", path, n, err)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read labels %s: %w", path, err)
	}
	return out, nil
}
