package faq

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// questionTypeOneByOne is questionType as the cues say it, cue by cue: the
// reference the indexed reading must agree with.
func questionTypeOneByOne(s string) qtype {
	var t qtype
	words := strings.FieldsFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r == '\'') })
	for _, c := range qtypeCues {
		for _, cue := range c.zh {
			if strings.Contains(s, cue) {
				t |= c.t
			}
		}
		for _, cue := range c.en {
			if hasPhrase(words, cue) {
				t |= c.t
			}
		}
	}
	for _, head := range []string{"几", "多少"} {
		for rest := s; ; {
			_, after, ok := strings.Cut(rest, head)
			if !ok {
				break
			}
			if r, _ := utf8.DecodeRuneInString(after); strings.ContainsRune(measureWords, r) {
				t |= qCount
			}
			rest = after
		}
	}
	return asDuration(s, t)
}

// hasPhrase reports whether words contain phrase's words in a row.
func hasPhrase(words []string, phrase string) bool {
	first, rest, multi := strings.Cut(phrase, " ")
	for i, w := range words {
		if w != first {
			continue
		}
		if !multi {
			return true
		}
		j := i + 1
		ok := true
		for _, p := range strings.Fields(rest) {
			if j >= len(words) || words[j] != p {
				ok = false
				break
			}
			j++
		}
		if ok {
			return true
		}
	}
	return false
}

// TestQuestionTypeReadsEveryCue: the one-pass reading of the cues finds
// what looking for each cue in turn finds, on every labelled question and
// every FAQ question of the seed.
func TestQuestionTypeReadsEveryCue(t *testing.T) {
	ix := loadEval(t, "", Options{})
	var qs []string
	for _, s := range evalSets {
		if s.faq == "" {
			for _, c := range readEval(t, s.file) {
				qs = append(qs, c.Query)
			}
		}
	}
	for _, e := range ix.Entries() {
		qs = append(qs, e.Question)
	}
	qs = append(qs, "how   many sites", "how-many", "whyx why", "reason's", "多少钱多少个", "几", "多少", "几天几个工作日", "what's up, what is it")
	n := 0
	for _, q := range qs {
		for _, c := range splitClauses(q) {
			f := ix.f.fold(c)
			n++
			if got, want := questionType(f), questionTypeOneByOne(f); got != want {
				t.Errorf("questionType(%q) = %08b, cue by cue %08b", f, got, want)
			}
		}
	}
	if n < 1000 {
		t.Errorf("only %d clauses read", n)
	}
}
