package faq

import (
	"math"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Explanation says how a query was read and why the top entries scored as
// they did: the FAQ owner's tool for mending a miss.
type Explanation struct {
	// Result is what Match returns for the query.
	Result Result
	// Clauses are the parts the query was split into (a clause of asking
	// words only joined to the one before); Asking is the one scored apart
	// as the question (-1 when the query was read whole).
	Clauses []string
	Asking  int
	// Readings are the words of the query read as other than written:
	// typos, pinyin, characters of the same sound.
	Readings []Reading
	// OwnSense are the words of the query that the lexicon reads as a
	// concept and this FAQ's own entries use in another sense: read as
	// written (see the matching doc).
	OwnSense []string
	// UnknownAttribute says that the query asks a price (a word of the
	// lexicon's [attribute]) of an FAQ that has no word of one: every entry
	// scores less.
	UnknownAttribute bool
	// Terms are the query's terms with their weights.
	Terms []TermWeight
	// Entries are the best entries, best first.
	Entries []EntryScore
	// Close is set when the best topic scored high enough but the next
	// scored close to it; Contrast is then the share of the query's weight
	// in words only the best has, less the share in words only the next has
	// (from ContrastLead the best is answered all the same).
	Close                  bool
	Contrast, ContrastLead float64
	// NearCopies is set when such a close call was answered because the
	// two ask nearly one question: NearQuestion is their questions'
	// cosine similarity, NearAnswer their answers' (from nearQuestion and
	// nearAnswer they are near copies). Both are worked out in a close
	// call the contrast did not settle.
	NearCopies               bool
	NearQuestion, NearAnswer float64
	// NearQuestionAt and NearAnswerAt are the cosines from which two
	// entries are near copies.
	NearQuestionAt, NearAnswerAt float64
	// Reranked is set when the best was put above a topic that scored
	// higher, for the words that tell the two apart are the best's.
	Reranked bool
}

// Reading is a word of a query (From) and what it was read as (To).
type Reading struct{ From, To string }

// TermWeight is one term of a query.
type TermWeight struct {
	Term string
	// Weight is what the term counts: its rarity in the FAQ, or, for a term
	// the FAQ does not have (Known false), what it counts against every entry.
	Weight float64
	Known  bool
}

// EntryScore is how one entry scored.
type EntryScore struct {
	ID, Lang, Question string
	// Raw is the similarity before calibration; Score the calibrated score.
	Raw, Score float64
	// RankBonus is what orders the entry beyond Raw, in the log of it: the
	// share of the query its question says and its whole answer says, less
	// a little when only a clause of the message scored. Entries are
	// ordered by log(Raw) + RankBonus.
	RankBonus float64
	// Span says what part of the query scored best: "whole", "asking
	// clause" or "asking clause with the one before".
	Span string
	// QueryCoverage is the share of the query's weight the entry explains;
	// EntryCoverage the share of its closest question or phrasing the
	// query says (its question type weighed in).
	QueryCoverage, EntryCoverage float64
	// Penalty is the product of the factors that lowered the score (no
	// distinctive word of the entry's question, no subject word, a part of
	// the query only); 1 when none did.
	Penalty float64
	// InQuestion, InPhrasings and InAnswer are the query terms found there.
	InQuestion, InPhrasings, InAnswer []string
}

// trace collects per-group details while one query is scored.
type trace struct {
	clauses          []string
	asking           int
	terms            []qterm
	reads            []Reading // pairs read as a pair of the same sound
	top              [maxSuggestions + 1]scored
	long             bool // the query has several clauses
	unknownAttribute bool
	pinyin           bool // the query is typed in pinyin
	decision         decision
	rows             map[int32][maxSpans]traceRow
}

type traceRow struct {
	set                         bool
	qcov, ecov, pen, raw, bonus float64
}

func (t *trace) add(g int32, sp int, qcov, ecov, pen, raw, bonus float64) {
	if t.rows == nil {
		t.rows = map[int32][maxSpans]traceRow{}
	}
	r := t.rows[g]
	r[sp] = traceRow{true, qcov, ecov, pen, raw, bonus}
	t.rows[g] = r
}

var spanNames = [maxSpans]string{"whole", "asking clause", "asking clause with the one before"}

// Explain matches query like Match and says why.
func (ix *Index) Explain(query string) Explanation {
	tr := &trace{}
	res := ix.match(query, tr)
	ex := Explanation{Result: res, Clauses: tr.clauses, Asking: tr.asking, Close: tr.decision.close, Contrast: tr.decision.contrast, ContrastLead: ix.p.contrastLead, Reranked: tr.decision.swapped || tr.decision.ordered, UnknownAttribute: tr.unknownAttribute,
		NearCopies: tr.decision.near, NearQuestion: tr.decision.nearQ, NearAnswer: tr.decision.nearA,
		NearQuestionAt: nearQuestion, NearAnswerAt: nearAnswer}
	folded := ix.f.fold(truncate(query, maxQueryBytes))
	latin := func(r rune) bool { return isWordRune(r) && r < utf8.RuneSelf }
	for i := 0; i < len(folded); {
		if !latin(rune(folded[i])) {
			i++
			continue
		}
		j := i
		for j < len(folded) && latin(rune(folded[j])) {
			j++
		}
		w := unitOf(strings.Trim(folded[i:j], "'"))
		if w == "" {
			i = j
			continue
		}
		if st := stem(w); slices.Contains(ix.ownSense, st) && !slices.Contains(ex.OwnSense, w) &&
			slices.ContainsFunc(tr.terms, func(t qterm) bool { return t.text == st }) {
			// Read as written, not inside a phrase of the lexicon ("ICP filing").
			ex.OwnSense = append(ex.OwnSense, w)
		}
		if han, word := ix.an.reading(w); han != "" || word != "" {
			ex.Readings = append(ex.Readings, Reading{w, han + word})
		} else if han, end := ix.an.spacedPinyin(folded, i, j, tr.pinyin); han != "" {
			// Syllables typed apart, read together (see terms).
			ex.Readings = append(ex.Readings, Reading{folded[i:end], han})
			j = end
		}
		i = j
	}
	for _, r := range tr.reads {
		if !slices.Contains(ex.Readings, r) {
			ex.Readings = append(ex.Readings, r)
		}
	}
	for _, t := range tr.terms {
		ex.Terms = append(ex.Terms, TermWeight{t.text, float64(t.w), t.id >= 0})
	}
	groups := make([]int32, 0, len(tr.rows))
	best := map[int32]traceRow{}
	bestSpan := map[int32]int{}
	for g, rows := range tr.rows {
		groups = append(groups, g)
		for sp, r := range rows {
			if r.set && (!best[g].set || r.raw > best[g].raw) {
				best[g], bestSpan[g] = r, sp
			}
		}
	}
	key := func(g int32) float64 { return math.Log(best[g].raw) + best[g].bonus }
	sort.Slice(groups, func(i, j int) bool {
		if ki, kj := key(groups[i]), key(groups[j]); ki != kj {
			return ki > kj
		}
		return groups[i] < groups[j]
	})
	if len(groups) > 5 {
		groups = groups[:5]
	}
	for _, g := range groups {
		r := best[g]
		e := ix.pick(int(g), res.Lang)
		es := EntryScore{ID: e.ID, Lang: e.Lang, Question: e.Question, Raw: r.raw, Score: ix.p.calibrate(r.raw, tr.long), RankBonus: r.bonus,
			Span: spanNames[bestSpan[g]], QueryCoverage: r.qcov, EntryCoverage: r.ecov, Penalty: r.pen}
		for _, t := range ex.Terms {
			if !t.Known {
				continue
			}
			ti := ix.voc.ids[t.Term]
			switch {
			case has(ix.post.q[ti], g):
				es.InQuestion = append(es.InQuestion, t.Term)
			case has(ix.post.p[ti], g):
				es.InPhrasings = append(es.InPhrasings, t.Term)
			case has(ix.post.a[ti], g):
				es.InAnswer = append(es.InAnswer, t.Term)
			}
		}
		ex.Entries = append(ex.Entries, es)
	}
	return ex
}

func has(sorted []int32, g int32) bool {
	_, ok := slices.BinarySearch(sorted, g)
	return ok
}
