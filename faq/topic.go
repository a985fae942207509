package faq

import (
	"cmp"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// numberingRe matches the numbering docs put before a question ("3. ",
// "Q2：", "TOP 10:", "（一）").
var numberingRe = regexp.MustCompile(`(?i)^\s*(?:(?:top\s*|q|no\.\s*)?\d+\s*[.、:：)）]|[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)\s*`)

// withoutNumbering returns question q without the numbering before it;
// "1.5 倍带宽" keeps its number.
func withoutNumbering(q string) string {
	m := numberingRe.FindStringIndex(q)
	if m == nil || m[1] < len(q) && q[m[1]-1] == '.' && q[m[1]] >= '0' && q[m[1]] <= '9' {
		return q
	}
	return q[m[1]:]
}

// specificQuestion is the length (letters and digits) from which the same
// question text is the same question whatever page it is on.
const specificQuestion = 8

// Two questions ask the same thing when their weighted terms nearly
// coincide: a weighted Jaccard similarity of sameWords or more (what they
// share outweighs many times what only one has), or a cosine similarity of
// sameTopic or more (their heaviest terms agree) with answers that say much
// the same (a cosine of sameAnswer over the answers' own words). The
// cosine alone, which the heaviest shared terms decide, made one topic of
// 什么情况下需要进行首次备案 and …接入备案, and of a why and a how-to of one
// error, whose answers differ; the copies of a page on two editions, with
// a question reworded, keep their answer.
const (
	sameWords  = 0.85
	sameTopic  = 0.75
	sameAnswer = 0.5
	// sameFloor is the cosine of two groups' questions, all languages
	// together, under which no question of each in one language can be
	// sameWords alike: the pairs not worth comparing word by word.
	sameFloor = 0.5
)

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
			q := withoutNumbering(e.Question)
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
	// their rarer terms (ix.near holds their vectors).
	nv := &ix.near
	// Each entry's question, for the words of two questions in one
	// language: a group's vector holds all its languages.
	qvecs := map[*Entry]termVec{}
	var buf []string
	qvec := func(e *Entry) termVec {
		if v, ok := qvecs[e]; ok {
			return v
		}
		m := map[int32]float32{}
		buf = ix.an.analyzeDoc(withoutNumbering(e.Question), buf[:0])
		for _, t := range buf {
			if ti, ok := ix.voc.ids[t]; ok {
				m[ti] = ix.voc.idf[ti]
			}
		}
		v := vecOf(m)
		qvecs[e] = v
		return v
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
				c := nv.questions(a, b)
				if c < sameFloor {
					continue // far from the same words in any language
				}
				if c >= sameTopic && nv.answers(a, b) >= sameAnswer || ix.sameWords(a, b, qvec) >= sameWords {
					union(a, b)
				}
			}
		}
	}
	for _, pair := range ix.translatedPairs() {
		union(pair[0], pair[1])
	}
	same := func(a, b int32) bool { return find(a) == find(b) }
	for _, pair := range ix.translatedQuestions(same) {
		union(pair[0], pair[1])
	}
	for _, pair := range ix.alignedPages(find) {
		union(pair[0], pair[1])
	}
	topic := make([]int32, n)
	for g := range topic {
		topic[g] = find(int32(g))
	}
	return topic
}

// Two entries of different topics are near copies when their questions
// have a cosine similarity of nearQuestion or more and their answers' own
// words one of nearAnswer or more: nearly one question, answered in
// overlapping words, though not alike enough to be one topic (sameTopic
// and sameAnswer). "如何找回备案阿里云账号？" and "如何找回备案账号？" are
// such a pair, and so are a question's cn and intl editions reworded
// ("中国大陆以外地域" and "中国内地以外地域"). A close call between near
// copies is answered with the better of the two (see decide). Over our
// labelled sets of the docs corpus and the five products' pages, answering
// every close call would be right 1.4 times for each wrong answer; the
// close calls of near copies are right 5 times for each wrong answer or
// out-of-scope question answered (41 right, 7 wrong, 1 out of scope). The
// two thresholds were chosen together on those sets: the sets written
// later give 4.3 right for each, the earlier 5.6; a lower nearAnswer (0.2)
// answers twice as many for 3.9, 3.1 on the later sets.
const (
	nearQuestion = 0.8
	nearAnswer   = 0.3
)

// nearVecs are the groups' question vectors (all languages together) and
// their answers' own words, with their norms: what tells copies (findTopics)
// and near copies (nearCopies) apart.
type nearVecs struct {
	q     []termVec
	qNorm []float64
	a     []termVec
	aNorm []float64
}

// groupVectors builds the groups' nearVecs: the answers' own words are
// those no question of the entry has.
func (ix *Index) groupVectors() nearVecs {
	terms := make([]string, len(ix.voc.ids))
	for t, i := range ix.voc.ids {
		terms[i] = t
	}
	q, qn := ix.termVectors(ix.post.q, nil)
	a, an := ix.termVectors(ix.post.a, func(t int) bool { return ix.wordTerm(terms[t]) })
	return nearVecs{q, qn, a, an}
}

// questions and answers are the cosine similarities of groups a's and b's
// questions, and of their answers' own words.
func (nv *nearVecs) questions(a, b int32) float64 {
	return cosine(nv.q[a], nv.q[b], nv.qNorm[a], nv.qNorm[b])
}

func (nv *nearVecs) answers(a, b int32) float64 {
	return cosine(nv.a[a], nv.a[b], nv.aNorm[a], nv.aNorm[b])
}

// nearCopies reports whether groups a and b are near copies (see
// nearQuestion), with the two cosines (the answers' 0 when the questions'
// is already too low).
func (ix *Index) nearCopies(a, b int32) (bool, float64, float64) {
	qc := ix.near.questions(a, b)
	if qc < nearQuestion {
		return false, qc, 0
	}
	ac := ix.near.answers(a, b)
	return ac >= nearAnswer, qc, ac
}

// termVec is a vector of term weights, sorted by term, so that sums over it
// run in one order and every load of an FAQ finds the same topics (summed
// in a map's order, two copies of one question scored a last bit apart, and
// which of them an English edition was paired with changed from load to
// load).
type termVec []termWeight

type termWeight struct {
	t int32
	w float32
}

// vecOf returns m as a termVec.
func vecOf(m map[int32]float32) termVec {
	v := make(termVec, 0, len(m))
	for t, w := range m {
		v = append(v, termWeight{t, w})
	}
	slices.SortFunc(v, func(a, b termWeight) int { return cmp.Compare(a.t, b.t) })
	return v
}

func cosine(a, b termVec, na, nb float64) float64 {
	if na == 0 || nb == 0 {
		return 0
	}
	var dot float64
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i].t < b[j].t:
			i++
		case a[i].t > b[j].t:
			j++
		default:
			dot += float64(a[i].w) * float64(b[j].w)
			i, j = i+1, j+1
		}
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

// Translations under different ids: docs often keep a page's Chinese and
// English editions in two files whose headings have no anchors, so the two
// editions get different ids. Their answers still share what needs no
// translating: API names, error codes, commands, numbers. A Chinese-only
// entry and an English-only entry are one topic when most of the Latin
// terms of the Chinese one's question and answer are in the English one,
// and each is the other's best such match.
const (
	// translationShare is the least share of the Chinese entry's Latin
	// weight the English entry must have.
	translationShare = 0.6
	// translationMinWeight is the least Latin weight a Chinese entry must
	// have for the comparison to mean anything.
	translationMinWeight = 6
)

// translatedPairs returns pairs of groups (Chinese-only, English-only) that
// are one entry in two languages.
func (ix *Index) translatedPairs() [][2]int32 {
	n := len(ix.groups)
	latin := make([][]int32, n) // group → its Latin terms
	for t, id := range ix.voc.ids {
		if !isASCIIWord(t) || ix.voc.weak[id] {
			continue
		}
		for _, l := range [2][]int32{ix.post.q[id], ix.post.a[id]} {
			for _, g := range l {
				latin[g] = append(latin[g], id)
			}
		}
	}
	for _, l := range latin {
		// The vocabulary is a map: in the order of the terms, every load
		// breaks a tie between two copies alike.
		slices.Sort(l)
	}
	df := func(t int32) int { return len(ix.post.q[t]) + len(ix.post.a[t]) }
	rare := max(8, n/50)
	score := func(zh, en int32) float64 {
		var shared, total float64
		for _, t := range latin[zh] {
			w := float64(ix.voc.idf[t])
			total += w
			if has(ix.post.q[t], en) || has(ix.post.a[t], en) {
				shared += w
			}
		}
		if total == 0 {
			return 0
		}
		return shared / total
	}
	type match struct {
		other int32
		score float64
	}
	bestZh := map[int32]match{} // zh group → best en
	bestEn := map[int32]match{} // en group → best zh
	for g := range ix.groups {
		zh := int32(g)
		if ix.groups[g].langs != 1 {
			continue
		}
		var weight float64
		for _, t := range latin[zh] {
			weight += float64(ix.voc.idf[t])
		}
		if weight < translationMinWeight {
			continue
		}
		seen := map[int32]bool{}
		for _, t := range latin[zh] {
			if df(t) > rare {
				continue
			}
			for _, l := range [2][]int32{ix.post.q[t], ix.post.a[t]} {
				for _, en := range l {
					if seen[en] || ix.groups[en].langs != 2 {
						continue
					}
					seen[en] = true
					sc := score(zh, en)
					if sc > bestZh[zh].score {
						bestZh[zh] = match{en, sc}
					}
					if sc > bestEn[en].score {
						bestEn[en] = match{zh, sc}
					}
				}
			}
		}
	}
	var out [][2]int32
	for zh, m := range bestZh {
		if m.score >= translationShare && bestEn[m.other].other == zh {
			out = append(out, [2]int32{zh, m.other})
		}
	}
	return out
}

// translatedQuestions returns pairs of groups (Chinese-only, English-only)
// whose question and answer opening say the same in the terms both
// languages share: lexicon concepts (either side maps to the canonical
// form), the FAQ's learned translations, and what needs no translating
// (names, numbers). Each must be the other's best, and near enough.
func (ix *Index) translatedQuestions(same func(a, b int32) bool) [][2]int32 {
	n := len(ix.groups)
	pivot := func(t string, ti int32) (int32, bool) {
		switch {
		case ix.voc.weak[ti]:
			return 0, false
		case isASCIIWord(t), ix.lx.inCanon[t]:
			return ti, true
		}
		if tr := ix.trans[ti]; len(tr) > 0 {
			return tr[0].term, true
		}
		return 0, false
	}
	vecs := make([]termVec, n)
	norms := make([]float64, n)
	var buf []string
	for g, grp := range ix.groups {
		if grp.langs == 3 {
			continue
		}
		e := grp.entries[0]
		buf = ix.an.analyzeDoc(e.Question+"\n"+headRunes(urlRe.ReplaceAllString(e.answerText(), " "), transText), buf[:0])
		v := map[int32]float32{}
		for _, t := range buf {
			ti, ok := ix.voc.ids[t]
			if !ok {
				continue
			}
			if p, ok := pivot(t, ti); ok {
				v[p] = ix.voc.idf[p]
			}
		}
		vecs[g] = vecOf(v)
		norms[g] = norm(vecs[g])
	}
	// Candidates share a rare pivot.
	by := map[int32][]int32{}
	for g, v := range vecs {
		for _, tw := range v {
			by[tw.t] = append(by[tw.t], int32(g))
		}
	}
	rare := max(8, n/50)
	type match struct {
		other         int32
		score, second float64
	}
	bestZh, bestEn := map[int32]match{}, map[int32]match{}
	// A copy of the best (the cn and intl editions of one page) is no
	// rival to it: the next best is of another topic.
	note := func(m map[int32]match, g, other int32, sc float64) {
		b := m[g]
		switch {
		case sc > b.score:
			if b.score == 0 || !same(other, b.other) {
				b.second = b.score
			}
			b.score, b.other = sc, other
		case sc > b.second && !same(other, b.other):
			b.second = sc
		}
		m[g] = b
	}
	seen := map[[2]int32]bool{}
	// In the order of the pivots, and of equal scores the first kept, so
	// that every load finds the same pairs.
	pivots := slices.Sorted(maps.Keys(by))
	for _, t := range pivots {
		gs := by[t]
		if len(gs) > rare {
			continue
		}
		for _, a := range gs {
			if ix.groups[a].langs != 1 {
				continue
			}
			for _, b := range gs {
				if ix.groups[b].langs != 2 || seen[[2]int32{a, b}] {
					continue
				}
				seen[[2]int32{a, b}] = true
				sc := cosine(vecs[a], vecs[b], norms[a], norms[b])
				note(bestZh, a, b, sc)
				note(bestEn, b, a, sc)
			}
		}
	}
	var out [][2]int32
	for zh, m := range bestZh {
		e := bestEn[m.other]
		if e.other != zh || m.score < minTranslation {
			continue
		}
		// Near, or each the other's best by far.
		if m.score >= sameTranslation || m.score >= clearTranslation*max(m.second, e.second) {
			out = append(out, [2]int32{zh, m.other})
		}
	}
	slices.SortFunc(out, func(a, b [2]int32) int { return cmp.Compare(a[0], b[0]) })
	return out
}

// sameTranslation is the cosine similarity, in the terms both languages
// share, from which a Chinese and an English entry, each the other's best,
// are one in two languages; from minTranslation they are when each is the
// other's best by clearTranslation times the next.
const (
	sameTranslation  = 0.6
	minTranslation   = 0.3
	clearTranslation = 1.5
)

// termVectors turns postings (term → groups) into each group's vector of
// term weights and its norm, keeping the terms keep accepts (all, when nil).
func (ix *Index) termVectors(post [][]int32, keep func(t int) bool) ([]termVec, []float64) {
	vecs := make([]termVec, len(ix.groups))
	for t, ps := range post {
		if keep != nil && !keep(t) {
			continue
		}
		for _, g := range ps {
			// In the order of the terms: sorted.
			vecs[g] = append(vecs[g], termWeight{int32(t), ix.voc.idf[t]})
		}
	}
	norms := make([]float64, len(vecs))
	for g, vec := range vecs {
		norms[g] = norm(vec)
	}
	return vecs, norms
}

// norm is the Euclidean norm of a term vector.
func norm(v termVec) float64 {
	var s float64
	for _, tw := range v {
		s += float64(tw.w) * float64(tw.w)
	}
	return math.Sqrt(s)
}

// wordTerm reports whether t is a word: an English word, a lexicon concept
// or a word of general Chinese, not a single character or a pair that
// straddles two words.
func (ix *Index) wordTerm(t string) bool {
	if kindFactor(t) != 1 {
		return false
	}
	return isASCIIWord(t) || ix.lx.inCanon[t] || wordIDF(t) > 0
}

// sameWords is how nearly the questions of groups a and b say the same
// words: the best weighted Jaccard similarity of a question of each in one
// language.
func (ix *Index) sameWords(a, b int32, qvec func(*Entry) termVec) float64 {
	var best float64
	for _, ea := range ix.groups[a].entries {
		for _, eb := range ix.groups[b].entries {
			if ea.Lang == eb.Lang {
				best = max(best, jaccard(qvec(ea), qvec(eb)))
			}
		}
	}
	return best
}

// jaccard is the weighted Jaccard similarity of two term vectors: the
// weight they share over the weight either has.
func jaccard(a, b termVec) float64 {
	var shared, union float64
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i].t < b[j].t:
			union += float64(a[i].w)
			i++
		case a[i].t > b[j].t:
			union += float64(b[j].w)
			j++
		default:
			shared += float64(min(a[i].w, b[j].w))
			union += float64(max(a[i].w, b[j].w))
			i, j = i+1, j+1
		}
	}
	for ; i < len(a); i++ {
		union += float64(a[i].w)
	}
	for ; j < len(b); j++ {
		union += float64(b[j].w)
	}
	if union == 0 {
		return 0
	}
	return shared / union
}

// Two editions of a page, one Chinese and one English, ask their questions
// in the same order. Once some of their entries are known to be one topic
// (by id, or by the tests above), the entries between two such anchors are
// the same questions in order, provided both pages have as many there: the
// run between anchors (i1, j1) and (i2, j2) pairs entry i1+k of one page
// with entry j1+k of the other when i2-i1 equals j2-j1. Pages are taken for
// editions of one another only when their anchors keep one order and are
// alignMin or more, and alignShare or more of the shorter page's entries.
const (
	alignMin   = 2
	alignShare = 0.3
)

// alignedPages returns pairs of groups (Chinese-only, English-only) that
// stand at the same place in two editions of a page; root gives a group's
// topic so far.
func (ix *Index) alignedPages(root func(int32) int32) [][2]int32 {
	type at struct {
		g    int32
		line int
	}
	// Each page's groups in the order of its headings, and its language.
	pages := map[string][]at{}
	zhCount := map[string]int{}
	for g, grp := range ix.groups {
		for _, e := range grp.entries {
			pages[e.File] = append(pages[e.File], at{int32(g), e.Line})
			if e.Lang == "zh" {
				zhCount[e.File]++
			}
		}
	}
	files := slices.Sorted(maps.Keys(pages))
	seqs := make([][]int32, len(files))
	zh := make([]bool, len(files))
	for f, name := range files {
		p := pages[name]
		slices.SortFunc(p, func(a, b at) int { return cmp.Compare(a.line, b.line) })
		for _, a := range p {
			seqs[f] = append(seqs[f], a.g)
		}
		zh[f] = 2*zhCount[name] > len(p)
	}
	// Where each topic stands on each page: once, or it anchors nothing.
	type place struct{ file, i int }
	places := map[int32][]place{}
	for f, seq := range seqs {
		for i, g := range seq {
			places[root(g)] = append(places[root(g)], place{f, i})
		}
	}
	type pagePair struct{ zh, en int }
	anchors := map[pagePair][][2]int{}
	onceOn := func(ps []place, f int) bool {
		n := 0
		for _, p := range ps {
			if p.file == f {
				n++
			}
		}
		return n == 1
	}
	for _, ps := range places {
		// In any order: each pair's anchors are sorted below.
		for _, a := range ps {
			if !zh[a.file] || !onceOn(ps, a.file) {
				continue
			}
			for _, b := range ps {
				if zh[b.file] || !onceOn(ps, b.file) {
					continue
				}
				k := pagePair{a.file, b.file}
				anchors[k] = append(anchors[k], [2]int{a.i, b.i})
			}
		}
	}
	var out [][2]int32
	pairs := slices.SortedFunc(maps.Keys(anchors), func(a, b pagePair) int {
		return cmp.Or(cmp.Compare(a.zh, b.zh), cmp.Compare(a.en, b.en))
	})
	for _, k := range pairs {
		as := anchors[k]
		zs, es := seqs[k.zh], seqs[k.en]
		if len(as) < alignMin || float64(len(as)) < alignShare*float64(min(len(zs), len(es))) {
			continue
		}
		slices.SortFunc(as, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
		ordered := true
		for i := 1; i < len(as); i++ {
			if as[i][1] <= as[i-1][1] {
				ordered = false
				break
			}
		}
		if !ordered {
			continue
		}
		// The runs between anchors, and before the first and after the
		// last.
		bounds := append([][2]int{{-1, -1}}, as...)
		bounds = append(bounds, [2]int{len(zs), len(es)})
		for b := 1; b < len(bounds); b++ {
			i1, j1, i2, j2 := bounds[b-1][0], bounds[b-1][1], bounds[b][0], bounds[b][1]
			if i2-i1 != j2-j1 {
				continue
			}
			for d := 1; d < i2-i1; d++ {
				a, e := zs[i1+d], es[j1+d]
				if ix.groups[a].langs == 1 && ix.groups[e].langs == 2 && root(a) != root(e) {
					out = append(out, [2]int32{a, e})
				}
			}
		}
	}
	return out
}
