package faq

import (
	"math"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// numberingRe matches the numbering docs put before a question ("3. ",
// "Q2：", "（一）").
var numberingRe = regexp.MustCompile(`^\s*(?:q?\d+\s*[.、:：)）]|[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)\s*`)

// specificQuestion is the length (letters and digits) from which the same
// question text is the same question whatever page it is on.
const specificQuestion = 8

// sameTopic is the cosine similarity of two questions' weighted terms from
// which they are taken to ask the same thing.
const sameTopic = 0.8

// findTopics groups entries that ask or answer the same thing under
// different ids: the same question text (copies of a page for two sites,
// numbered or not), the same answer text, or questions whose weighted terms
// nearly coincide. It returns each group's topic.
func (ix *Index) findTopics() []int32 {
	n := len(ix.groups)
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	var find func(int32) int32
	find = func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int32) {
		if ra, rb := find(a), find(b); ra != rb {
			parent[max(ra, rb)] = min(ra, rb)
		}
	}
	byKey := map[string]int32{}
	key := func(prefix, s string, g int) {
		k := textKey(ix.f.fold(s))
		if len([]rune(k)) < 4 {
			return // too short to say two entries are one
		}
		k = prefix + k
		if o, ok := byKey[k]; ok {
			union(o, int32(g))
		} else {
			byKey[k] = int32(g)
		}
	}
	for g, grp := range ix.groups {
		for _, e := range grp.entries {
			q := numberingRe.ReplaceAllString(e.Question, "")
			if utf8.RuneCountInString(textKey(q)) >= specificQuestion {
				key("q:", q, g)
			} else {
				// "收费政策" is a different question on every product's page.
				key("q:"+textKey(ix.f.fold(e.Title))+":", q, g)
			}
			key("a:", e.Answer, g)
		}
	}
	// Near-duplicate questions, compared with the groups that share one of
	// their rarer terms.
	vecs := make([]map[int32]float32, n)
	norms := make([]float64, n)
	for t, ps := range ix.post.q {
		for _, g := range ps {
			if vecs[g] == nil {
				vecs[g] = map[int32]float32{}
			}
			vecs[g][int32(t)] = ix.voc.idf[t]
		}
	}
	for g, vec := range vecs {
		var s float64
		for _, w := range vec {
			s += float64(w) * float64(w)
		}
		norms[g] = math.Sqrt(s)
	}
	rare := max(8, n/20)
	seen := map[[2]int32]bool{}
	for t, ps := range ix.post.q {
		if len(ps) < 2 || len(ps) > rare || ix.voc.weak[t] {
			continue
		}
		for i, a := range ps {
			for _, b := range ps[i+1:] {
				k := [2]int32{a, b}
				if seen[k] {
					continue
				}
				seen[k] = true
				if cosine(vecs[a], vecs[b], norms[a], norms[b]) >= sameTopic {
					union(a, b)
				}
			}
		}
	}
	topic := make([]int32, n)
	for g := range topic {
		topic[g] = find(int32(g))
	}
	return topic
}

func cosine(a, b map[int32]float32, na, nb float64) float64 {
	if na == 0 || nb == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	var dot float64
	for t, w := range a {
		dot += float64(w) * float64(b[t])
	}
	return dot / (na * nb)
}

// textKey reduces text to its letters and digits, for comparing copies.
func textKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}
