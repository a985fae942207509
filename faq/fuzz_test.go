package faq

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"# T {#concept_a .concept}\n\n## Q？ {#section_a .section}\n\nA [x](../../a.md#) ![](http://e/x.png) \\(y\\)\n",
		"## Q {#section_b .section}\n\n|a|b|\n|:-|:-|\n|1|2|\n",
		"# 问题？ {#concept_c .concept}\n\n```\n## not a heading\n```\n",
		"[unclosed](http://a\n## {#x}\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		entries, probs := parseFile("fuzz.md", strings.NewReader(s), "https://docs.example.com/")
		for _, e := range entries {
			if e.ID == "" || strings.TrimSpace(e.Question) == "" || e.Answer == "" {
				t.Fatalf("incomplete entry %+v", e)
			}
			if !utf8.ValidString(e.Answer) && utf8.ValidString(s) {
				t.Fatalf("answer %q is not valid UTF-8", e.Answer)
			}
		}
		for _, p := range probs {
			if p.Line < 1 || p.Msg == "" {
				t.Fatalf("bad problem %+v", p)
			}
		}
	})
}

func FuzzNormalize(f *testing.F) {
	ix, err := LoadEmbedded(Options{})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"香港服務器要備案嗎", "ＨＴＴＰＳ", "<@U1|bot> hi", "can't access", "fourm", "\xff\xfe", strings.Repeat("备案", 500), "wo de yuming bei lanjie le, zenme ban", strings.Repeat("dabukai", 4), "beian期间luntan dangtian", "Is it free? Best regards, Ann Lee", "网站打不开 —— 小王", "16. 为什么提示RAM权限不足？", "how many days, 几个工作日", "多少块钱 几张 how-many what's"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		folded := ix.an.f.fold(s)
		if utf8.ValidString(s) && !utf8.ValidString(folded) {
			t.Fatalf("fold(%q) = %q: invalid UTF-8", s, folded)
		}
		if again := ix.an.f.fold(folded); utf8.ValidString(s) && again != folded {
			t.Fatalf("fold is not idempotent: %q → %q → %q", s, folded, again)
		}
		// A signature is only ever cut from the end.
		if w := withoutSignature(s); !strings.HasPrefix(strings.TrimLeftFunc(s, unicode.IsSpace), w) && w != s {
			t.Fatalf("withoutSignature(%q) = %q: not what the message begins with", s, w)
		}
		// The one-pass reading of the kinds of question finds what the cues,
		// looked for one by one, find.
		if got, want := questionType(folded), questionTypeOneByOne(folded); got != want {
			t.Fatalf("questionType(%q) = %08b, cue by cue %08b", folded, got, want)
		}
		r := ix.Match(s)
		if r.Best.Score < 0 || r.Best.Score > 1 || r.Answered && r.Best.Entry == nil || len(r.Suggestions) > 3 {
			t.Fatalf("Match(%q) = %+v", s, r)
		}
		if r.Answered != (r.Best.Score >= answerAt) && r.Best.Entry != nil {
			t.Fatalf("Match(%q): answered %v at score %v", s, r.Answered, r.Best.Score)
		}
	})
}
