package faq

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// An English word that the lexicon reads as a concept of filing ("file" as
// 备案, "record" as 备案 in "ICP record") may mean something else in the
// FAQ at hand: a storage product's "upload a file" is no filing. Which sense
// a FAQ uses its own questions tell, when it has both languages: a word that
// its English questions use far more often than its Chinese questions name
// the concept is used in another sense there, and reading it as the concept
// would tie every question about files to the one entry about filing.
const (
	// senseMinEntries is the least number of entries of each language from
	// which a FAQ's own use is weighed at all.
	senseMinEntries = 20
	// senseMinUses is the least number of English questions a word must be
	// in before its use there says anything.
	senseMinUses = 8
	// senseRatio is how many times more often (as a share of the
	// language's entries) the English questions must have the word than the
	// Chinese ones the concept, for the word to be read as itself.
	senseRatio = 4
)

// otherSenses returns, sorted, the lexicon's single English words (stemmed,
// as looked up) that the FAQ's entries use in a sense of their own.
func otherSenses(entries []*Entry, lx *lexicon, f folder) []string {
	var zh, en []string
	for _, e := range entries {
		text := f.fold(e.Question)
		if e.Lang == "zh" {
			zh = append(zh, text)
		} else {
			en = append(en, text)
		}
	}
	if len(zh) < senseMinEntries || len(en) < senseMinEntries {
		return nil
	}
	uses := map[string]int{}
	seen := map[string]bool{}
	var words []string
	var key []byte
	word := func(i int) string { return words[i] }
	for _, text := range en {
		clear(seen)
		words = words[:0]
		for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !isWordRune(r) || r >= utf8.RuneSelf }) {
			words = append(words, stem(strings.Trim(w, "'")))
		}
		for j := 0; j < len(words); {
			// Read as the analyzer reads: a word inside a phrase of the
			// lexicon ("domain name") is the phrase's.
			var canon string
			var k int
			canon, k, key = lx.phraseAt(len(words), j, word, key)
			if k == 1 && canon != "" && langOf(canon) == "zh" && !seen[words[j]] {
				seen[words[j]] = true
				uses[words[j]]++
			}
			j += max(k, 1)
		}
	}
	// The Han forms of each concept in question, less those that hold a
	// shorter one (网站备案 holds 备案): finding the shorter is enough.
	forms := map[string][]string{}
	for k, n := range uses {
		if n >= senseMinUses {
			forms[lx.latin[k]] = []string{lx.latin[k]}
		}
	}
	for v, c := range lx.han {
		if fs, ok := forms[c]; ok && v != c {
			forms[c] = append(fs, v)
		}
	}
	for c, fs := range forms {
		slices.SortFunc(fs, func(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b)) })
		var keep []string
		for _, v := range fs {
			if !slices.ContainsFunc(keep, func(s string) bool { return strings.Contains(v, s) }) {
				keep = append(keep, v)
			}
		}
		forms[c] = keep
	}
	var out []string
	for k, n := range uses {
		if n < senseMinUses {
			continue
		}
		canon := lx.latin[k]
		// The concept must be in fewer Chinese entries than this for the
		// word to be read as itself.
		limit := float64(n) * float64(len(zh)) / float64(len(en)) / senseRatio
		have := 0
		for _, text := range zh {
			for _, v := range forms[canon] {
				if strings.Contains(text, v) {
					have++
					break
				}
			}
			if float64(have) >= limit {
				break
			}
		}
		if float64(have) < limit {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
