package faq

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
)

// tuneSets are the labelled sets TestTune searches on: evalSets but the
// shared samples and the sets written for the latest figures (untuned), so
// that their figures stay honest.
var tuneSets = func() []struct{ faq, file string } {
	var out []struct{ faq, file string }
	for _, s := range evalSets {
		if !strings.HasPrefix(s.file, "../") && !slices.Contains(untunedSets, s.file) {
			out = append(out, s)
		}
	}
	return out
}()

// untunedSets are the labelled sets of the latest figures, never searched on.
var untunedSets = []string{"testdata/heldout_i.jsonl", "testdata/corpus_e.jsonl", "testdata/large_d.jsonl", "testdata/heldout_j.jsonl", "testdata/corpus_f.jsonl", "testdata/large_e.jsonl", "testdata/heldout_k.jsonl", "testdata/corpus_g.jsonl", "testdata/large_f.jsonl", "testdata/heldout_l.jsonl", "testdata/corpus_h.jsonl", "testdata/large_g.jsonl", "testdata/heldout_n.jsonl", "testdata/corpus_j.jsonl", "testdata/large_i.jsonl", "testdata/heldout_o.jsonl", "testdata/corpus_k.jsonl", "testdata/large_j.jsonl", "testdata/heldout_p.jsonl", "testdata/corpus_l.jsonl", "testdata/large_k.jsonl", "testdata/heldout_q.jsonl", "testdata/corpus_m.jsonl", "testdata/large_l.jsonl", "testdata/heldout_r.jsonl", "testdata/corpus_n.jsonl", "testdata/large_m.jsonl", "testdata/heldout_s.jsonl", "testdata/corpus_o.jsonl", "testdata/large_n.jsonl", "testdata/heldout_t.jsonl", "testdata/corpus_p.jsonl", "testdata/large_o.jsonl", "testdata/heldout_u.jsonl", "testdata/corpus_q.jsonl", "testdata/large_p.jsonl", "testdata/heldout_v.jsonl", "testdata/corpus_r.jsonl", "testdata/large_q.jsonl", "testdata/heldout_w.jsonl", "testdata/corpus_s.jsonl", "testdata/large_r.jsonl", "testdata/heldout_x.jsonl", "testdata/corpus_t.jsonl", "testdata/large_s.jsonl", "testdata/heldout_y.jsonl", "testdata/corpus_u.jsonl", "testdata/large_t.jsonl", "testdata/heldout_z.jsonl", "testdata/corpus_v.jsonl", "testdata/large_u.jsonl", "testdata/heldout_aa.jsonl", "testdata/heldout_ab.jsonl", "testdata/heldout_ac.jsonl", "testdata/corpus_w.jsonl", "testdata/large_v.jsonl", "testdata/heldout_ad.jsonl", "testdata/corpus_x.jsonl", "testdata/large_w.jsonl", "testdata/heldout_ae.jsonl", "testdata/corpus_y.jsonl", "testdata/large_x.jsonl", "testdata/heldout_af.jsonl", "testdata/corpus_z.jsonl", "testdata/large_y.jsonl"}

// objective rewards right answers and declined out-of-scope questions and
// punishes a confidently wrong answer three times as hard as it rewards a
// right one: precision first.
func objective(a tally) float64 {
	in, out := float64(max(a.in, 1)), float64(max(a.out, 1))
	return float64(a.right)/in - 3*float64(a.wrong)/in + 0.5*float64(a.top1)/in + float64(a.declined)/out
}

// TestTune searches the matcher's constants on tuneSets, the seed sets with
// phrasings and without, and reports the best (TUNE=1).
func TestTune(t *testing.T) {
	if os.Getenv("TUNE") == "" {
		t.Skip("set TUNE=1")
	}
	type setIx struct {
		ix    *Index
		cases []evalCase
		name  string
	}
	var sets []setIx
	for _, noPhr := range []bool{false, true} {
		cache := map[string]*Index{}
		for _, s := range tuneSets {
			if noPhr && s.faq != "" {
				continue
			}
			if cache[s.faq] == nil {
				cache[s.faq] = loadEval(t, s.faq, Options{NoPhrasings: noPhr})
			}
			sets = append(sets, setIx{cache[s.faq], readEval(t, s.file), fmt.Sprint(s.file, noPhr)})
		}
	}
	defer func() {
		for _, s := range sets {
			s.ix.setParams(defaultParams)
		}
	}()
	eval := func(p params) (float64, []tally) {
		var sum float64
		var ts []tally
		for _, s := range sets {
			s.ix.setParams(p)
			a := score(t, s.ix, s.cases, false)
			ts = append(ts, a)
			if strings.Contains(s.name, "corpus") || strings.Contains(s.name, "large") {
				sum += 3 * objective(a)
			} else {
				sum += objective(a)
			}
		}
		return sum, ts
	}
	type knob struct {
		name string
		vals []float64
		set  func(p *params, v float64)
	}
	grid := []knob{
		{"qExp", []float64{0.5, 0.6, 0.7}, func(p *params, v float64) { p.qExp = v }},
		{"unknownLong", []float64{0.5, 0.7, 0.85, 1}, func(p *params, v float64) { p.unknownLong = v }},
		{"minRaw", []float64{0.36, 0.38, 0.4, 0.42, 0.45, 0.5}, func(p *params, v float64) { p.minRaw = v }},
		{"contrastLead", []float64{0.2, 0.25, 0.3, 0.4}, func(p *params, v float64) { p.contrastLead = v }},
		{"minRawLong", []float64{0.3, 0.34, 0.38, 0.42}, func(p *params, v float64) { p.minRawLong = v }},
		{"minMargin", []float64{0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.1}, func(p *params, v float64) { p.minMargin = v }},
		{"marginLog", []float64{0, 0.005, 0.01, 0.015, 0.02, 0.025}, func(p *params, v float64) { p.marginLog = v }},
		{"ecovPrior", []float64{0.5, 1, 1.5, 2}, func(p *params, v float64) { p.ecovPrior = float32(v) }},
		{"sentenceWeight", []float64{0.5, 0.7, 0.9}, func(p *params, v float64) { p.sentenceWeight = float32(v) }},
		{"phrasingWeight", []float64{0.6, 0.8, 1}, func(p *params, v float64) { p.phrasingWeight = float32(v) }},
		{"transWeight", []float64{0.5, 0.8, 1}, func(p *params, v float64) { p.transWeight = float32(v) }},
		{"offSubject", []float64{0.75, 0.85, 1}, func(p *params, v float64) { p.offSubject = v }},
		{"unknownLatin", []float64{0.5, 0.75, 1}, func(p *params, v float64) { p.unknownLatin = float32(v) }},
		{"unknownWord", []float64{0.5, 0.75, 1}, func(p *params, v float64) { p.unknownWord = float32(v) }},
		{"answerWeight", []float64{0.25, 0.4, 0.55}, func(p *params, v float64) { p.answerWeight = float32(v) }},
		{"offCore", []float64{0.7, 0.85}, func(p *params, v float64) { p.offCore = v }},
		{"offObject", []float64{0.5, 0.7, 0.85}, func(p *params, v float64) { p.offObject = v }},
		{"offUnknownAttribute", []float64{0.5, 0.7, 0.85, 1}, func(p *params, v float64) { p.offUnknownAttribute = v }},
		{"spanFactor", []float64{0.85, 0.95}, func(p *params, v float64) { p.spanFactor = v }},
		{"spanDrop", []float64{0, 0.2, 0.4, 0.6}, func(p *params, v float64) { p.spanDrop = v }},
		{"typeMismatch", []float64{0.8, 0.9}, func(p *params, v float64) { p.typeMismatch = v }},
		{"english1", []float64{0.1, 0.2, 0.35}, func(p *params, v float64) { p.english1 = float32(v) }},
		{"english2", []float64{0.35, 0.5, 0.7}, func(p *params, v float64) { p.english2 = float32(v) }},
		{"rankQuestion", []float64{0, 0.2, 0.3, 0.435, 0.6, 0.8}, func(p *params, v float64) { p.rankQuestion = v }},
		{"rankAnswer", []float64{0, 0.3, 0.45, 0.565, 0.7, 0.9}, func(p *params, v float64) { p.rankAnswer = v }},
		{"rankClause", []float64{0, 0.1, 0.184, 0.3, 0.45}, func(p *params, v float64) { p.rankClause = v }},
		{"rankContrast", []float64{0, 0.4, 0.8, 1.2}, func(p *params, v float64) { p.rankContrast = v }},
	}
	if only := os.Getenv("TUNE_ONLY"); only != "" {
		// Search only the constants named (comma-separated).
		grid = slices.DeleteFunc(grid, func(g knob) bool { return !slices.Contains(strings.Split(only, ","), g.name) })
	}
	if os.Getenv("TUNE") == "coord" {
		// Coordinate descent: one constant at a time, a few rounds.
		p := defaultParams
		best, _ := eval(p)
		for round := 0; round < 3; round++ {
			for _, g := range grid {
				for _, v := range g.vals {
					q := p
					g.set(&q, v)
					if sc, _ := eval(q); sc > best {
						best, p = sc, q
					}
				}
			}
		}
		_, ts := eval(p)
		t.Logf("best %.3f %+v", best, p)
		for i, s := range sets {
			t.Logf("  %-40s %s", s.name, ts[i])
		}
		return
	}
	type row struct {
		p  params
		sc float64
	}
	var rows []row
	var walk func(i int, p params)
	walk = func(i int, p params) {
		if i == len(grid) {
			sc, _ := eval(p)
			rows = append(rows, row{p, sc})
			return
		}
		for _, v := range grid[i].vals {
			grid[i].set(&p, v)
			walk(i+1, p)
		}
	}
	walk(0, defaultParams)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].sc > rows[j].sc })
	base, _ := eval(defaultParams)
	t.Logf("default %.3f", base)
	for _, r := range rows[:min(10, len(rows))] {
		t.Logf("%.3f %+v", r.sc, r.p)
	}
}
