package faq

import (
	"fmt"
	"os"
	"testing"
)

// corpusDir is the real docs corpus shared beside the repository; tests and
// benchmarks that use it skip when it is absent.
const corpusDir = "../../shared/corpus"

func seed(t testing.TB) *Index {
	t.Helper()
	ix, err := LoadEmbedded(Options{})
	if err != nil {
		t.Fatalf("LoadEmbedded: %v", err)
	}
	return ix
}

// TestAccuracy holds the matcher to floors a little under its measured
// figures on our labelled sets (README, "Accuracy"), as guards against
// regressions: the share answered right, the share answered wrong (a
// ceiling), and the share of out-of-scope questions declined. Sets whose FAQ
// is absent (the shared docs) are skipped.
func TestAccuracy(t *testing.T) {
	for _, tc := range []struct {
		faq                    string
		files                  []string
		noPhr                  bool
		right, wrong, declined float64
	}{
		{"", []string{"testdata/paraphrases.jsonl"}, false, 0.91, 0.03, 0.92},
		{"", []string{"testdata/heldout_a.jsonl", "testdata/heldout_b.jsonl"}, false, 0.90, 0.03, 0.88},
		{"", []string{"testdata/heldout_c.jsonl", "testdata/heldout_d.jsonl"}, false, 0.87, 0.03, 0.90},
		{"", []string{"testdata/heldout_e.jsonl"}, false, 0.90, 0.03, 0.95},
		{"", []string{"testdata/heldout_c.jsonl", "testdata/heldout_d.jsonl"}, true, 0.67, 0.03, 0.96},
		{"corpus", []string{"testdata/corpus_a.jsonl"}, false, 0.45, 0.05, 0.88},
		{"large", []string{"testdata/large_a.jsonl"}, false, 0.50, 0.04, 0.96},
	} {
		name := fmt.Sprintf("%s %v phrasings=%v", tc.faq, tc.files, !tc.noPhr)
		t.Run(name, func(t *testing.T) {
			ix := loadEval(t, tc.faq, Options{NoPhrasings: tc.noPhr})
			var cases []evalCase
			for _, f := range tc.files {
				cases = append(cases, readEval(t, f)...)
			}
			a := score(t, ix, cases, false)
			t.Logf("%s", a)
			in, out := float64(max(a.in, 1)), float64(max(a.out, 1))
			if got := float64(a.right) / in; got < tc.right {
				t.Errorf("right answers %d/%d = %.3f, want >= %.2f", a.right, a.in, got, tc.right)
			}
			if got := float64(a.wrong) / in; got > tc.wrong {
				t.Errorf("wrong answers %d/%d = %.3f, want <= %.2f", a.wrong, a.in, got, tc.wrong)
			}
			if got := float64(a.declined) / out; got < tc.declined {
				t.Errorf("out of scope declined %d/%d = %.3f, want >= %.2f", a.declined, a.out, got, tc.declined)
			}
		})
	}
}

func TestMatchStyles(t *testing.T) {
	ix := seed(t)
	for _, tc := range []struct{ name, query, want string }{
		{"colloquial", "服务器放香港的话还要不要备案呀", "section_cym_mzr_zdb"},
		{"traditional", "論壇怎麼備案", "section_dym_mzr_zdb"},
		{"full width", "ＨＴＴＰＳ和ＨＴＴＰ備案有區別嗎", "section_eym_mzr_zdb"},
		{"english", "Does my site need an ICP filing when hosted in Hong Kong?", "section_cym_mzr_zdb"},
		{"typo", "can a persn open a forumm", "section_dym_mzr_zdb"},
		{"keyword", "BBS", "section_dym_mzr_zdb"},
		{"greeting", "您好，请问一下，网站只用IP访问的话怎么备案呢？谢谢", "section_bym_mzr_zdb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ix.Match(tc.query)
			if !r.Answered || r.Best.Entry.ID != tc.want {
				t.Errorf("Match(%q) = answered %v %s (%.2f), want %s", tc.query, r.Answered, idOf(r.Best.Entry), r.Best.Score, tc.want)
			}
			if r.Best.Score < 0 || r.Best.Score > 1 {
				t.Errorf("score %v outside [0, 1]", r.Best.Score)
			}
		})
	}
}

func TestMatchDeclines(t *testing.T) {
	ix := seed(t)
	for _, q := range []string{"", "   ", "？？？", "你好", "备案", "备案要多少钱", "怎么注销备案", "how do I renew my domain", "🙂", "<@U1>"} {
		r := ix.Match(q)
		if r.Answered {
			t.Errorf("Match(%q) answered %s (%.2f), want declined", q, r.Best.Entry.ID, r.Best.Score)
		}
		if len(r.Suggestions) > 3 {
			t.Errorf("Match(%q): %d suggestions, want at most 3", q, len(r.Suggestions))
		}
	}
	// A bare keyword shared by every entry gets suggestions, not an answer.
	if r := ix.Match("备案"); len(r.Suggestions) == 0 {
		t.Errorf("Match(备案): no suggestions")
	}
}

func TestCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("docs corpus not present")
	}
	ix, err := Load([]string{corpusDir}, Options{})
	if err != nil {
		t.Fatalf("Load corpus: %v", err)
	}
	if ix.Len() < 300 {
		t.Errorf("corpus entries = %d, want hundreds", ix.Len())
	}
	for _, e := range ix.Entries() {
		if e.Question == "" || e.Answer == "" || e.ID == "" {
			t.Errorf("%s:%d: incomplete entry %+v", e.File, e.Line, e)
		}
		for _, bad := range []string{"](../", "\\(", "{#section"} {
			if contains(e.Answer, bad) {
				t.Errorf("%s:%d: answer of %s still has %q", e.File, e.Line, e.ID, bad)
			}
		}
	}
	// Each entry's own question finds it (or an entry with the same question).
	miss := 0
	for _, e := range ix.Entries() {
		r := ix.Match(e.Question)
		if r.Best.Entry == nil || r.Best.Entry.Question != e.Question && r.Best.Entry.ID != e.ID {
			miss++
		}
	}
	if rate := float64(miss) / float64(ix.Len()); rate > 0.1 {
		t.Errorf("%d of %d questions do not find themselves", miss, ix.Len())
	}
}

func contains(s, sub string) bool {
	return len(sub) > 0 && len(s) >= len(sub) && stringsIndex(s, sub) >= 0
}

func stringsIndex(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
