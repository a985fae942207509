package faq

import (
	_ "embed"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// pinyinTable lists toneless pinyin readings by syllable: "syllable chars"
// per line (faq/internal/pinyingen makes it from an MIT-licensed reading
// table, data/PINYIN-LICENSE).
//
//go:embed data/pinyin.txt
var pinyinTable string

// maxPairs is the most character pairs kept for one reading. A large FAQ
// has many pairs of one sound (议提, 以提, 异地 for "yidi"): the words of
// general Chinese among them are kept first (see pairRank), and the rest let
// the last syllable of an odd number be told by the character before it.
const maxPairs = 8

// wordLead is how much more common in general Chinese (in IDF) the commonest
// word of one sound must be than the next for it to be the one read: 访问
// against 方文 for "fangwen", 告警 against 高精 for "gaojing".
const wordLead = 3

// pairRank orders the pairs of one reading, best first: words of general
// Chinese before other pairs, common words before rare ones, and then by
// text, so that which are kept does not depend on the order they come in.
func pairRank(a, b string) int {
	ia, ib := wordIDF(a), wordIDF(b)
	switch {
	case (ia > 0) != (ib > 0):
		if ia > 0 {
			return -1
		}
		return 1
	case ia != ib:
		if ia < ib {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// faqLead is how many times lighter in the FAQ (by weight, see weightOf)
// one of two words of one sound that general Chinese uses about as often
// must be for it to be the one read: in the FAQ pages of a cloud product,
// "gongji" is 攻击 (in many questions: DDoS, attacks) and not 共计 (a total,
// in an answer or two). Where both are as rare, it stays unread.
const faqLead = 2

// choose returns the one pair of cands (pairs of one sound, in pairRank's
// order) that is meant: the only one; else the only word of general Chinese
// among them; else the commonest word, when it leads the next by wordLead;
// else, of two words about as common in general Chinese, the one the FAQ
// uses far more (faqLead), when px is not nil. "" when there is no telling.
func (px *pinyinIndex) choose(cands []string) string {
	switch {
	case len(cands) == 0:
		return ""
	case len(cands) == 1:
		return cands[0]
	}
	best := wordIDF(cands[0])
	if best == 0 {
		return "" // no word among them
	}
	next := wordIDF(cands[1])
	if next == 0 || next-best >= wordLead {
		return cands[0]
	}
	if px == nil || len(cands) > 2 && wordIDF(cands[2]) > 0 {
		return "" // three words of one sound: no telling which
	}
	switch wa, wb := px.weightOf(cands[0]), px.weightOf(cands[1]); {
	case wa*faqLead <= wb:
		return cands[0]
	case wb*faqLead <= wa:
		return cands[1]
	}
	return ""
}

// maxSyllable is the length of the longest pinyin syllable ("zhuang").
const maxSyllable = 6

// pinyinIndex maps the pinyin of the FAQ's two-character terms to them, so
// that a user who types "luntan" or "beian期间" is read as writing 论坛 or
// 备案期间. Only terms the FAQ has are reachable, which keeps English words
// that happen to spell syllables ("change", "men") from turning into noise.
type pinyinIndex struct {
	syllables map[string]bool
	// pairs maps the joined pinyin of two syllables to the FAQ's character
	// pairs read that way; lexPairs to the pairs of the lexicon's variants
	// read that way (see read).
	pairs, lexPairs map[string][]string
	// both maps the joined pinyin of two syllables that both pairs and
	// lexPairs have to the pairs of both. Every list is in pairRank's
	// order.
	both map[string][]string
	// readings holds each character's toneless readings.
	readings map[rune][]string
	// voc is the FAQ's vocabulary, whose weights tell which of two readings
	// of one run of syllables speaks the FAQ's words.
	voc *vocab
	// lexHan maps the lexicon's Han variants to their canonical forms: a
	// variant weighs in the FAQ what its concept weighs (see weightOf).
	lexHan map[string]string
}

// weightOf is how much Han text w weighs in the FAQ, low for the words it
// uses most: the mean of its character pairs' weights (see hanWeight), or,
// when w is a variant of the lexicon's, of its concept's words.
func (px *pinyinIndex) weightOf(w string) float32 {
	if c := px.lexHan[w]; c != "" && c != w {
		// A concept is one or more words, Han or Latin ("开办 网站", "cdn"):
		// the mean of theirs.
		var sum float32
		words := strings.Fields(c)
		for _, cw := range words {
			switch id, ok := px.voc.ids[cw]; {
			case !isASCIIWord(cw):
				sum += px.hanWeight(cw)
			case ok:
				sum += px.voc.idf[id]
			default:
				sum += px.voc.unknown[1]
			}
		}
		return sum / float32(max(1, len(words)))
	}
	return px.hanWeight(w)
}

// hanWeight is the mean weight in the FAQ of the character pairs of Han
// text w, a pair it lacks weighing as an unknown term.
func (px *pinyinIndex) hanWeight(w string) float32 {
	var sum float32
	n := 0
	prev := -1
	for i, r := range w {
		if prev >= 0 {
			t := w[prev : i+utf8.RuneLen(r)]
			if id, ok := px.voc.ids[t]; ok {
				sum += px.voc.idf[id]
			} else {
				sum += px.voc.unknown[1]
			}
			n++
		}
		prev = i
	}
	if n == 0 {
		return 0
	}
	return sum / float32(n)
}

// newPinyinIndex indexes the pinyin of the Han pairs among the terms of
// voc, and of the pairs of the lexicon's Han variants (lexHan), so that
// "lanjie" reads as 拦截 and so as the concept it is a variant of.
func newPinyinIndex(voc *vocab, lexHan map[string]string) *pinyinIndex {
	table := pinyinReadings()
	readings := table.readings
	px := &pinyinIndex{syllables: table.syllables, pairs: map[string][]string{}, lexPairs: map[string][]string{}, readings: readings, voc: voc, lexHan: lexHan}
	add := func(pairs map[string][]string, t string) {
		r1, n := utf8.DecodeRuneInString(t)
		r2, _ := utf8.DecodeRuneInString(t[n:])
		for _, a := range readings[r1] {
			for _, b := range readings[r2] {
				k := a + b
				switch c := pairs[k]; {
				case slices.Contains(c, t):
				case len(c) < maxPairs:
					pairs[k] = append(c, t)
				default:
					// Full: keep the best (see pairRank).
					if i := slices.Index(c, slices.MaxFunc(c, pairRank)); pairRank(t, c[i]) < 0 {
						c[i] = t
					}
				}
			}
		}
	}
	for t := range voc.ids {
		if len(t) == 6 && utf8.RuneCountInString(t) == 2 {
			add(px.pairs, t)
		}
	}
	// The lexicon's variants, in a fixed order so that ties are the same
	// on every load.
	for _, v := range slices.Sorted(maps.Keys(lexHan)) {
		rs := []rune(v)
		if len(rs) < 2 || len(v) != 3*len(rs) {
			continue
		}
		for i := 0; i+1 < len(rs); i++ {
			add(px.lexPairs, string(rs[i:i+2]))
		}
	}
	// Where both have pairs of one sound, one list holds them all; the rest
	// are read where they are.
	px.both = map[string][]string{}
	for k, l := range px.lexPairs {
		c, ok := px.pairs[k]
		if !ok {
			continue
		}
		c = slices.Clone(c)
		for _, t := range l {
			if !slices.Contains(c, t) {
				c = append(c, t)
			}
		}
		px.both[k] = c
	}
	for _, m := range [...]map[string][]string{px.pairs, px.lexPairs, px.both} {
		for _, c := range m {
			if len(c) > 1 {
				slices.SortFunc(c, pairRank)
			}
		}
	}
	return px
}

// readPinyin returns the Han text that w reads as, when w is two or more
// pinyin syllables whose every adjacent pair is a term of the FAQ; "" when
// it is not.
func (a *analyzer) readPinyin(w string) string {
	px := a.pinyin
	if px == nil || len(w) < 4 || len(w) > 24 {
		return ""
	}
	syl := px.segment(w)
	if len(syl) < 2 {
		return ""
	}
	var b strings.Builder
	for i := 0; i+1 < len(syl); i += 2 {
		c := px.choose(px.read(syl[i] + syl[i+1]))
		if c == "" {
			return "" // unknown, or ambiguous among the FAQ's words
		}
		b.WriteString(c)
	}
	if len(syl)%2 == 1 {
		// The last syllable, with the one before: of the pairs read so,
		// those that begin with the character already read for it.
		last, _ := utf8.DecodeLastRuneInString(b.String())
		var buf [2 * maxPairs]string
		fit := buf[:0]
		for _, c := range px.read(syl[len(syl)-2] + syl[len(syl)-1]) {
			if r, _ := utf8.DecodeRuneInString(c); r == last {
				fit = append(fit, c)
			}
		}
		c := px.choose(fit)
		if c == "" {
			return ""
		}
		_, n := utf8.DecodeRuneInString(c)
		b.WriteString(c[n:])
	}
	return b.String()
}

// pinyinReadings is the reading table, read once per process and shared
// (never changed) by every index.
var pinyinReadings = sync.OnceValue(func() (t struct {
	syllables map[string]bool
	readings  map[rune][]string
}) {
	t.syllables, t.readings = map[string]bool{}, map[rune][]string{}
	for line := range strings.Lines(pinyinTable) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		syl, chars, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		t.syllables[syl] = true
		for _, r := range chars {
			t.readings[r] = append(t.readings[r], syl)
		}
	}
	return t
})

// read returns the pairs that the pinyin of two syllables, joined, reads
// as: the FAQ's and the lexicon's (the FAQ may have a word only as the
// concept it is a variant of: 异地 as 外地), best first (see pairRank).
func (px *pinyinIndex) read(k string) []string {
	if c, ok := px.both[k]; ok {
		return c
	}
	if c, ok := px.pairs[k]; ok {
		return c
	}
	return px.lexPairs[k]
}

// homophone returns the FAQ's character pair that pair, which the FAQ does
// not have, is most likely a typo of: a pinyin input method offers
// characters of the same sound, so "备按" or "其间" is typed for 备案 or
// 期间. The two must share one character in its place and the other must
// sound the same, and only one pair of the FAQ may fit; "" otherwise.
func (px *pinyinIndex) homophone(pair string) string {
	if px == nil || len(pair) != 6 || utf8.RuneCountInString(pair) != 2 {
		return ""
	}
	r1, n := utf8.DecodeRuneInString(pair)
	r2, _ := utf8.DecodeRuneInString(pair[n:])
	found := ""
	for _, a := range px.readings[r1] {
		for _, b := range px.readings[r2] {
			for _, c := range px.pairs[a+b] {
				c1, m := utf8.DecodeRuneInString(c)
				c2, _ := utf8.DecodeRuneInString(c[m:])
				if (c1 == r1) == (c2 == r2) || c == found {
					continue // both differ, or neither
				}
				if found != "" {
					return "" // two fit: no telling which was meant
				}
				found = c
			}
		}
	}
	return found
}

// segment splits w into pinyin syllables, preferring fewer, longer ones;
// nil when it cannot be split.
func (px *pinyinIndex) segment(w string) []string {
	n := len(w)
	// best[i] is the fewest syllables that spell w[:i]; from[i] where the
	// last of them starts.
	best := make([]int, n+1)
	from := make([]int, n+1)
	for i := 1; i <= n; i++ {
		best[i] = -1
		for l := 1; l <= maxSyllable && l <= i; l++ {
			j := i - l
			if best[j] < 0 || !px.syllables[w[j:i]] {
				continue
			}
			if best[i] < 0 || best[j]+1 < best[i] {
				best[i], from[i] = best[j]+1, j
			}
		}
	}
	if best[n] < 0 {
		return nil
	}
	out := make([]string, best[n])
	for i, k := n, best[n]-1; i > 0; i, k = from[i], k-1 {
		out[k] = w[from[i]:i]
	}
	return out
}
