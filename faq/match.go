package faq

import (
	"cmp"
	"math"
	"math/bits"
	"slices"

	"strings"
	"unicode/utf8"

	"github.com/sahilm/fuzzy"
)

// Decision thresholds on the calibrated score.
const (
	// answerAt is the score from which the best entry is given as the answer.
	answerAt = 0.5
	// suggestAt is the score from which an entry is offered as a suggestion.
	suggestAt = 0.2
	// suggestRaw is the least raw similarity worth suggesting at all.
	suggestRaw = 0.15
	// fuzzyBonus is the raw similarity a short keyword's fuzzy match adds.
	fuzzyBonus     = 0.15
	maxSuggestions = 3
	// maxSpans is how many parts of a message are scored: all of it, the
	// clause that asks, and that clause with the one before it.
	maxSpans = 3
	// minAskTerms is the least number of content terms (see contentTerms)
	// of a clause scored on its own.
	minAskTerms = 2
)

// minAccumulate is the least weight of a term whose postings are walked;
// lighter terms change no ranking and cost most (they are everywhere).
const minAccumulate = 0.05

// answerBroad is the number of answers and answer sentences from which a
// term is everywhere in a FAQ's answers (实例, 服务器 in a cloud FAQ of
// thousands of entries): its answer postings are not walked, and it counts
// where questions have it and in the query's total. Walking them was most of
// what made a query's cost grow with the number of entries.
const answerBroad = 1500

// powTable holds x^e for x in [0, 1], for the geometric mean of the two
// coverages without a math.Pow per entry and span.
type powTable [powSteps + 1]float64

const powSteps = 1024

func newPowTable(e float64) *powTable {
	var t powTable
	for i := range t {
		t[i] = math.Pow(float64(i)/powSteps, e)
	}
	return &t
}

// at returns x^e, interpolated; x is clamped to [0, 1].
func (t *powTable) at(x float64) float64 {
	x = min(max(x, 0), 1) * powSteps
	i := int(x)
	if i >= powSteps {
		return t[powSteps]
	}
	f := x - float64(i)
	return t[i] + f*(t[i+1]-t[i])
}

// broadMin and broadShare say when a term is broad (see accumulate): when
// more than max(broadMin, groups/broadShare) questions have it.
const (
	broadMin   = 64
	broadShare = 24
	// minFound is how many entries the narrower terms must find for the
	// broad ones only to add to them.
	minFound = 16
)

// maxQueryBytes bounds the text that is matched: a question is never
// longer, and a pasted log must not cost more than a question.
const maxQueryBytes = 1024

// params are the matcher's tunable constants, chosen by TestTune on the
// labelled questions in faq/testdata.
type params struct {
	// qExp weighs query coverage against entry coverage (1-qExp) in the
	// geometric mean that makes the raw similarity.
	qExp float64
	// phrasingWeight and answerWeight are how much a query term found only
	// in an entry's extra phrasings, or only in its answer, counts against
	// one found in its question.
	phrasingWeight, answerWeight float32
	// domainWeight is the least weight of a FAQ word that is rare in general
	// Chinese (see Index.weight).
	domainWeight float64
	// minRaw is the least raw similarity that is ever answered.
	minRaw float64
	// minRawLong is minRaw for a message of several clauses: the story
	// around its question leaves less of it explained by any entry (and
	// scores it lower) while the best entry is no less often the one meant.
	minRawLong float64
	// unknownLatin, unknownWord, unknownPair and unknownChar scale the weight
	// of what the FAQ does not know, against its rarest term: an English word;
	// a Chinese word (further scaled by how rare it is in general Chinese); a
	// character pair that is no word (it only straddles two words of a long
	// question); a single character.
	unknownLatin, unknownWord, unknownPair, unknownChar float32
	// offSubject scales the similarity of a question that names none of the
	// FAQ's subject words and is not wholly explained by the entry, in an FAQ
	// most of whose questions name one (see Index.offSubject).
	offSubject float64
	// coreShare is how heavy a term of an entry's question must be, against
	// the question's heaviest, to be distinctive of it; offCore scales the
	// similarity of an entry none of whose distinctive terms the query has.
	coreShare, offCore float64
	// unknownConcept scales a lexicon concept the FAQ does not have.
	unknownConcept float32
	// bgLow is the general IDF at and below which an unknown word weighs
	// least.
	bgLow float64
	// slope is the steepness of the logistic curve that maps raw similarity
	// to the score, centred on minRaw.
	slope float64
	// minMargin is how far, in raw similarity, the best topic must lead the
	// second for the bot to answer rather than ask.
	minMargin float64
	// typeMismatch scales a question that asks for another kind of answer
	// (why against how long) than the entry's question gives.
	typeMismatch float64
	// spanFactor scales the similarity of a part of a message (the clause
	// that asks) against the whole: leaving out words is a small risk.
	spanFactor float64
	// spanDrop scales it further by the share of what the FAQ knows of the
	// message that the part leaves out: a clause that asks "will my site
	// go down?" after "during an access filing," drops what it is about.
	spanDrop float64
	// unknownLong scales what a word no entry has counts of a message of
	// several clauses: mostly the story around the question (who we are,
	// what happened), which no FAQ is about.
	unknownLong float64
	// transWeight scales what a learned translation contributes.
	transWeight float32
	// nonWord scales a character pair that is no word of general Chinese;
	// commonFloor is the least share of its weight a common word keeps, and
	// bgHigh the general IDF from which a word keeps all of it (see weight).
	nonWord, commonFloor, bgHigh float64
	// ecovPrior is added to the weight of an entry's question when the
	// share of it a query says is taken: a question that is one common word
	// ("What if I do not have an ICP filing?" is all stop words but
	// "filing") is not wholly said by every query with that word.
	ecovPrior float32
	// sentenceWeight is how much a query term found in the answer sentence
	// that best fits the query counts against one in the question.
	sentenceWeight float32
	// english1 and english2 scale an English word of commonEnglish's first
	// and second tier.
	english1, english2 float32
	// contrastLead is the contrast (see Index.contrast) from which the best
	// topic is answered though the next scores close to it.
	contrastLead float64
	// marginLog adds to minMargin per natural log of the number of entry
	// ids: the more entries, the more often two of them are close, and the
	// more a lead must be to mean the best one is meant.
	marginLog float64
	// rankQuestion, rankAnswer and rankClause order the candidates (see
	// rankBonus): what raw similarity does not tell apart.
	rankQuestion, rankAnswer, rankClause float64
	// rankContrast weighs the contrast of the two best topics (see
	// Index.contrast) in their order: the next is put first when its lead
	// in the words that tell them apart outweighs the best's lead in key.
	rankContrast float64
	// offObject scales the similarity of an entry whose question shares
	// with the query only words of what is asked (its price), none of
	// those that name what the query asks it of.
	offObject float64
	// offUnknownAttribute scales every entry of an FAQ that has none of
	// the lexicon's [attribute] words for a query whose asking clause has
	// one: an FAQ that never speaks of a price answers no price question.
	offUnknownAttribute float64
}

var defaultParams = params{
	qExp: 0.7, phrasingWeight: 1, answerWeight: 0.55, domainWeight: 0.5, minRaw: 0.45, minRawLong: 0.3,
	unknownLatin: 0.5, unknownWord: 0.5, unknownPair: 0.1, unknownChar: 0.3, offSubject: 0.75,
	coreShare: 0.3, offCore: 0.7, unknownConcept: 1, bgLow: 4, slope: 9, minMargin: 0.07,
	typeMismatch: 0.9, spanFactor: 0.85, spanDrop: 0.4, unknownLong: 0.7, transWeight: 0.8, nonWord: 0.5, commonFloor: 0.2, bgHigh: 7,
	ecovPrior: 0.5, sentenceWeight: 0.9, marginLog: 0.015, english1: 0.2, english2: 0.5, contrastLead: 0.25,
	rankQuestion: 0.435, rankAnswer: 0.3, rankClause: 0.3, rankContrast: 0.8, offObject: 0.7, offUnknownAttribute: 0.7,
}

// englishFactor is how much of its weight the English word (stem) t keeps:
// less the more general it is (see commonEnglish).
func (p params) englishFactor(t string) float32 {
	switch englishTier[t] {
	case 1:
		return p.english1
	case 2:
		return p.english2
	}
	return 1
}

type scored struct {
	g   int32
	raw float64
	// key orders the candidates: the log of raw plus the group's rank
	// bonus.
	key float64
}

// qterm is one distinct term of a query.
type qterm struct {
	text  string
	id    int32 // -1 when the FAQ does not have it
	w     float32
	spans uint8 // bit s: span s has it
	kind  uint8 // see termKind
}

// scratch holds per-query accumulators, reused through Index.pool so that
// matching allocates little. Per-group and per-variant arrays are cleared
// only where a query touched them.
type scratch struct {
	qm, pm, am []float32 // [span*groups + g]
	vm         []float32 // [span*variants + v]
	cm         []float32 // [span*chunks + c]: query weight in answer sentence c
	touchedC   []int32
	cMark      []uint32
	sm         []float32 // [span*groups + g]: the best sentence of g's answer
	core       []bool    // [span*groups + g]: has a distinctive word of g's question
	raw        []float64 // per group, best over spans
	bonus      []float32 // per group, its rank bonus (see rankBonus)
	spanOf     []uint8   // per group, the span that gave raw
	touchedG   []int32
	touchedV   []int32
	gMark      []uint32
	vMark      []uint32
	tMark      []uint32 // term → epoch in which the query had it
	tIdx       []int32  // term → index in terms
	epoch      uint32
	terms      []qterm
	buf        []string
	unknown    map[string]int32
	ecov       []float32
	nSpans     int     // spans the query used
	long       bool    // the query has several clauses
	concepts   []int32 // start and end in buf of each lexicon concept's terms
	conceptOf  []int32 // buf position → its concept's start in concepts, -1 when none
	termOf     []int32 // buf position → index in terms
	factor     []float32
	// qa and qo are the parts of qm and pm that the query's attribute
	// words, and the words that name what it asks about, make; they are
	// kept only when asksAttribute says the query has an attribute word
	// (see termKind).
	qa, qo        []float32 // [span*groups + g]
	asksAttribute bool
	// asksUnknown says that the clause that asks has an attribute word of
	// which the FAQ has none (see params.offUnknownAttribute).
	asksUnknown bool
	// pinyin says the query is typed in pinyin (see pinyinContext): Chinese
	// in Latin letters.
	pinyin bool
}

func (ix *Index) getScratch() *scratch {
	if s, ok := ix.pool.Get().(*scratch); ok {
		// Only what the last query used is cleared.
		for sp := range s.nSpans {
			qm, pm, am, sm, core := s.qm[sp*len(ix.groups):], s.pm[sp*len(ix.groups):], s.am[sp*len(ix.groups):], s.sm[sp*len(ix.groups):], s.core[sp*len(ix.groups):]
			for _, g := range s.touchedG {
				qm[g], pm[g], am[g], sm[g], core[g] = 0, 0, 0, 0, false
			}
			if s.asksAttribute {
				qa, qo := s.qa[sp*len(ix.groups):], s.qo[sp*len(ix.groups):]
				for _, g := range s.touchedG {
					qa[g], qo[g] = 0, 0
				}
			}
			vm := s.vm[sp*len(ix.variants):]
			for _, v := range s.touchedV {
				vm[v] = 0
			}
			cm := s.cm[sp*len(ix.chunkGroup):]
			for _, c := range s.touchedC {
				cm[c] = 0
			}
		}
		for _, g := range s.touchedG {
			s.raw[g], s.spanOf[g], s.bonus[g] = 0, 0, 0
		}
		s.touchedG, s.touchedV, s.touchedC, s.terms = s.touchedG[:0], s.touchedV[:0], s.touchedC[:0], s.terms[:0]
		clear(s.unknown)
		s.epoch++
		return s
	}
	ng, nv, nt, nc := len(ix.groups), len(ix.variants), len(ix.voc.ids), len(ix.chunkGroup)
	return &scratch{
		cm: make([]float32, maxSpans*nc), cMark: make([]uint32, nc), sm: make([]float32, maxSpans*ng), ecov: make([]float32, maxSpans*ng),
		qm: make([]float32, maxSpans*ng), pm: make([]float32, maxSpans*ng), am: make([]float32, maxSpans*ng),
		qa: make([]float32, maxSpans*ng), qo: make([]float32, maxSpans*ng),
		vm: make([]float32, maxSpans*nv), core: make([]bool, maxSpans*ng),
		raw: make([]float64, ng), spanOf: make([]uint8, ng), bonus: make([]float32, ng),
		gMark: make([]uint32, ng), vMark: make([]uint32, nv), tMark: make([]uint32, nt), tIdx: make([]int32, nt),
		epoch: 1, unknown: map[string]int32{},
	}
}

// span is a part of the query that is scored on its own.
type span struct {
	total float32
	// dropped is the share of the weight of the terms the FAQ knows in the
	// whole query that this span leaves out.
	dropped   float32
	qt        qtype
	onSubject bool
	onTopic   bool
	// objects is the weight of the words that name what the span asks
	// about: known words that are no qualifier and no attribute.
	objects float32
}

// Match matches query against the FAQ and says how sure it is.
func (ix *Index) Match(query string) Result { return ix.match(query, nil) }

func (ix *Index) match(query string, tr *trace) Result {
	res := Result{Query: query, Lang: langOf(query)}
	if len(ix.groups) == 0 {
		return res
	}
	s := ix.getScratch()
	defer ix.pool.Put(s)
	q := truncate(query, maxQueryBytes)
	spans, nSpans := ix.readQuery(s, q, tr)
	s.nSpans = nSpans
	if s.pinyin {
		// Chinese typed in Latin letters is answered in Chinese.
		res.Lang = "zh"
	}
	if tr != nil {
		tr.pinyin = s.pinyin
	}
	if !ix.accumulate(s, spans[:nSpans], res.Lang) {
		return res
	}
	ix.scoreGroups(s, spans[:nSpans], tr)
	top := ix.topTopics(s)
	if top[0].raw == 0 {
		return res
	}
	d := ix.decide(s, &top)
	if !d.answered && ix.fuzzyShort(s, query) {
		top = ix.topTopics(s)
		d = ix.decide(s, &top)
	}
	best := top[0]
	conf := ix.p.calibrate(best.raw, s.long)
	res.Best = Match{Entry: ix.answerOf(s, best.g, res.Lang), Score: conf}
	if tr != nil {
		tr.top, tr.long, tr.decision, tr.unknownAttribute = top, s.long, d, s.asksUnknown
	}
	if d.answered {
		res.Answered = true
		return res
	}
	// Not answered: no score may say otherwise.
	res.Best.Score = min(conf, answerAt-0.01)
	for i, c := range top[:maxSuggestions] {
		sc := res.Best.Score
		if i > 0 {
			sc = min(ix.p.calibrate(c.raw, s.long), sc)
		}
		if c.raw == 0 || sc < suggestAt && c.raw < best.raw*0.8 || c.raw < suggestRaw {
			break
		}
		res.Suggestions = append(res.Suggestions, Match{Entry: ix.answerOf(s, c.g, res.Lang), Score: sc})
	}
	return res
}

// readQuery analyses the query into distinct terms, each with the spans
// that hold it: span 0 is the whole query; for a message of several
// clauses, span 1 is the clause that asks and span 2 that clause with the
// one before it.
func (ix *Index) readQuery(s *scratch, q string, tr *trace) ([maxSpans]span, int) {
	var spans [maxSpans]span
	// A question pasted from the docs keeps its number ("16. 为什么…"), which is
	// no part of it, as it is none of the entry's.
	clauses := splitClauses(withoutSignature(withoutNumbering(q)))
	// Every clause's terms, one after another; ends[i] is where clause i's end.
	s.buf, s.concepts, s.termOf = s.buf[:0], s.concepts[:0], s.termOf[:0]
	var endsBuf [maxClauses]int
	var qtsBuf [maxClauses]qtype
	ends, qts := endsBuf[:0], qtsBuf[:0]
	// Each clause folded once (analyze finds it folded); the clauses
	// themselves stay as written, as explain shows them.
	var foldedBuf [maxClauses]string
	folded := foldedBuf[:0]
	for _, c := range clauses {
		c = ix.f.fold(c)
		folded = append(folded, c)
		qts = append(qts, questionType(c))
	}
	s.buf, ends, s.pinyin = ix.an.analyzeClauses(folded, s.buf, &s.concepts, ends)
	s.conceptOf = s.conceptOf[:0]
	for range s.buf {
		s.conceptOf = append(s.conceptOf, -1)
	}
	for c := 0; c < len(s.concepts); c += 2 {
		for pos := s.concepts[c]; pos < s.concepts[c+1]; pos++ {
			s.conceptOf[pos] = int32(c)
		}
	}
	s.long = len(clauses) > 1
	ask := asking(clauses, qts)
	// "…doesn't show them. What's wrong?": asking words alone say nothing;
	// the clause before says what is asked about.
	for ask > 0 && ix.contentTerms(s, ends[ask-1], ends[ask]) < minAskTerms {
		clauses[ask-1] += " " + clauses[ask]
		qts[ask-1] |= qts[ask]
		clauses = slices.Delete(clauses, ask, ask+1)
		qts = slices.Delete(qts, ask, ask+1)
		ends = slices.Delete(ends, ask-1, ask)
		ask--
	}
	n := 1
	if ask >= 0 && len(clauses) > 1 && ix.contentTerms(s, start(ends, ask), ends[ask]) >= minAskTerms {
		n = 2
		if ask > 0 {
			n = 3
		}
	}
	for _, qt := range qts {
		spans[0].qt |= qt
	}
	if n > 1 {
		spans[1].qt = qts[ask]
		spans[2].qt = qts[ask]
	}
	if n > 2 {
		spans[2].qt |= qts[ask-1]
	}
	// Pairs typed with a character of the same sound, before any term is
	// taken: the fix may change the character before the pair too.
	for pos := range s.buf {
		if s.conceptOf[pos] < 0 {
			if h := ix.typoOf(s.buf, pos); h != "" {
				if tr != nil {
					tr.reads = append(tr.reads, Reading{s.buf[pos], h})
				}
				fixTypo(s.buf, pos, h)
			}
		}
	}
	for ci := range clauses {
		var mask uint8 = 1
		if n > 1 && ci == ask {
			mask |= 2
		}
		if n > 2 && (ci == ask || ci == ask-1) {
			mask |= 4
		}
		for pos := start(ends, ci); pos < ends[ci]; pos++ {
			s.termOf = append(s.termOf, ix.addTerm(s, s.buf[pos], mask, s.conceptOf[pos] >= 0 && !ix.qualifier[s.buf[pos]]))
		}
	}
	ix.capConcepts(s)
	var qualifiers [maxSpans]int
	var known [maxSpans]float32
	s.asksAttribute, s.asksUnknown = false, false
	for i := range s.terms {
		// Of a message of several clauses, the one that asks: money spent
		// in the story ("不想白花钱") is not asked about.
		if t := s.terms[i]; ix.unknownAttribute[t.text] && (n == 1 || t.spans&2 != 0) {
			s.asksUnknown = true
		}
		s.terms[i].kind = ix.termKind(s.terms[i])
		s.asksAttribute = s.asksAttribute || s.terms[i].kind == kindAttribute
	}
	for _, t := range s.terms {
		for sp := range n {
			if t.spans&(1<<sp) == 0 {
				continue
			}
			if t.id < 0 && s.long {
				spans[sp].total += t.w * float32(ix.p.unknownLong)
			} else {
				spans[sp].total += t.w
			}
			if t.id >= 0 {
				known[sp] += t.w
				spans[sp].onSubject = spans[sp].onSubject || ix.voc.subject[t.id]
				spans[sp].onTopic = spans[sp].onTopic || !ix.voc.weak[t.id]
				if t.kind == kindObject {
					spans[sp].objects += t.w
				}
				if ix.voc.weak[t.id] && kindFactor(t.text) == 1 {
					qualifiers[sp]++
				}
			}
		}
	}
	for sp := 1; sp < n; sp++ {
		if known[0] > 0 {
			spans[sp].dropped = 1 - known[sp]/known[0]
		}
	}
	for sp := range n {
		// One qualifier alone ("today") is small talk; two together
		// ("during filing … go online") ask something.
		spans[sp].onTopic = spans[sp].onTopic || qualifiers[sp] >= 2
	}
	if tr != nil {
		// What Explain reports is what was scored.
		tr.clauses, tr.asking = slices.Clone(clauses), -1
		if n > 1 {
			tr.asking = ask
		}
		tr.terms = slices.Clone(s.terms)
	}
	return spans, n
}

// typoOf returns the FAQ's character pair that the pair terms[pos] is a
// typo of ("网占" for 网站, "成攻" for 成功; see pinyinIndex.homophone), or "".
// Only a pair that is no word is read so, when the pairs it overlaps
// (emitPiece puts them two before and two after it) are no words either: a
// pair inside a longer word (笔记本 has 记本, which sounds like 基本) is no
// typo, and a word the FAQ lacks (主题, which sounds like 主体) is meant as
// written.
func (ix *Index) typoOf(terms []string, pos int) string {
	t := terms[pos]
	first, n := utf8.DecodeRuneInString(t)
	if len(t) != 6 || n != 3 || !isHan(first) || utf8.RuneCountInString(t) != 2 {
		return ""
	}
	if _, ok := ix.voc.ids[t]; ok || wordIDF(t) > 0 {
		return ""
	}
	word := func(p string) bool {
		_, ok := ix.voc.ids[p]
		return ok || wordIDF(p) > 0
	}
	last, _ := utf8.DecodeLastRuneInString(t)
	if pos >= 2 {
		if p := terms[pos-2]; utf8.RuneCountInString(p) == 2 {
			if r, _ := utf8.DecodeLastRuneInString(p); r == first && word(p) {
				return ""
			}
		}
	}
	if pos+2 < len(terms) {
		if p := terms[pos+2]; utf8.RuneCountInString(p) == 2 {
			if r, _ := utf8.DecodeRuneInString(p); r == last && word(p) {
				return ""
			}
		}
	}
	h := ix.an.pinyin.homophone(t)
	if h == "" || wordIDF(h) == 0 {
		return ""
	}
	return h
}

// fixTypo puts pair h for the typo terms[pos] and, where it is, the
// character that was mistyped: emitPiece wrote a pair's second character
// just before it, its first one or two before that.
func fixTypo(terms []string, pos int, h string) {
	t := terms[pos]
	terms[pos] = h
	_, n := utf8.DecodeRuneInString(t)
	if t[:n] == h[:n] {
		if pos >= 1 && terms[pos-1] == t[n:] {
			terms[pos-1] = h[n:]
		}
		return
	}
	for _, p := range []int{pos - 2, pos - 3} {
		if p >= 0 && terms[p] == t[:n] {
			terms[p] = h[:n]
			return
		}
	}
}

// start returns where clause i's terms begin.
func start(ends []int, i int) int {
	if i == 0 {
		return 0
	}
	return ends[i-1]
}

// contentTerms counts the terms of s.buf[from:to] that say what a clause is
// about: known pairs and words that are not mere qualifiers or general
// English ("happen"), a lexicon concept once however many terms it has
// ("ICP number" is one thing asked about, not the two pairs of 备案号).
func (ix *Index) contentTerms(s *scratch, from, to int) int {
	n, last := 0, int32(-1)
	for pos := from; pos < to; pos++ {
		t := s.buf[pos]
		if ti, ok := ix.voc.ids[t]; !ok || ix.voc.weak[ti] || kindFactor(t) != 1 || englishTier[t] != 0 {
			continue // unknown, a qualifier, a character, general English
		}
		if c := s.conceptOf[pos]; c >= 0 {
			if c == last {
				continue
			}
			last = c
		}
		n++
	}
	return n
}

// addTerm adds term t, found in the spans of mask, to the query's terms,
// and returns its index there; concept says that t is a term of a lexicon
// concept the query names.
func (ix *Index) addTerm(s *scratch, t string, mask uint8, concept bool) int32 {
	if ti, ok := ix.voc.ids[t]; ok {
		if s.tMark[ti] == s.epoch {
			s.terms[s.tIdx[ti]].spans |= mask
			return s.tIdx[ti]
		}
		s.tMark[ti] = s.epoch
		s.tIdx[ti] = int32(len(s.terms))
		s.terms = append(s.terms, qterm{text: t, id: ti, w: ix.voc.idf[ti], spans: mask})
		return s.tIdx[ti]
	}
	if i, ok := s.unknown[t]; ok {
		s.terms[i].spans |= mask
		return i
	}
	s.unknown[t] = int32(len(s.terms))
	s.terms = append(s.terms, qterm{text: t, id: -1, w: ix.unknownWeight(t, concept), spans: mask})
	return int32(len(s.terms) - 1)
}

// conceptCap bounds what one lexicon concept counts of a query, against its
// heaviest term: a concept spelt with five characters ("经营许可证", which
// "ICP证" and "EDI许可证" say too) gives nine terms where a word of two gives
// three, and it must not outweigh the rest of the question because of that.
// A word of two characters weighs about 1.6 times its pair.
const conceptCap = 1.6

// capConcepts scales down the terms of each concept of the query that
// weighs more than conceptCap times its heaviest term. A term the query
// also has outside such a concept keeps its weight. It is the query's side
// only: how much of an entry's question a query says is unchanged.
func (ix *Index) capConcepts(s *scratch) {
	if len(s.concepts) == 0 {
		return
	}
	s.factor = s.factor[:0]
	for range s.terms {
		s.factor = append(s.factor, 0)
	}
	for c := 0; c < len(s.concepts); c += 2 {
		terms := s.termOf[s.concepts[c]:s.concepts[c+1]]
		// A concept the FAQ has a part of ("备案号" where it says 备案) is no
		// concept it lacks: its unknown pairs weigh as any other.
		if slices.ContainsFunc(terms, func(ti int32) bool { return s.terms[ti].id >= 0 && kindFactor(s.terms[ti].text) == 1 }) {
			for _, ti := range terms {
				if t := &s.terms[ti]; t.id < 0 && kindFactor(t.text) == 1 {
					t.w = min(t.w, ix.unknownWeight(t.text, false))
				}
			}
		}
		var sum, top float32
		for _, ti := range terms {
			sum += s.terms[ti].w
			top = max(top, s.terms[ti].w)
		}
		f := float32(1)
		if sum > conceptCap*top {
			f = conceptCap * top / sum
		}
		for _, ti := range terms {
			s.factor[ti] = max(s.factor[ti], f)
		}
	}
	// A term the query also has outside every concept keeps its weight.
	for pos, ti := range s.termOf {
		if s.conceptOf[pos] < 0 {
			s.factor[ti] = 1
		}
	}
	for i := range s.terms {
		s.terms[i].w *= s.factor[i]
	}
}

// accumulate adds each known term's weight to the groups and variants that
// have it, per span. It reports whether there is anything to score.
func (ix *Index) accumulate(s *scratch, spans []span, lang string) bool {
	if spans[0].total == 0 || !spans[0].onSubject && !spans[0].onTopic {
		// Nothing known, or only words that qualify a question ("today").
		return false
	}
	qbit := langBit(lang)
	// A term that many questions share (网站, 服务器 in a hosting FAQ) finds
	// no entry by itself, which keeps the work of a query from growing with
	// the FAQ.
	broad := max(broadMin, len(ix.groups)/broadShare)
	// Three passes: the questions' postings of the narrower terms find the
	// entries; those of the broad terms, then every term's answer postings,
	// only add to what was found. An entry the question shares nothing with
	// but its answer words is no answer to it.
	late := false
	for pass := range 3 {
		answers := pass == 2
		if pass > 0 {
			// When the narrower terms found (almost) nothing, the question
			// is all common words ("购买ECS实例后可以更换地域吗"): let them find.
			late = answers || len(s.touchedG) >= minFound
		}
		for _, t := range s.terms {
			if t.id < 0 || t.w < minAccumulate {
				// Unknown, or so common (备, 案 in a filing FAQ) that it tells
				// no entry apart: it only counts in the query's total.
				continue
			}
			if !answers && (len(ix.post.q[t.id])+len(ix.post.p[t.id]) > broad) != (pass == 1) {
				continue
			}
			if answers && len(ix.post.a[t.id])+len(ix.post.s[t.id]) > answerBroad {
				continue
			}
			ix.add(s, t.id, t.w, ix.voc.idf[t.id], t.spans, 0, late, answers, t.kind)
			// Entries that lack the query's language hear it through the
			// translations the FAQ's bilingual entries teach.
			for _, tr := range ix.trans[t.id] {
				f := tr.strength * ix.p.transWeight
				ix.add(s, tr.term, t.w*f, ix.voc.idf[tr.term]*f, t.spans, qbit, late, answers, t.kind)
			}
		}
	}
	ng, nc := len(ix.groups), len(ix.chunkGroup)
	for _, c := range s.touchedC {
		g := ix.chunkGroup[c]
		for sp := range len(spans) {
			if v := s.cm[sp*nc+int(c)]; v > s.sm[sp*ng+int(g)] {
				s.sm[sp*ng+int(g)] = v
			}
		}
	}
	return len(s.touchedG) > 0
}

// The kinds of a query term, for add.
const (
	kindOther uint8 = iota
	// kindAttribute is a word of what is asked of a thing: its price
	// (lexicon [attribute]).
	kindAttribute
	// kindObject is a word that names what is asked about.
	kindObject
)

// termKind says which kind of query term t is.
func (ix *Index) termKind(t qterm) uint8 {
	switch {
	case t.id < 0 || kindFactor(t.text) != 1 || t.w < minAccumulate:
		return kindOther
	case ix.voc.attr[t.id]:
		return kindAttribute
	case ix.voc.weak[t.id] || englishTier[t.text] != 0:
		return kindOther
	}
	return kindObject
}

// add walks term ti's postings for the spans in mask: w is what it counts
// of the query, vw of an entry's question; only, when set, keeps to entries
// without that language (a translation's reach).
func (ix *Index) add(s *scratch, ti int32, w, vw float32, mask uint8, only uint8, late, answers bool, kind uint8) {
	ng, nv, nc := len(ix.groups), len(ix.variants), len(ix.chunkGroup)
	epoch := s.epoch
	check := only != 0 || late
	skip := func(g int32) bool {
		return check && (only != 0 && ix.groups[g].langs&only != 0 || late && s.gMark[g] != epoch)
	}
	// The spans in mask: each posting is walked once, for all of them.
	var offs [maxSpans]int
	n := 0
	for m := mask; m != 0; m &= m - 1 {
		offs[n] = bits.TrailingZeros8(m)
		n++
	}
	spansOf := offs[:n]
	var part []float32
	switch {
	case !s.asksAttribute || answers:
		// qa and qo are of questions, read only of a query with an
		// attribute word.
	case kind == kindAttribute:
		part = s.qa
	case kind == kindObject:
		part = s.qo
	}
	groups := func(acc []float32, l []int32) {
		for _, g := range l {
			if skip(g) {
				continue
			}
			addSpans(acc, spansOf, ng, g, w)
			if part != nil {
				addSpans(part, spansOf, ng, g, w)
			}
			touch(s.gMark, &s.touchedG, g, epoch)
		}
	}
	if answers {
		groups(s.am, ix.post.a[ti])
		for _, c := range ix.post.s[ti] {
			if !skip(ix.chunkGroup[c]) {
				addSpans(s.cm, spansOf, nc, c, w)
				touch(s.cMark, &s.touchedC, c, epoch)
			}
		}
		return
	}
	groups(s.qm, ix.post.q[ti])
	groups(s.pm, ix.post.p[ti])
	for _, g := range ix.post.c[ti] {
		if !skip(g) {
			for _, off := range spansOf {
				s.core[off*ng+int(g)] = true
			}
		}
	}
	for _, v := range ix.post.v[ti] {
		if !skip(ix.variants[v].group) {
			addSpans(s.vm, spansOf, nv, v, vw)
			touch(s.vMark, &s.touchedV, v, epoch)
		}
	}
}

// addSpans adds w to item i of each span's part of acc (n items a span).
func addSpans(acc []float32, spans []int, n int, i int32, w float32) {
	if len(spans) == 1 {
		// Most queries are one clause.
		acc[spans[0]*n+int(i)] += w
		return
	}
	for _, off := range spans {
		acc[off*n+int(i)] += w
	}
}

// touch notes that this query (epoch) touched item i, listing it once.
func touch(mark []uint32, list *[]int32, i int32, epoch uint32) {
	if mark[i] != epoch {
		mark[i] = epoch
		*list = append(*list, i)
	}
}

// scoreGroups sets each touched group's raw similarity: the best over spans
// of the geometric mean of how much of the query the group explains and how
// much of its closest question the query says.
func (ix *Index) scoreGroups(s *scratch, spans []span, tr *trace) {
	ng, nv := len(ix.groups), len(ix.variants)
	// ecov per span and group: the closest variant, its question type
	// weighed in.
	var ecov [maxSpans][]float32
	for sp := range spans {
		ecov[sp] = ix.ecovBuf(s, sp)
	}
	for _, v := range s.touchedV {
		vr := ix.variants[v]
		for sp := range spans {
			m := s.vm[sp*nv+int(v)]
			if m == 0 {
				continue
			}
			c := float32(min(1, float64(m/max(vr.weight, ix.p.ecovPrior))) * typeFit(spans[sp].qt, vr.qtype, ix.p.typeMismatch))
			if c > ecov[sp][vr.group] {
				ecov[sp][vr.group] = c
			}
		}
	}
	for _, g := range s.touchedG {
		grp := &ix.groups[g]
		aw := ix.p.answerWeight * grp.answerFactor
		for sp := range spans {
			if spans[sp].total == 0 {
				continue
			}
			i := sp*ng + int(g)
			ans := max(ix.p.sentenceWeight*s.sm[i], aw*s.am[i])
			qcov := float64(s.qm[i]+ix.p.phrasingWeight*s.pm[i]+ans) / float64(spans[sp].total)
			qcov = min(qcov, 1)
			ec := float64(ecov[sp][g])
			if qcov == 0 {
				continue
			}
			if ec == 0 {
				// Only the answer speaks of it: a weak sign on its own.
				ec = qcov * 0.25
			}
			raw := ix.powQ.at(qcov) * ix.powE.at(ec)
			pen := 1.0
			if !s.core[i] {
				pen *= ix.p.offCore
			}
			if ix.voc.hasSubject && !spans[sp].onSubject && qcov < 1 {
				pen *= ix.offSubject
			}
			if s.asksUnknown {
				// Asked a price, the FAQ has no word of one.
				pen *= ix.p.offUnknownAttribute
			}
			if s.asksAttribute && spans[sp].objects > 0 && s.qa[i] > 0 && s.qo[i] == 0 {
				// Only what is asked of a thing is shared ("how much"), not
				// the thing: the price of a server is not the filing's.
				pen *= ix.p.offObject
			}
			if sp > 0 {
				pen *= ix.p.spanFactor * (1 - ix.p.spanDrop*float64(spans[sp].dropped))
			}
			raw *= pen
			if raw <= s.raw[g] && tr == nil {
				continue
			}
			bonus := ix.rankBonus(s.qm[i]+ix.p.phrasingWeight*s.pm[i], s.am[i], spans[sp].total, sp)
			if raw > s.raw[g] {
				s.raw[g], s.spanOf[g], s.bonus[g] = raw, uint8(sp), bonus
			}
			if tr != nil {
				tr.add(g, sp, qcov, ec, pen, raw, float64(bonus))
			}
		}
	}
	for sp := range spans {
		for _, v := range s.touchedV {
			ecov[sp][ix.variants[v].group] = 0
		}
	}
}

// rankBonus is what orders two candidates beyond their raw similarity, in
// the log of it: the share of the query its question or phrasings say (of total),
// the share its whole answer says (am; the raw similarity counts only the
// answer sentence that fits best, or a part of the whole), and, for the
// candidate scored on a clause of the message rather than all of it, a
// little less. TestTune chose the weights on our labelled sets, ranking
// alone: raw similarity stays what the thresholds read.
func (ix *Index) rankBonus(qm, am, total float32, sp int) float32 {
	if total == 0 {
		return 0
	}
	b := ix.p.rankQuestion*float64(min(qm/total, 1)) + ix.p.rankAnswer*float64(min(am/total, 1))
	if sp > 0 {
		b -= ix.p.rankClause
	}
	return float32(b)
}

// ecovBuf returns a per-group buffer for span sp's entry coverage, zeroed.
func (ix *Index) ecovBuf(s *scratch, sp int) []float32 {
	return s.ecov[sp*len(ix.groups) : (sp+1)*len(ix.groups)]
}

// topTopics returns the best maxSuggestions+1 topics by raw similarity, each
// as its best group, best first, padded with zero scores; ties go to the
// entry loaded first.
func (ix *Index) topTopics(s *scratch) [maxSuggestions + 1]scored {
	var t [maxSuggestions + 1]scored
	// Once t is full, a group whose raw similarity is below floor cannot
	// enter it whatever its bonus: most groups are passed over without a
	// logarithm. (The margin is more than float32 rounding of the bonus.)
	maxBonus := max(ix.p.rankQuestion, 0) + max(ix.p.rankAnswer, 0)
	floor := 0.0
	for _, g := range s.touchedG {
		r := s.raw[g]
		if r == 0 || r < floor {
			continue
		}
		k := math.Log(r) + float64(s.bonus[g])
		tp := ix.topic[g]
		// Already there with its topic?
		j := -1
		for i := range t {
			if t[i].raw > 0 && ix.topic[t[i].g] == tp {
				j = i
				break
			}
		}
		if j >= 0 {
			if k < t[j].key || k == t[j].key && g > t[j].g {
				continue
			}
			copy(t[j:], t[j+1:])
			t[len(t)-1] = scored{}
		}
		if last := t[len(t)-1]; last.raw > 0 && k <= last.key {
			continue
		}
		i := len(t) - 1
		for i > 0 && (t[i-1].raw == 0 || k > t[i-1].key || k == t[i-1].key && g < t[i-1].g) {
			t[i] = t[i-1]
			i--
		}
		t[i] = scored{g, r, k}
		if last := t[len(t)-1]; last.raw > 0 {
			// The last key of a full t never falls.
			floor = math.Exp(last.key - maxBonus - 1e-6)
		}
	}
	return t
}

// decision is what the matcher makes of the best topics.
type decision struct {
	answered bool
	// close is set when the best scored high enough but the next scored
	// too close to it; contrast (see Index.contrast) then tells them apart,
	// and swapped says the second was put first.
	close, swapped bool
	contrast       float64
	// ordered is set when the second by key was put first for its
	// contrast (rankContrast), before anything was decided.
	ordered bool
	// near is set when a close call was answered because the two best
	// are near copies (see nearQuestion); nearQ and nearA are their
	// questions' and answers' cosines, worked out in a close call the
	// contrast did not settle.
	near         bool
	nearQ, nearA float64
}

// decide says whether the best of top is sure enough to answer. When the
// next scores too close, the words that tell the two apart decide: the best
// is answered when the words only it has are contrastLead of the query or
// more, net of the other's; when the next's are, by as much, and it reaches
// the floor too, it is put first (in top) and answered.
func (ix *Index) decide(s *scratch, top *[maxSuggestions + 1]scored) decision {
	var d decision
	floor := ix.p.floor(s.long)
	contrast, known := 0.0, false // of top[0] over top[1], once worked out
	if gap := top[0].key - top[1].key; top[1].raw > 0 && gap < ix.p.rankContrast {
		// Close in key: the words that tell the two apart order them.
		contrast, known = ix.contrast(s, top[0].g, top[1].g), true
		if -contrast*ix.p.rankContrast > gap {
			top[0], top[1] = top[1], top[0]
			contrast, d.ordered = -contrast, true
		}
	}
	switch {
	case top[0].raw < floor:
		return d
	case ix.leads(s, *top):
		d.answered = true
		return d
	case top[1].raw == 0:
		return d
	}
	if !known {
		contrast = ix.contrast(s, top[0].g, top[1].g)
	}
	d.close, d.contrast = true, contrast
	if -d.contrast >= ix.p.contrastLead && top[1].raw >= floor {
		top[0], top[1] = top[1], top[0]
		d.contrast, d.swapped = -d.contrast, true
	}
	d.answered = d.contrast >= ix.p.contrastLead
	if !d.answered {
		// Two entries that ask nearly one question: either answers it.
		d.near, d.nearQ, d.nearA = ix.nearCopies(top[0].g, top[1].g)
		d.answered = d.near
	}
	return d
}

// leads reports whether the best of top leads the next by enough. The lead
// needed shrinks as the match nears perfect: a question asked as written is
// answered even beside a near-copy of it.
func (ix *Index) leads(s *scratch, top [maxSuggestions + 1]scored) bool {
	need := ix.minMargin * min(1, (1-top[0].raw)/(1-ix.p.floor(s.long)))
	if top[1].raw == 0 {
		return top[0].raw >= need
	}
	if need >= top[0].raw {
		return false
	}
	// The lead is read in the order's terms: with equal rank bonuses, raw
	// leads by need exactly when its log leads by this.
	return top[0].key-top[1].key >= -math.Log1p(-need/top[0].raw)
}

// contrast is the share of the query's weight in words group a has
// (anywhere: question, phrasings, answer, or through a translation) and
// group b lacks, less the share b has and a lacks.
func (ix *Index) contrast(s *scratch, a, b int32) float64 {
	var d, total float64
	for _, t := range s.terms {
		total += float64(t.w)
		if t.id < 0 {
			continue
		}
		switch ha, hb := ix.hasTerm(a, t.id), ix.hasTerm(b, t.id); {
		case ha && !hb:
			d += float64(t.w)
		case hb && !ha:
			d -= float64(t.w)
		}
	}
	if total == 0 {
		return 0
	}
	return d / total
}

// hasTerm reports whether group g has term ti anywhere, or a translation of
// it.
func (ix *Index) hasTerm(g, ti int32) bool {
	in := func(ti int32) bool {
		if has(ix.post.q[ti], g) || has(ix.post.p[ti], g) || has(ix.post.a[ti], g) {
			return true
		}
		// Answer sentences are numbered group by group.
		cs := ix.post.s[ti]
		i, _ := slices.BinarySearchFunc(cs, g, func(c, g int32) int { return cmp.Compare(ix.chunkGroup[c], g) })
		return i < len(cs) && ix.chunkGroup[cs[i]] == g
	}
	if in(ti) {
		return true
	}
	if ix.p.transWeight == 0 {
		return false
	}
	for _, tr := range ix.trans[ti] {
		if in(tr.term) {
			return true
		}
	}
	return false
}

// floor is the least raw similarity answered: minRaw, or minRawLong for a
// message of several clauses.
func (p params) floor(long bool) float64 {
	if long {
		return p.minRawLong
	}
	return p.minRaw
}

// calibrate maps a raw similarity to a score in [0, 1]: a logistic curve
// that crosses answerAt where the bot starts to answer (see floor).
func (p params) calibrate(raw float64, long bool) float64 {
	return 1 / (1 + math.Exp(-p.slope*(raw-p.floor(long))))
}

// answerOf returns the entry that answers for group g's topic in lang: the
// best-scoring group of the topic that has lang, else g's own entry.
func (ix *Index) answerOf(s *scratch, g int32, lang string) *Entry {
	bit := langBit(lang)
	if ix.groups[g].langs&bit == 0 {
		tp := ix.topic[g]
		best, bestRaw := int32(-1), 0.0
		for _, o := range s.touchedG {
			if ix.topic[o] == tp && ix.groups[o].langs&bit != 0 && s.raw[o] > bestRaw {
				best, bestRaw = o, s.raw[o]
			}
		}
		if best >= 0 {
			g = best
		}
	}
	return ix.pick(int(g), lang)
}

// fuzzyShort helps short keyword queries ("bbs", "ip备案") the other
// scores are unsure about: entries whose question contains the query as a
// subsequence get a bonus, shared among them, so a keyword that fits one or
// two topics counts most. It adds to raw and reports whether it did.
func (ix *Index) fuzzyShort(s *scratch, query string) bool {
	if len(query) > 96 {
		return false
	}
	if n := utf8.RuneCountInString(query); n < 2 || n > 24 {
		return false
	}
	q := strings.Join(strings.Fields(ix.an.f.fold(query)), "")
	if n := utf8.RuneCountInString(q); n < 2 || n > 6 {
		return false
	}
	var hits [3]int32
	n := 0
	for _, m := range fuzzy.Find(q, ix.shortQ) {
		g := ix.shortG[m.Index]
		dup := false
		for _, h := range hits[:n] {
			if ix.topic[h] == ix.topic[g] {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		if n == len(hits) {
			return false // the keyword fits too many entries to say anything
		}
		hits[n] = g
		n++
	}
	for _, g := range hits[:n] {
		if s.gMark[g] != s.epoch {
			s.gMark[g] = s.epoch
			s.touchedG = append(s.touchedG, g)
		}
		s.raw[g] = min(s.raw[g]+fuzzyBonus/float64(n), 1)
	}
	return n > 0
}

// pick returns group g's entry in lang, or its first entry.
func (ix *Index) pick(g int, lang string) *Entry {
	for _, e := range ix.groups[g].entries {
		if e.Lang == lang {
			return e
		}
	}
	return ix.groups[g].entries[0]
}

// unknownWeight is the weight of a query term the FAQ does not have;
// concept says that it is a term of a lexicon concept the query names.
func (ix *Index) unknownWeight(t string, concept bool) float32 {
	top := ix.voc.unknown[1]
	switch {
	case isASCIIWord(t) && ix.an.syllable(t):
		// One syllable of pinyin ("wo de yuming … le"), no English word:
		// a character, most often a particle, typed without its tone.
		return ix.voc.unknown[0] * ix.p.unknownChar
	case isASCIIWord(t):
		return top * ix.p.unknownLatin * ix.p.englishFactor(t)
	case kindFactor(t) != 1:
		return ix.voc.unknown[0] * ix.p.unknownChar
	}
	if concept {
		// A concept of the lexicon's that this FAQ lacks (费用, 核验): the
		// question is about it.
		return top * ix.p.unknownConcept
	}
	bg := wordIDF(t)
	if bg == 0 {
		return top * ix.p.unknownPair
	}
	// General IDF runs from about 3 (可以, 公司) to 14: common words say
	// little, rare ones as much as the FAQ's rarest term.
	return top * ix.p.unknownWord * float32(min(1, max(0.1, (bg-ix.p.bgLow)/(9-ix.p.bgLow))))
}

// truncate cuts s to at most n bytes, at a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
