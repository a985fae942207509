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

// TestTune searches the matcher's parameters on our own paraphrases and
// reports the best sets with their score on the dev sample, which is kept
// out of the search. It runs only when TUNE is set.
func TestTune(t *testing.T) {
	if os.Getenv("TUNE") == "" {
		t.Skip("set TUNE=1")
	}
	ix, err := LoadEmbedded(Options{})
	if err != nil {
		t.Fatal(err)
	}
	train := readEval(t, "testdata/paraphrases.jsonl")
	dev := readEval(t, "../../shared/eval/dev.jsonl")
	type row struct {
		p      params
		tr, dv float64
	}
	var rows []row
	{
		{
			for _, aw := range []float32{0.3, 0.45} {
				for _, ul := range []float32{0.75} {
					for _, c := range []float64{0.45, 0.5, 0.55, 0.6, 0.65} {
						for _, sl := range []float64{6, 9, 14} {
							for _, ld := range []float64{0, 4, 8} {
								for _, mm := range []float64{0.02, 0.04, 0.06} {
									ix.p = params{answerWeight: aw, unknownLatin: ul, center: c, slope: sl, lead: ld, minMargin: mm}
									a, b, c2, d := scoreEval(t, ix, train, false)
									tr := float64(a)/float64(b) + float64(c2)/float64(d)
									a, b, c2, d = scoreEval(t, ix, dev, false)
									rows = append(rows, row{ix.p, tr, float64(a)/float64(b) + float64(c2)/float64(d)})
								}
							}
						}
					}
				}
			}
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].tr > rows[j].tr })
	for _, r := range rows[:15] {
		t.Logf("%+v train %.3f dev %.3f", r.p, r.tr, r.dv)
	}
}
