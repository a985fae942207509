package faq

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestZZLang(t *testing.T) {
	if os.Getenv("ZZ") == "" {
		t.Skip()
	}
	for _, s := range evalSets {
		if s.faq == "" {
			continue
		}
		ix := loadEval(t, s.faq, Options{})
		type acc struct{ n, t1, right, wrong, zhOnly, zhOnlyT1 int }
		by := map[string]*acc{"en": {}, "zh": {}}
		for _, c := range readEval(t, s.file) {
			if len(c.Expect) == 0 {
				continue
			}
			r := ix.Match(c.Query)
			a := by[langOf(c.Query)]
			if a == nil {
				continue
			}
			ok := accepts(c.Expect, r.Best.Entry) || ix.topicAccepts(c.Expect, r.Best.Entry)
			a.n++
			// has an acceptable entry in the query's language?
			same := false
			for _, e := range ix.entries {
				if accepts(c.Expect, e) && e.Lang == langOf(c.Query) {
					same = true
				}
			}
			if !same {
				a.zhOnly++
			}
			if ok {
				a.t1++
				if !same {
					a.zhOnlyT1++
				}
			}
			if r.Answered && ok {
				a.right++
			} else if r.Answered {
				a.wrong++
			}
			if os.Getenv("ZZSHOW") != "" && strings.Contains(s.file, os.Getenv("ZZSHOW")) && !ok && langOf(c.Query) == "en" {
				fmt.Printf("  %v %s\n    got %s %s | want %v\n", same, c.Query, r.Best.Entry.ID, r.Best.Entry.Question, c.Expect)
			}
		}
		var b strings.Builder
		for _, l := range []string{"zh", "en"} {
			a := by[l]
			fmt.Fprintf(&b, " %s n=%d T1=%d R=%d W=%d otherLangOnly=%d(T1 %d)", l, a.n, a.t1, a.right, a.wrong, a.zhOnly, a.zhOnlyT1)
		}
		fmt.Println(s.file, b.String())
	}
}
