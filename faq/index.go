package faq

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Options configure loading.
type Options struct {
	// DocsBaseURL resolves relative links in answers; empty shows link text only.
	DocsBaseURL string
	// Lexicon lists lexicon files (see the package documentation) that
	// extend the embedded one.
	Lexicon []string
	// Phrasings adds ways of asking entries, by entry id (for example the
	// phrasings a team taught the bot in chat). Ids the FAQ lacks are ignored.
	Phrasings map[string][]string
	// NoPhrasings ignores every phrasing (the FAQ's own, the lexicon's and
	// Phrasings): what the questions and answers alone achieve, for an FAQ
	// owner measuring how much the phrasings add.
	NoPhrasings bool
}

// group is every language version of one entry id.
type group struct {
	id      string
	entries []*Entry
	// langs has bit 0 set when the group has a Chinese entry, bit 1 for English.
	langs uint8
	// answerFactor scales what the group's answer explains: 1 for an answer
	// of average length or shorter, less for long ones, so that long
	// answers do not win every question by their many words.
	answerFactor float32
}

func langBit(lang string) uint8 {
	if lang == "en" {
		return 2
	}
	return 1
}

// variant is one way of asking a group: one of its questions or phrasings.
type variant struct {
	group  int32
	weight float32 // total weight of its terms
	qtype  qtype
	phrase bool // a phrasing, not the entry's own question
}

// Index is a loaded FAQ with every matching structure precomputed. It is
// safe for concurrent use; Match does no set-up work.
type Index struct {
	// qualifier holds the terms of the lexicon's [modifier] words.
	qualifier map[string]bool
	// unknownAttribute holds the terms of the lexicon's [attribute] words
	// when the FAQ has none of them (see params.offUnknownAttribute).
	unknownAttribute map[string]bool
	entries          []*Entry
	byKey            map[[2]string]*Entry
	groups           []group
	// topic maps a group to its topic: groups whose questions are the same
	// (copies of a page, cn/intl editions) share one, and never compete.
	topic []int32
	// near holds each group's question and answer term vectors, for
	// telling near copies apart from rivals in a close call (see
	// Index.nearCopies).
	near     nearVecs
	variants []variant
	// chunkGroup maps an answer sentence to its group: the answer counts
	// by its sentence that best fits the query, so that a long answer that
	// mentions everything once wins nothing.
	chunkGroup []int32
	an         *analyzer
	voc        vocab
	post       postings
	// trans maps a term to terms of the other language that the FAQ's own
	// bilingual entries show it means (see learnTranslations).
	trans map[int32][]translation
	p     params
	// minMargin is the lead the best topic needs: params.minMargin and
	// params.marginLog applied to this FAQ's size.
	minMargin float64
	// offSubject scales a question that names no subject word of this FAQ:
	// params.offSubject in an FAQ most of whose questions name one
	// (subjectFull), nearer 1 in one where fewer do (several products, each
	// with words of its own).
	offSubject float64
	// powQ and powE raise the two coverages to their exponents.
	powQ, powE *powTable
	// shortQ holds the folded questions that short keyword
	// queries are fuzzy-matched against; shortG their groups.
	shortQ []string
	shortG []int32
	pool   sync.Pool

	lx       *lexicon
	f        folder
	extra    map[string][]string
	noPhr    bool
	problems []Problem
	// ownSense holds the lexicon's English words (stemmed) that this FAQ
	// uses in a sense of its own, read as themselves (see otherSenses).
	ownSense []string
}

// Problems returns what loading skipped or had to derive (a broken page, an
// empty answer, a heading without an anchor), by file and line. The index
// holds every entry that had no problem.
func (ix *Index) Problems() []Problem { return ix.problems }

// Entries returns every entry, in load order.
func (ix *Index) Entries() []*Entry { return ix.entries }

// Has reports whether an entry with this id is loaded, in any language.
func (ix *Index) Has(id string) bool { return ix.Lookup(id, "zh") != nil }

// WithPhrasings returns a new index over the same entries with extra
// phrasings by entry id in place of those given before (to Options or an
// earlier WithPhrasings). The receiver is unchanged and stays usable.
func (ix *Index) WithPhrasings(extra map[string][]string) *Index {
	nx := build(ix.entries, ix.lx, ix.f, ix.p, extra, ix.noPhr)
	nx.problems = ix.problems
	return nx
}

// Len returns the number of entries.
func (ix *Index) Len() int { return len(ix.entries) }

// Lookup returns the entry with id in lang, or in another language when lang
// is not loaded, or nil.
func (ix *Index) Lookup(id, lang string) *Entry {
	if e := ix.byKey[[2]string{id, lang}]; e != nil {
		return e
	}
	for _, l := range []string{"zh", "en"} {
		if e := ix.byKey[[2]string{id, l}]; e != nil {
			return e
		}
	}
	return nil
}

// urlRe finds link targets, whose words must not count as answer text.
var urlRe = regexp.MustCompile(`\]\([^)]*\)|https?://\S+`)

// unigramFactor scales single Han characters against bigrams and words: a
// character alone says little, a character pair is close to a word.
const unigramFactor = 0.3

// vocab numbers the FAQ's terms and knows their weights.
type vocab struct {
	ids map[string]int32
	// idf is each term's weight: its rarity across groups, scaled by its
	// kind, floored by its general rarity (see weight).
	idf []float32
	// unknown is the weight of a term no group has: [0] for a single
	// character, [1] for anything else.
	unknown [2]float32
	// subject marks the terms that name what the FAQ is about: found in
	// many of its questions (备案 in a filing FAQ), or listed in a
	// lexicon's [subject] section.
	subject []bool
	// weak marks terms that only qualify a question (lexicon [modifier])
	// and single characters.
	weak []bool
	// attr marks the terms of the lexicon's [attribute] words: what a
	// question asks of the thing it names (its price).
	attr []bool
	// hasSubject says whether any term is a subject word.
	hasSubject bool
	// subjectCover is the share of the FAQ's questions and phrasings that
	// name a subject word.
	subjectCover float64
}

// postings lists, for each term, where it occurs.
type postings struct {
	q [][]int32 // groups whose questions have it
	p [][]int32 // groups that have it in phrasings, not questions
	a [][]int32 // groups that have it only in the answer
	v [][]int32 // variants (one question or phrasing each) that have it
	// c lists the groups for which the term is distinctive: among the
	// heaviest terms of one of their questions (see params.coreShare).
	c [][]int32
	// s lists the answer sentences (chunks) that have the term and their
	// group's questions do not.
	s [][]int32
}

func (p *postings) grow() {
	p.q, p.p, p.a, p.v, p.c, p.s = append(p.q, nil), append(p.p, nil), append(p.a, nil), append(p.v, nil), append(p.c, nil), append(p.s, nil)
}

// build indexes entries (deduplicated by id and language) with lexicon lx.
func build(entries []*Entry, lx *lexicon, f folder, p params, extra map[string][]string, noPhr bool) *Index {
	own := otherSenses(entries, lx, f)
	if len(own) > 0 {
		lx = lx.clone()
		for _, k := range own {
			delete(lx.latin, k)
		}
	}
	ix := &Index{entries: entries, byKey: map[[2]string]*Entry{}, p: p, lx: lx, f: f, extra: extra, noPhr: noPhr, ownSense: own}
	ix.voc.ids = map[string]int32{}
	ix.an = newAnalyzer(f, lx)
	ix.makeGroups()
	ix.an.learnWords(lx, entries)
	vt, df := ix.indexTerms()
	ix.weigh(vt, df)
	ix.trans = ix.learnTranslations()
	ix.near = ix.groupVectors()
	ix.topic = ix.findTopics()
	ix.an.pinyin = newPinyinIndex(&ix.voc, lx.han)
	ix.setParams(p)
	return ix
}

// setParams sets the matcher's constants and what follows from them.
func (ix *Index) setParams(p params) {
	ix.p = p
	ix.minMargin = p.minMargin + p.marginLog*math.Log(float64(max(1, len(ix.groups))))
	ix.offSubject = 1 - (1-p.offSubject)*min(1, ix.voc.subjectCover/subjectFull)
	ix.powQ, ix.powE = newPowTable(p.qExp), newPowTable(1-p.qExp)
}

// makeGroups gathers the entries of one id into a group.
func (ix *Index) makeGroups() {
	gi := map[string]int{}
	for _, e := range ix.entries {
		ix.byKey[[2]string{e.ID, e.Lang}] = e
		i, ok := gi[e.ID]
		if !ok {
			i = len(ix.groups)
			gi[e.ID] = i
			ix.groups = append(ix.groups, group{id: e.ID})
		}
		ix.groups[i].entries = append(ix.groups[i].entries, e)
		ix.groups[i].langs |= langBit(e.Lang)
	}
}

// phrasingsOf returns the extra ways of asking group g, with their language.
func (ix *Index) phrasingsOf(g int) []string {
	if ix.noPhr {
		return nil
	}
	grp := ix.groups[g]
	var out []string
	for _, e := range grp.entries {
		out = append(out, e.Phrasings...)
	}
	out = append(out, ix.lx.phrasings[grp.id]...)
	return append(out, ix.extra[grp.id]...)
}

// indexTerms analyses every question, phrasing and answer into postings. It
// returns each variant's terms and each term's document frequency.
func (ix *Index) indexTerms() ([][]int32, []int) {
	var buf []string
	var df []int
	var uni []bool
	var variantTerms [][]int32
	id := func(t string) int32 {
		if i, ok := ix.voc.ids[t]; ok {
			return i
		}
		i := int32(len(ix.voc.ids))
		ix.voc.ids[t] = i
		ix.post.grow()
		df = append(df, 0)
		uni = append(uni, kindFactor(t) != 1)
		return i
	}
	var answerLen []int
	for g, grp := range ix.groups {
		qset, pset, aset := map[int32]bool{}, map[int32]bool{}, map[int32]bool{}
		var texts []string
		for _, e := range grp.entries {
			texts = append(texts, withoutNumbering(e.Question))
		}
		nQuestions := len(texts)
		texts = append(texts, ix.phrasingsOf(g)...)
		for i, t := range texts {
			buf = ix.an.analyzeDoc(t, buf[:0])
			var vt []int32
			seen := map[int32]bool{}
			for _, term := range buf {
				ti := id(term)
				if i < nQuestions {
					qset[ti] = true
				} else {
					pset[ti] = true
				}
				if !seen[ti] {
					seen[ti] = true
					vt = append(vt, ti)
				}
			}
			variantTerms = append(variantTerms, vt)
			ix.variants = append(ix.variants, variant{group: int32(g), qtype: questionType(ix.f.fold(t)), phrase: i >= nQuestions})
			if i < nQuestions {
				ix.shortQ = append(ix.shortQ, strings.Join(strings.Fields(ix.f.fold(t)), ""))
				ix.shortG = append(ix.shortG, int32(g))
			}
		}
		n := 0
		for _, e := range grp.entries {
			for _, sent := range answerSentences(e.Title + "\n" + urlRe.ReplaceAllString(e.answerText(), " ")) {
				buf = ix.an.analyzeDoc(sent, buf[:0])
				chunk := int32(len(ix.chunkGroup))
				added := false
				for _, term := range buf {
					ti := id(term)
					if qset[ti] || pset[ti] {
						continue
					}
					if !aset[ti] {
						aset[ti] = true
						n++
					}
					if kindFactor(term) == 1 && (len(ix.post.s[ti]) == 0 || ix.post.s[ti][len(ix.post.s[ti])-1] != chunk) {
						ix.post.s[ti] = append(ix.post.s[ti], chunk)
						added = true
					}
				}
				if added {
					ix.chunkGroup = append(ix.chunkGroup, int32(g))
				}
			}
		}
		answerLen = append(answerLen, n)
		for ti := range qset {
			ix.post.q[ti] = append(ix.post.q[ti], int32(g))
			df[ti]++
		}
		for ti := range pset {
			if !qset[ti] {
				ix.post.p[ti] = append(ix.post.p[ti], int32(g))
				df[ti]++
			}
		}
		for ti := range aset {
			df[ti]++
			if !uni[ti] {
				// A character alone in a long answer says nothing.
				ix.post.a[ti] = append(ix.post.a[ti], int32(g))
			}
		}
	}
	// Long answers say a little about many things.
	total := 0
	for _, n := range answerLen {
		total += n
	}
	avg := float64(total) / float64(max(1, len(answerLen)))
	for g, n := range answerLen {
		ix.groups[g].answerFactor = float32(min(1, math.Sqrt(avg/float64(max(1, n)))))
	}
	for _, l := range [][][]int32{ix.post.q, ix.post.p, ix.post.a} {
		for _, ps := range l {
			slices.Sort(ps)
		}
	}
	return variantTerms, df
}

// weigh sets term weights, variant weights, subject and weak terms.
func (ix *Index) weigh(variantTerms [][]int32, df []int) {
	n := float64(len(ix.groups))
	v := &ix.voc
	v.idf = make([]float32, len(v.ids))
	for t, ti := range v.ids {
		v.idf[ti] = float32(ix.weight(t, idf(n, df[ti])))
	}
	v.unknown = [2]float32{float32(idf(n, 0) * unigramFactor), float32(idf(n, 0))}
	for vi, vt := range variantTerms {
		var w, top float32
		for _, ti := range vt {
			ix.post.v[ti] = append(ix.post.v[ti], int32(vi))
			w += v.idf[ti]
			top = max(top, v.idf[ti])
		}
		ix.variants[vi].weight = max(w, 1e-6)
		if ix.variants[vi].phrase {
			continue
		}
		g := ix.variants[vi].group
		for _, ti := range vt {
			if v.idf[ti] >= float32(ix.p.coreShare)*top && !slices.Contains(ix.post.c[ti], g) {
				ix.post.c[ti] = append(ix.post.c[ti], g)
			}
		}
	}
	v.subject = ix.flag(ix.lx.subject)
	v.weak = ix.flag(ix.lx.modifier)
	v.attr = ix.flag(ix.lx.attribute)
	// The attribute words' terms, when the FAQ has none of them: a question
	// of a price asked of an FAQ that never speaks of one.
	ix.unknownAttribute = nil
	if !slices.Contains(v.attr, true) {
		ix.unknownAttribute = ix.termSet(ix.lx.attribute)
	}
	// A qualifier the FAQ lacks (周末 in "we moved last weekend") is told of
	// the story, not the question: it weighs as any word, not as a concept.
	ix.qualifier = ix.termSet(ix.lx.modifier)
	for t, ti := range v.ids {
		v.weak[ti] = v.weak[ti] || kindFactor(t) != 1
	}
	// Subject words from the FAQ itself: the pairs and words that a good
	// share of its questions use.
	minDF := max(2, int(math.Ceil(subjectShare*n)))
	for t, ti := range v.ids {
		if len(ix.post.q[ti]) >= minDF && !v.weak[ti] && ix.wordTerm(t) {
			v.subject[ti] = true
		}
	}
	v.hasSubject = slices.Contains(v.subject, true)
	// How many of the FAQ's own questions name a subject word: the less, the
	// less a question that names none is off the subject.
	named := 0
	for _, vt := range variantTerms {
		if slices.ContainsFunc(vt, func(ti int32) bool { return v.subject[ti] }) {
			named++
		}
	}
	if len(variantTerms) > 0 {
		v.subjectCover = float64(named) / float64(len(variantTerms))
	}
}

// answerSentences splits answer text into sentences and list items.
func answerSentences(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == '。' || r == '！' || r == '？' || r == '\n' || r == '；' || r == '!' || r == '?' || r == ';'
	})
}

// subjectShare is the share of an FAQ's questions a word must appear in to
// name the FAQ's subject.
const subjectShare = 0.1

// subjectFull is the share of an FAQ's questions naming a subject word from
// which a question that names none takes the whole of params.offSubject;
// below it, a share of it in proportion.
const subjectFull = 0.8

// idf is the inverse document frequency of a term found in df of n groups.
func idf(n float64, df int) float64 {
	return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
}

// kindFactor scales a term by its kind: a single Han character counts
// unigramFactor of a character pair or an English word.
func kindFactor(t string) float64 {
	if !isASCIIWord(t) && utf8.RuneCountInString(t) == 1 {
		return unigramFactor
	}
	return 1
}

// functionChars are Chinese characters that, standing alone, are grammar:
// particles, prepositions, pronouns and the like. Most are stop words of the
// lexicon where they stand as words; these are the ones that also build
// words (着急, 来源, 过期), so they cannot be dropped, only weighed little.
const functionChars = "着来去过得于以而之其只才将则乃并且此该每各某"

// quantityHeads and measureWords make the pairs that only count
// something (一台, 每个, 几次, 这家): a numeral, a demonstrative or 每, 几,
// 各 before a measure word of general Chinese. However rare in a FAQ, such
// a pair says how many, not what is asked about; the measure word alone
// still counts.
const (
	quantityHeads = "一二两三四五六七八九十百千万几每这那哪各某半"
	measureWords  = "个台次家张份条位种项本块件套批名处座间页款只封笔"
)

// quantityPair reports whether t is a numeral or demonstrative and a
// measure word.
func quantityPair(t string) bool {
	a, n := utf8.DecodeRuneInString(t)
	if n == len(t) || a < utf8.RuneSelf {
		return false
	}
	b, m := utf8.DecodeRuneInString(t[n:])
	return n+m == len(t) && strings.ContainsRune(quantityHeads, a) && strings.ContainsRune(measureWords, b)
}

// functionChar reports whether t is one character of functionChars.
func functionChar(t string) bool {
	r, n := utf8.DecodeRuneInString(t)
	return n == len(t) && r >= utf8.RuneSelf && strings.ContainsRune(functionChars, r)
}

func isASCIIWord(t string) bool {
	for i := 0; i < len(t); i++ {
		if t[i] >= 0x80 {
			return false
		}
	}
	return t != ""
}

// weight is the weight of a FAQ term: its rarity across entries, scaled by
// its kind, and never less than what its general rarity says about the
// domain. A word every entry shares (备案) tells entries apart not at all,
// but it tells a filing question from small talk.
//
// A common word of general Chinese (自己, 公司, 情况) says little about which
// entry is meant however rare it is in the FAQ, so its weight is scaled by
// its general rarity; a pair of characters that is no word at all (务号, from
// 服务号) counts half.
func (ix *Index) weight(t string, localIDF float64) float64 {
	w := localIDF * kindFactor(t)
	if isASCIIWord(t) {
		return w * float64(ix.p.englishFactor(t))
	}
	if kindFactor(t) != 1 {
		if functionChar(t) {
			// A particle or preposition (着, 来, 于): rare in a FAQ's
			// questions, it says nothing of what is asked.
			return w * ix.p.commonFloor
		}
		return w
	}
	if ix.lx.inCanon[t] {
		return w // a concept of the lexicon: what the question is about
	}
	if quantityPair(t) {
		return w * ix.p.commonFloor
	}
	bg := wordIDF(t)
	if bg == 0 {
		return w * ix.p.nonWord
	}
	w *= min(1, max(ix.p.commonFloor, (bg-ix.p.bgLow)/(ix.p.bgHigh-ix.p.bgLow)))
	return max(w, ix.p.domainWeight*min(1, max(0, (bg-3)/6)))
}

// flag marks the terms (pairs and words) of the given words.
func (ix *Index) flag(words []string) []bool {
	out := make([]bool, len(ix.voc.ids))
	for t := range ix.termSet(words) {
		if ti, ok := ix.voc.ids[t]; ok {
			out[ti] = true
		}
	}
	return out
}

// termSet returns the terms of words that are character pairs or whole
// words, whether the FAQ has them or not.
func (ix *Index) termSet(words []string) map[string]bool {
	set := map[string]bool{}
	for _, w := range words {
		for _, t := range ix.an.analyzeDoc(w, nil) {
			if kindFactor(t) == 1 {
				set[t] = true
			}
		}
	}
	return set
}
