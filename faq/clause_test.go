package faq

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSplitClauses checks that long sentences are split at their commas and
// short ones are not, whatever their script: an English sentence is as long
// as its words, not its letters.
func TestSplitClauses(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"备案需要多久？", []string{"备案需要多久？"}},
		{"您好，我们公司总部在深圳，营业执照原件放在成都的分公司那边，怎么上传？",
			[]string{"您好，我们公司总部在深圳，营业执照原件放在成都的分公司那边，", "怎么上传？"}},
		// Five words before the comma: one clause, though 21 letters.
		{"My site is down again, what can I do?", []string{"My site is down again, what can I do?"}},
		{"We moved to Alibaba Cloud last week and the site is blocked, so is there a step we missed?",
			[]string{"We moved to Alibaba Cloud last week and the site is blocked,", "so is there a step we missed?"}},
		{"It works. Why?", []string{"It works.", "Why?"}},
		{"version 1.5 on example.com fails", []string{"version 1.5 on example.com fails"}},
	} {
		if diff := cmp.Diff(tc.want, splitClauses(tc.q)); diff != "" {
			t.Errorf("splitClauses(%q) (-want +got):\n%s", tc.q, diff)
		}
	}
}

// TestThinAskingClauseJoinsTheOneBefore checks that a clause that asks about
// a single thing ("what happens to my ICP number?": one lexicon concept of
// two pairs, and general English) is read with the clause before it, which
// says what happened.
func TestThinAskingClauseJoinsTheOneBefore(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("docs corpus not present")
	}
	ix := loadEval(t, "corpus", Options{})
	ex := ix.Explain("We moved the website to a server of another provider last month. What happens to my ICP number now?")
	if len(ex.Clauses) != 1 {
		t.Errorf("clauses %q (asking %d): want the asking clause joined to the one before", ex.Clauses, ex.Asking)
	}
	ex = ix.Explain("We moved the website to a server of another provider last month. Do we need to transfer the ICP filing to the new provider?")
	if len(ex.Clauses) != 2 || ex.Asking != 1 {
		t.Errorf("clauses %q (asking %d): want two, the second asking", ex.Clauses, ex.Asking)
	}
}

// TestAskingClauseDropped: the asking clause taken alone says how much of
// what the FAQ knows of the message it leaves out: much after a clause
// that names the subject, little after a greeting.
func TestAskingClauseDropped(t *testing.T) {
	ix := loadEval(t, "", Options{})
	for _, c := range []struct {
		q        string
		min, max float32
	}{
		{"During an ICP filing transfer to Alibaba Cloud, will my site be blocked?", 0.5, 1},
		{"Hi team, hope you are all doing great this week. Will my site be blocked?", 0, 0.3},
	} {
		s := ix.getScratch()
		sp, n := ix.readQuery(s, c.q, nil)
		ix.pool.Put(s)
		if n < 2 {
			t.Errorf("%q: read as one clause", c.q)
			continue
		}
		if d := sp[1].dropped; d < c.min || d > c.max {
			t.Errorf("%q: asking clause drops %.2f of the known weight, want %.1f to %.1f", c.q, d, c.min, c.max)
		}
		if sp[0].dropped != 0 {
			t.Errorf("%q: the whole message drops %.2f", c.q, sp[0].dropped)
		}
	}
}

// TestWithoutSignature checks that a closing signature is dropped, and that
// nothing else is: a sign-off inside a question, a dash before words that
// are no name, a message that is only a sign-off.
func TestWithoutSignature(t *testing.T) {
	for q, want := range map[string]string{
		"Can I file? Thanks, Kevin":                    "Can I file?",
		"Can I file?\n\nBest regards,\nMarkus Weber":   "Can I file?",
		"请问要备案吗？谢谢！——市场部 小王":                           "请问要备案吗？谢谢！",
		"网站能访问吗 —— 行政小张":                               "网站能访问吗",
		"Hello, my site is blocked. Br, Sven":          "Hello, my site is blocked.",
		"best way to file?":                            "best way to file?",
		"Is it the best":                               "Is it the best",
		"备案要多久 - 急":                                    "备案要多久 - 急",
		"Thanks, Tom, is it ok?":                       "Thanks, Tom, is it ok?",
		"What happens to example.com -- the old one":   "What happens to example.com -- the old one",
		"Thanks, Kevin":                                "Thanks, Kevin",
		"Is ICP filing needed for a blog? Cheers, Ann": "Is ICP filing needed for a blog?",
	} {
		if got := withoutSignature(q); got != want {
			t.Errorf("withoutSignature(%q) = %q, want %q", q, got, want)
		}
	}
}

// TestSignatureDoesNotSink checks that a name signing a message leaves the
// match as it is without it.
func TestSignatureDoesNotSink(t *testing.T) {
	ix := seed(t)
	q := "Hello, our site is hosted in Hong Kong. Does it need an ICP filing?"
	bare := ix.Match(q)
	for _, sig := range []string{" Best regards, Wojciech Przybylski", " —— 运维 欧阳"} {
		got := ix.Match(q + sig)
		if got.Best.Entry != bare.Best.Entry || got.Best.Score != bare.Best.Score {
			t.Errorf("%q: best %v %.3f, want %v %.3f as unsigned", q+sig, idOf(got.Best.Entry), got.Best.Score, idOf(bare.Best.Entry), bare.Best.Score)
		}
	}
}
