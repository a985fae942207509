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
	suggestRaw     = 0.15
	maxSuggestions = 3
)

// params are the matcher's tunable constants, chosen on our own labelled
// paraphrases (faq/testdata/paraphrases.jsonl) by TestTune.
type params struct {
	// qExp weighs query coverage against entry coverage (1-qExp) in the
	// geometric mean that makes the raw similarity.
	qExp float64
	// answerWeight is how much a query term found only in an entry's answer
	// counts, against one found in its question or phrasings.
	answerWeight float32
	// unknownLatin scales the weight of an English word the FAQ does not
	// know, against an unknown Chinese word.
	unknownLatin float32
	// center and slope place the logistic calibration; lead adds the best
	// entry's lead over the runner-up.
	center, slope, lead float64
	// coreExp weighs how much of the entry's own question (not its extra
	// phrasings) the query says: a query must touch the entry's core.
	coreExp float64
	// minMargin is how far, in raw similarity, the best entry must lead the
	// second for the bot to answer rather than ask.
	minMargin float64
}

var defaultParams = params{coreExp: 0, qExp: 0.5, answerWeight: 0.3, unknownLatin: 0.75, center: 0.45, slope: 9, lead: 8, minMargin: 0.02}

type scored struct {
	g   int
	raw float64
}

// scratch holds per-query accumulators, reused through Index.pool so that
// matching allocates little.
type scratch struct {
	qm, am, vm []float32
	ecov, core []float64
	fz         []float64
	cands      []scored
	terms      []string
	unknown    []string
	mark       []uint32 // term → epoch in which it was last counted
	epoch      uint32
}

func (ix *Index) getScratch() *scratch {
	if s, ok := ix.pool.Get().(*scratch); ok {
		clear(s.qm)
		clear(s.am)
		clear(s.vm)
		clear(s.ecov)
		clear(s.core)
		clear(s.fz)
		s.epoch++
		return s
	}
	ng, nv := len(ix.groups), len(ix.vGroup)
	return &scratch{
		qm: make([]float32, ng), am: make([]float32, ng), vm: make([]float32, nv),
		ecov: make([]float64, ng), core: make([]float64, ng), fz: make([]float64, ng),
		mark: make([]uint32, len(ix.terms)), epoch: 1,
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
	s.terms = ix.an.analyze(query, s.terms[:0])
	s.unknown = s.unknown[:0]
	var total float32
	for _, t := range s.terms {
		ti, ok := ix.terms[t]
		if !ok {
			if !slices.Contains(s.unknown, t) {
				s.unknown = append(s.unknown, t)
				w := ix.unknown[boolIdx(kindFactor(t) == 1)]
				if isASCIIWord(t) {
					w *= ix.p.unknownLatin
				}
				total += w
			}
			continue
		}
		if s.mark[ti] == s.epoch {
			continue
		}
		s.mark[ti] = s.epoch
		w := ix.idf[ti]
		total += w
		for _, g := range ix.postQ[ti] {
			s.qm[g] += w
		}
		for _, g := range ix.postA[ti] {
			s.am[g] += w
		}
		for _, v := range ix.postV[ti] {
			s.vm[v] += w
		}
	}
	if total == 0 {
		return res
	}
	// ecov: how much of the closest question or phrasing the query says.
	ecov, core := s.ecov, s.core
	for v, m := range s.vm {
		if m > 0 {
			g := ix.vGroup[v]
			c := float64(m / ix.vWeight[v])
			ecov[g] = max(ecov[g], c)
			if ix.vCore[v] {
				core[g] = max(core[g], c)
			}
		}
	}
	fz := ix.fuzzyShort(query, s.fz)
	cands := s.cands[:0]
	defer func() { s.cands = cands[:0] }()
	for g := range ix.groups {
		// qcov: how much of the query the entry explains.
		qcov := float64(s.qm[g]+ix.p.answerWeight*s.am[g]) / float64(total)
		if qcov == 0 && fz[g] == 0 {
			continue
		}
		raw := math.Pow(qcov, ix.p.qExp)*math.Pow(ecov[g], 1-ix.p.qExp)*math.Pow(0.05+core[g], ix.p.coreExp) + fz[g]
		cands = append(cands, scored{g, min(raw, 1)})
	}
	if len(cands) == 0 {
		return res
	}
	slices.SortFunc(cands, func(a, b scored) int {
		switch {
		case a.raw > b.raw:
			return -1
		case a.raw < b.raw:
			return 1
		}
		return a.g - b.g
	})
	best := cands[0]
	second := 0.0
	if len(cands) > 1 {
		second = cands[1].raw
	}
	conf := ix.p.calibrate(best.raw, best.raw-second)
	res.Best = Match{Entry: ix.pick(best.g, res.Lang), Score: conf}
	if conf >= answerAt && best.raw-second >= ix.p.minMargin {
		res.Answered = true
		return res
	}
	for _, c := range cands {
		if len(res.Suggestions) == maxSuggestions {
			break
		}
		sc := ix.p.calibrate(c.raw, c.raw-second)
		if c.g == best.g {
			sc = conf
		}
		if sc < suggestAt && c.raw < best.raw*0.8 || c.raw < suggestRaw {
			break
		}
		res.Suggestions = append(res.Suggestions, Match{Entry: ix.pick(c.g, res.Lang), Score: sc})
	}
	return res
}

// calibrate maps a raw similarity and its lead over the runner-up to a
// score in [0, 1]: a logistic curve centred where answers start being right
// more often than not.
func (p params) calibrate(raw, lead float64) float64 {
	z := p.slope*(raw-p.center) + p.lead*min(lead, 0.3)*raw
	return 1 / (1 + math.Exp(-z))
}

// fuzzyShort gives a bonus to entries whose question contains a short
// keyword query as a subsequence ("bbs", "ip备案"), shared among all such
// entries, so that a keyword that fits one entry only counts most.
func (ix *Index) fuzzyShort(query string, out []float64) []float64 {
	if n := utf8.RuneCountInString(query); n < 2 || n > 24 {
		return out
	}
	q := strings.Join(strings.Fields(ix.an.f.fold(query)), "")
	if n := utf8.RuneCountInString(q); n < 2 || n > 6 {
		return out
	}
	var hits []int
	for _, m := range fuzzy.Find(q, ix.shortQ) {
		if g := int(ix.shortG[m.Index]); !slices.Contains(hits, g) {
			hits = append(hits, g)
			if len(hits) > 2 {
				return out
			}
		}
	}
	if len(hits) == 0 {
		return out
	}
	for _, g := range hits {
		out[g] = 0.15 / float64(len(hits))
	}
	return out
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
