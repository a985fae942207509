package faq

import (
	"os"
	"testing"
)

// TestDumpFails lists the questions of $FAILS (asked of $FAILS_FAQ: "" the
// seed, "corpus" or "large") whose best entry is not one they accept, with
// the entry wanted: the FAQ owner's and the developer's list of what to
// look at.
func TestDumpFails(t *testing.T) {
	set := os.Getenv("FAILS")
	if set == "" {
		t.Skip()
	}
	faqName := os.Getenv("FAILS_FAQ")
	ix := loadEval(t, faqName, Options{})
	for _, c := range readEval(t, set) {
		if len(c.Expect) == 0 {
			continue
		}
		r := ix.Match(c.Query)
		if ix.acceptsCopy(c.Expect, r.Best.Entry) {
			continue
		}
		want := ""
		for _, e := range ix.Entries() {
			if accepts(c.Expect, e) {
				want = e.Question
				break
			}
		}
		got := ""
		if r.Best.Entry != nil {
			got = r.Best.Entry.Question
		}
		t.Logf("Q %s\n   want %s\n   got  %s (%.2f)", c.Query, want, got, r.Best.Score)
	}
}

// TestRankOfRight prints, for $RANK (asked of $RANK_FAQ), how far down the
// ranking the right topic is: 1 is the best entry, 11 beyond the tenth, 99
// nowhere ($RANK_SHOW lists the ranks 2 to 5).
func TestRankOfRight(t *testing.T) {
	set := os.Getenv("RANK")
	if set == "" {
		t.Skip()
	}
	ix := loadEval(t, os.Getenv("RANK_FAQ"), Options{})
	hist := map[int]int{}
	for _, c := range readEval(t, set) {
		if len(c.Expect) == 0 {
			continue
		}
		s := ix.getScratch()
		q := truncate(c.Query, maxQueryBytes)
		spans, n := ix.readQuery(s, q, nil)
		s.nSpans = n
		rank := 99
		if ix.accumulate(s, spans[:n], langOf(q)) {
			ix.scoreGroups(s, spans[:n], nil)
			// best raw per topic
			best := map[int32]float64{}
			for _, g := range s.touchedG {
				tp := ix.topic[g]
				if s.raw[g] > best[tp] {
					best[tp] = s.raw[g]
				}
			}
			want := -1.0
			for g, grp := range ix.groups {
				for _, e := range grp.entries {
					if accepts(c.Expect, e) && best[ix.topic[g]] > want {
						want = best[ix.topic[g]]
					}
				}
			}
			if want > 0 {
				rank = 1
				for _, r := range best {
					if r > want {
						rank++
					}
				}
			}
		}
		if rank >= 2 && rank <= 5 && os.Getenv("RANK_SHOW") != "" {
			tops := ix.topTopics(s)
			w := ix.answerOf(s, tops[0].g, langOf(q))
			var right *Entry
			for _, e := range ix.entries {
				if accepts(c.Expect, e) {
					right = e
					break
				}
			}
			t.Logf("r%d %s\n    got %.3f %s\n    want %.3f %s", rank, c.Query, tops[0].raw, w.Question, 0.0, right.Question)
		}
		ix.pool.Put(s)
		if rank > 10 && rank != 99 {
			rank = 11
		}
		hist[rank]++
	}
	t.Logf("rank histogram: %v", hist)
}
