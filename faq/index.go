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
	// Lexicon lists lexicon files (see Lexicon) that extend the embedded one.
	Lexicon []string
	// Phrasings adds ways of asking entries, by entry id (for example the
	// phrasings a team taught the bot in chat). Ids the FAQ lacks are ignored.
	Phrasings map[string][]string

	// params overrides the matcher's constants (tests tune them).
	params *params
}

// group is every language version of one entry id: the unit of matching.
type group struct {
	id      string
	entries []*Entry
}

// Index is a loaded FAQ with every matching structure precomputed. It is
// safe for concurrent use; Match does no set-up work.
type Index struct {
	entries []*Entry
	byKey   map[[2]string]*Entry
	groups  []group
	an      *analyzer
	p       params

	terms   map[string]int32
	idf     []float32 // per term, with the term's kind factor applied
	unknown [2]float32
	postQ   [][]int32 // term → groups whose questions have it
	subject []bool    // term → names the FAQ's subject (lexicon [subject])
	weak    []bool    // term → only qualifies a question (lexicon [modifier]), or a single character
	postP   [][]int32 // term → groups that have it in phrasings, not questions
	postA   [][]int32 // term → groups that have it only in the answer
	postV   [][]int32 // term → variants (one question or phrasing each) that have it
	vGroup  []int32   // variant → group
	vWeight []float32 // variant → total weight of its terms
	// shortQ holds the folded questions that short keyword
	// queries are fuzzy-matched against; shortG their groups.
	shortQ []string
	shortG []int32
	pool   sync.Pool

	lx    *Lexicon
	f     folder
	extra map[string][]string
}

// Entries returns every entry, in load order.
func (ix *Index) Entries() []*Entry { return ix.entries }

// Has reports whether an entry with this id is loaded, in any language.
func (ix *Index) Has(id string) bool { return ix.Lookup(id, "zh") != nil }

// WithPhrasings returns a new index over the same entries with extra
// phrasings by entry id in place of those given before (to Options or an
// earlier WithPhrasings). The receiver is unchanged and stays usable.
func (ix *Index) WithPhrasings(extra map[string][]string) *Index {
	return build(ix.entries, ix.lx, ix.f, ix.p, extra)
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

// build indexes entries (deduplicated by id and language) with lexicon lx.
func build(entries []*Entry, lx *Lexicon, f folder, p params, extra map[string][]string) *Index {
	ix := &Index{entries: entries, byKey: map[[2]string]*Entry{}, terms: map[string]int32{}, p: p, lx: lx, f: f, extra: extra}
	ix.an = &analyzer{f: f, lx: lx, surface: map[int][]string{}, stems: map[string]bool{}, mixed: lx.mixedReplacer()}
	gi := map[string]int{}
	for _, e := range entries {
		ix.byKey[[2]string{e.ID, e.Lang}] = e
		i, ok := gi[e.ID]
		if !ok {
			i = len(ix.groups)
			gi[e.ID] = i
			ix.groups = append(ix.groups, group{id: e.ID})
		}
		ix.groups[i].entries = append(ix.groups[i].entries, e)
	}
	// Known English words, for typo correction: the lexicon's and the FAQ's.
	seenWord := map[string]bool{}
	addKnown := func(w string) {
		if seenWord[w] {
			return
		}
		seenWord[w] = true
		ix.an.stems[stem(w)] = true
		if len(w) >= 4 {
			ix.an.surface[len(w)] = append(ix.an.surface[len(w)], w)
		}
	}
	for w := range lx.words {
		addKnown(w)
	}
	ix.an.collect = addKnown
	defer func() { ix.an.collect = nil }()
	id := func(t string) int32 {
		if i, ok := ix.terms[t]; ok {
			return i
		}
		i := int32(len(ix.terms))
		ix.terms[t] = i
		ix.postQ, ix.postP, ix.postA, ix.postV = append(ix.postQ, nil), append(ix.postP, nil), append(ix.postA, nil), append(ix.postV, nil)
		return i
	}
	var buf []string
	df := map[int32]int{}
	variantTerms := [][]int32{}
	for g, grp := range ix.groups {
		qset, pset, aset := map[int32]bool{}, map[int32]bool{}, map[int32]bool{}
		var texts []string
		for _, e := range grp.entries {
			texts = append(texts, e.Question)
		}
		nQuestions := len(texts)
		for _, e := range grp.entries {
			texts = append(texts, e.Phrasings...)
		}
		texts = append(texts, lx.phrasings[grp.id]...)
		texts = append(texts, extra[grp.id]...)
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
			ix.vGroup = append(ix.vGroup, int32(g))
			if i < nQuestions {
				ix.shortQ = append(ix.shortQ, strings.Join(strings.Fields(f.fold(t)), ""))
				ix.shortG = append(ix.shortG, int32(g))
			}
		}
		for _, e := range grp.entries {
			buf = ix.an.analyzeDoc(urlRe.ReplaceAllString(e.Answer, " "), buf[:0])
			for _, term := range buf {
				if ti := id(term); !qset[ti] && !pset[ti] {
					aset[ti] = true
				}
			}
		}
		for ti := range qset {
			ix.postQ[ti] = append(ix.postQ[ti], int32(g))
			df[ti]++
		}
		for ti := range pset {
			if !qset[ti] {
				ix.postP[ti] = append(ix.postP[ti], int32(g))
				df[ti]++
			}
		}
		for ti := range aset {
			ix.postA[ti] = append(ix.postA[ti], int32(g))
			df[ti]++
		}
	}
	n := float64(len(ix.groups))
	ix.idf = make([]float32, len(ix.terms))
	for t, ti := range ix.terms {
		ix.idf[ti] = float32(ix.weight(t, idf(n, df[ti])))
	}
	ix.unknown = [2]float32{float32(idf(n, 0) * unigramFactor), float32(idf(n, 0))}
	for v, vt := range variantTerms {
		var w float32
		for _, ti := range vt {
			ix.postV[ti] = append(ix.postV[ti], int32(v))
			w += ix.idf[ti]
		}
		ix.vWeight = append(ix.vWeight, max(w, 1e-6))
	}
	ix.subject = ix.flag(lx.subject)
	ix.weak = ix.flag(lx.modifier)
	for t, ti := range ix.terms {
		ix.weak[ti] = ix.weak[ti] || kindFactor(t) != 1
	}
	for _, p := range [][][]int32{ix.postQ, ix.postP, ix.postA} {
		for _, l := range p {
			slices.Sort(l)
		}
	}
	return ix
}

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
func (ix *Index) weight(t string, localIDF float64) float64 {
	w := localIDF * kindFactor(t)
	if bg := wordIDF(t); bg > 0 {
		w = max(w, ix.p.domainWeight*min(1, max(0, (bg-3)/6)))
	}
	return w
}

// flag marks the terms (pairs and words) of the given words.
func (ix *Index) flag(words []string) []bool {
	out := make([]bool, len(ix.terms))
	for _, w := range words {
		for _, t := range ix.an.analyzeDoc(w, nil) {
			if ti, ok := ix.terms[t]; ok && kindFactor(t) == 1 {
				out[ti] = true
			}
		}
	}
	return out
}
