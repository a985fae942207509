package faq

import (
	"math"
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
	// unknownLatin, unknownWord, unknownPair and unknownChar scale the weight
	// of what the FAQ does not know, against its rarest term: an English word;
	// a Chinese word (further scaled by how rare it is in general Chinese); a
	// character pair that is no word (it only straddles two words of a long
	// question); a single character.
	unknownLatin, unknownWord, unknownPair, unknownChar float32
	// offSubject scales the similarity of a question that names none of the
	// lexicon's [subject] words and is not wholly explained by the entry.
	offSubject float64
	// coreShare is how heavy a word of an entry's question must be, against
	// the heaviest possible, to be distinctive of it; offCore scales the
	// similarity of an entry none of whose distinctive words the query has.
	coreShare, offCore float64
	// unknownConcept scales a lexicon concept the FAQ does not have.
	unknownConcept float32
	// bgLow is the general IDF at and below which an unknown word weighs
	// least.
	bgLow float64
	// slope is the steepness of the logistic curve that maps raw similarity
	// to the score, centred on minRaw.
	slope float64
	// minMargin is how far, in raw similarity, the best entry must lead the
	// second for the bot to answer rather than ask.
	minMargin float64
}

var defaultParams = params{coreShare: 0.3, offCore: 0.8, offSubject: 0.8, unknownConcept: 1, qExp: 0.5, phrasingWeight: 0.6, answerWeight: 0.45, domainWeight: 0.5, minRaw: 0.48, unknownLatin: 0.75, unknownWord: 0.75, unknownPair: 0.1, unknownChar: 0.3, bgLow: 4, slope: 9, minMargin: 0.01}

type scored struct {
	g   int
	raw float64
}

// scratch holds per-query accumulators, reused through Index.pool so that
// matching allocates little.
type scratch struct {
	qm, pm, am, vm []float32
	ecov, raw      []float64
	core           []bool // group → the query has a distinctive word of its own question
	terms          []string
	unknown        map[string]struct{} // unknown terms already counted
	mark           []uint32            // term → epoch in which it was last counted
	epoch          uint32
}

func (ix *Index) getScratch() *scratch {
	if s, ok := ix.pool.Get().(*scratch); ok {
		clear(s.qm)
		clear(s.pm)
		clear(s.am)
		clear(s.vm)
		clear(s.ecov)
		clear(s.raw)
		clear(s.core)
		s.epoch++
		return s
	}
	ng, nv := len(ix.groups), len(ix.vGroup)
	return &scratch{
		qm: make([]float32, ng), pm: make([]float32, ng), am: make([]float32, ng), vm: make([]float32, nv),
		ecov: make([]float64, ng), raw: make([]float64, ng), core: make([]bool, ng),
		mark: make([]uint32, len(ix.terms)), epoch: 1, unknown: map[string]struct{}{},
	}
}

// Match matches query against the FAQ and says how sure it is.
func (ix *Index) Match(query string) Result {
	res := Result{Query: query, Lang: langOf(query)}
	if len(ix.groups) == 0 {
		return res
	}
	s := ix.getScratch()
	defer ix.pool.Put(s)
	s.terms = ix.an.analyze(truncate(query, maxQueryBytes), s.terms[:0])
	clear(s.unknown)
	var total float32
	onSubject, onTopic := false, false
	for _, t := range s.terms {
		ti, ok := ix.terms[t]
		if !ok {
			if _, seen := s.unknown[t]; !seen {
				s.unknown[t] = struct{}{}
				total += ix.unknownWeight(t)
			}
			continue
		}
		if s.mark[ti] == s.epoch {
			continue
		}
		s.mark[ti] = s.epoch
		onSubject = onSubject || ix.subject[ti]
		onTopic = onTopic || !ix.weak[ti]
		w := ix.idf[ti]
		total += w
		core := float64(w) >= ix.p.coreShare*float64(ix.unknown[1])
		for _, g := range ix.postQ[ti] {
			s.qm[g] += w
			s.core[g] = s.core[g] || core
		}
		for _, g := range ix.postP[ti] {
			s.pm[g] += w
		}
		for _, g := range ix.postA[ti] {
			s.am[g] += w
		}
		for _, v := range ix.postV[ti] {
			s.vm[v] += w
		}
	}
	if total == 0 || !onSubject && !onTopic {
		// Nothing known, or only words that qualify a question ("today").
		return res
	}
	// ecov: how much of the closest question or phrasing the query says.
	ecov := s.ecov
	for v, m := range s.vm {
		if m > 0 {
			g := ix.vGroup[v]
			ecov[g] = max(ecov[g], float64(m/ix.vWeight[v]))
		}
	}
	for g := range ix.groups {
		// qcov: how much of the query the entry explains.
		qcov := float64(s.qm[g]+ix.p.phrasingWeight*s.pm[g]+ix.p.answerWeight*s.am[g]) / float64(total)
		if qcov > 0 {
			s.raw[g] = math.Pow(qcov, ix.p.qExp) * math.Pow(ecov[g], 1-ix.p.qExp)
			if !s.core[g] {
				// Nothing distinctive of the entry's own question: the match
				// rests on its phrasings or answer only.
				s.raw[g] *= ix.p.offCore
			}
			if !onSubject && qcov < 1 {
				// Names a topic of an entry (香港, 论坛) but not the subject
				// (filing, access) and says more: likely another question.
				s.raw[g] *= ix.p.offSubject
			}
		}
	}
	top := ix.top(s.raw)
	if top[0].raw == 0 {
		return res
	}
	if !ix.confident(top) && ix.fuzzyShort(query, s.raw) {
		top = ix.top(s.raw)
	}
	best := top[0]
	conf := ix.p.calibrate(best.raw)
	res.Best = Match{Entry: ix.pick(best.g, res.Lang), Score: conf}
	if ix.confident(top) {
		res.Answered = true
		return res
	}
	// Not answered: no score may say otherwise.
	res.Best.Score = min(conf, answerAt-0.01)
	for i, c := range top[:maxSuggestions] {
		sc := res.Best.Score
		if i > 0 {
			sc = min(ix.p.calibrate(c.raw), sc)
		}
		if c.raw == 0 || sc < suggestAt && c.raw < best.raw*0.8 || c.raw < suggestRaw {
			break
		}
		res.Suggestions = append(res.Suggestions, Match{Entry: ix.pick(c.g, res.Lang), Score: sc})
	}
	return res
}

// top returns the best maxSuggestions groups by raw similarity, best first,
// padded with zero scores; ties go to the entry loaded first.
func (ix *Index) top(raw []float64) [maxSuggestions]scored {
	var t [maxSuggestions]scored
	for g, r := range raw {
		if r <= t[maxSuggestions-1].raw {
			continue
		}
		i := maxSuggestions - 1
		for i > 0 && r > t[i-1].raw {
			t[i] = t[i-1]
			i--
		}
		t[i] = scored{g, r}
	}
	return t
}

// confident reports whether the best of top is sure enough to answer.
func (ix *Index) confident(top [maxSuggestions]scored) bool {
	return top[0].raw >= ix.p.minRaw && top[0].raw-top[1].raw >= ix.p.minMargin
}

// calibrate maps a raw similarity to a score in [0, 1]: a logistic curve
// that crosses answerAt where the bot starts to answer (minRaw).
func (p params) calibrate(raw float64) float64 {
	return 1 / (1 + math.Exp(-p.slope*(raw-p.minRaw)))
}

// fuzzyShort helps short keyword queries ("bbs", "ip备案") the other
// scores are unsure about: entries whose question contains the query as a
// subsequence get a bonus, shared among them, so a keyword that fits one or
// two entries counts most. It adds to raw and reports whether it did.
func (ix *Index) fuzzyShort(query string, raw []float64) bool {
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
	var hits [3]int
	n := 0
	for _, m := range fuzzy.Find(q, ix.shortQ) {
		g := int(ix.shortG[m.Index])
		if slices.Contains(hits[:n], g) {
			continue
		}
		if n == len(hits) {
			return false // the keyword fits too many entries to say anything
		}
		hits[n] = g
		n++
	}
	for _, g := range hits[:n] {
		raw[g] = min(raw[g]+fuzzyBonus/float64(n), 1)
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

func boolIdx(b bool) int {
	if b {
		return 1
	}
	return 0
}

// unknownWeight is the weight of a query term the FAQ does not have.
func (ix *Index) unknownWeight(t string) float32 {
	top := ix.unknown[1]
	switch {
	case isASCIIWord(t):
		return top * ix.p.unknownLatin
	case kindFactor(t) != 1:
		return ix.unknown[0] * ix.p.unknownChar
	}
	if ix.an.lx.inCanon[t] {
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
