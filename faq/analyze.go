package faq

import (
	"math/bits"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// analyzer turns text into match terms: Han character unigrams and bigrams
// within word pieces, and stemmed English words, after folding and after the
// lexicon has mapped synonyms to their canonical forms and dropped fillers.
type analyzer struct {
	f  folder
	lx *lexicon
	// words holds the English words of the lexicon and the FAQ, general
	// those of general English (shared by every analyzer), for typo
	// correction.
	words, general *wordTable
	// mixed rewrites lexicon variants that mix scripts ("icp证") before
	// words are split; nil when there are none.
	mixed *strings.Replacer
	// pinyin reads Latin words that are no English word the FAQ knows as
	// pinyin of its Chinese terms ("luntan" → 论坛); nil while indexing.
	pinyin *pinyinIndex
}

func newAnalyzer(f folder, lx *lexicon) *analyzer {
	return &analyzer{f: f, lx: lx, words: newWordTable(), general: generalWords(), mixed: lx.mixedReplacer()}
}

// wordTable holds known English words for typo correction.
type wordTable struct {
	// surface holds the words as written (not stemmed), by length and first
	// letter and again by length and second letter (a typo rarely hits
	// both); stems holds their stems.
	surface map[surfKey][]surfWord
	// del1 maps each word (of four letters or more) and each spelling of it
	// with one letter left out to the words, so that the words one edit
	// from a typo are found without a scan (see correct).
	del1  map[string][]string
	stems map[string]bool
}

func newWordTable() *wordTable {
	return &wordTable{surface: map[surfKey][]surfWord{}, del1: map[string][]string{}, stems: map[string]bool{}}
}

func (t *wordTable) add(w string) {
	t.stems[stem(w)] = true
	if len(w) < 4 {
		return
	}
	for pos := range 2 {
		k := surfKey{n: len(w), pos: uint8(pos), b: w[pos]}
		t.surface[k] = append(t.surface[k], surfWord{w, letterSet(w)})
	}
	t.del1[w] = append(t.del1[w], w)
	for i := range len(w) {
		if i == 0 || w[i] != w[i-1] { // "bookk" less one k is one spelling
			d := w[:i] + w[i+1:]
			t.del1[d] = append(t.del1[d], w)
		}
	}
}

// sort orders the words, so that of two corrections equally near the same
// one wins whatever order the words came in.
func (t *wordTable) sort() {
	for _, ws := range t.surface {
		slices.SortFunc(ws, func(a, b surfWord) int { return strings.Compare(a.w, b.w) })
	}
}

// generalWords is the table of general English (commonEnglish), made once:
// "begining" is a typo of beginning, not of a place the FAQ names (Beijing).
var generalWords = sync.OnceValue(func() *wordTable {
	t := newWordTable()
	seen := map[string]bool{}
	for _, w := range englishWords {
		if !seen[w] {
			seen[w] = true
			t.add(w)
		}
	}
	for _, w := range englishKnown {
		t.stems[stem(w)] = true
	}
	t.sort()
	return t
})

// known reports whether the English stem st is a word the analyzer knows.
func (a *analyzer) known(st string) bool { return a.words.stems[st] || a.general.stems[st] }

// learnWords records the English words of the lexicon and of the entries as
// known words, for typo correction.
func (a *analyzer) learnWords(lx *lexicon, entries []*Entry) {
	seen := map[string]bool{}
	add := func(w string) {
		if seen[w] {
			return
		}
		seen[w] = true
		if !slices.Contains(a.general.del1[w], w) && !(len(w) < 4 && a.general.stems[stem(w)]) {
			a.words.add(w)
		}
	}
	for w := range lx.words {
		add(w)
	}
	words := func(s string) {
		for _, w := range strings.FieldsFunc(a.f.fold(s), func(r rune) bool { return !isWordRune(r) || r >= utf8.RuneSelf }) {
			if w = strings.Trim(w, "'"); w != "" {
				add(w)
			}
		}
	}
	for _, e := range entries {
		words(e.Question)
		words(e.Answer)
		for _, p := range e.Phrasings {
			words(p)
		}
	}
	a.words.sort()
}

// surfWord is a known word and the set of its letters (see letterSet).
type surfWord struct {
	w       string
	letters uint32
}

// letterSet returns the set of the letters a to z in w, a bit each.
func letterSet(w string) uint32 {
	var set uint32
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= 'a' && c <= 'z' {
			set |= 1 << (c - 'a')
		}
	}
	return set
}

// surfKey buckets known English words for typo correction: length, and
// the letter at pos (0 or 1).
type surfKey struct {
	n   int
	pos uint8
	b   byte
}

type tok struct {
	s   string // a stemmed word, or one Han character
	han bool
	sep bool
	// end is the byte offset in the folded text just after a Han character;
	// Han characters of one run are contiguous, so a piece of them is a
	// substring and its bigrams need no allocation.
	end int
}

// analyze appends the terms of a query to dst; terms may repeat. When
// concepts is not nil, it gets the start and end in dst of the terms each
// lexicon concept gave, pair by pair.
func (a *analyzer) analyze(s string, dst []string, concepts *[]int32) []string {
	dst, _, _ = a.analyzeClauses([]string{s}, dst, concepts, nil)
	return dst
}

// analyzeClauses is analyze for the clauses of one message, appending to
// ends where each clause's terms end. A message two or more of whose words
// read as pinyin (see pinyinContext) is read again as typed in pinyin, and
// pinyin says so.
func (a *analyzer) analyzeClauses(clauses, dst []string, concepts *[]int32, ends []int) (_ []string, _ []int, pinyin bool) {
	from, efrom, cfrom, read := len(dst), len(ends), 0, 0
	if concepts != nil {
		cfrom = len(*concepts)
	}
	for _, c := range clauses {
		dst = a.terms(c, dst, true, false, concepts, &read)
		ends = append(ends, len(dst))
	}
	if read < pinyinContext {
		return dst, ends, false
	}
	dst, ends = dst[:from], ends[:efrom]
	if concepts != nil {
		*concepts = (*concepts)[:cfrom]
	}
	for _, c := range clauses {
		dst = a.terms(c, dst, true, true, concepts, nil)
		ends = append(ends, len(dst))
	}
	return dst, ends, true
}

// analyzeDoc is analyze for FAQ text, which is taken as written: no typo
// correction.
func (a *analyzer) analyzeDoc(s string, dst []string) []string {
	return a.terms(s, dst, false, false, nil, nil)
}

func (a *analyzer) terms(s string, dst []string, fixTypos, pyCtx bool, concepts *[]int32, read *int) []string {
	s = a.f.fold(s)
	if a.mixed != nil && mixedScripts(s) {
		s = a.mixed.Replace(s)
	}
	var stack [64]tok
	toks := stack[:0]
	// In a message typed in pinyin (pyCtx), syllables are read as pinyin
	// even where they spell an English word ("bei an", "zenme ban"), and a
	// lone syllable that reads as no word of the FAQ is a character whose
	// tone was not typed (ma, le, tian): no word the message is about.
	pyCtx = pyCtx && fixTypos
	// sylBefore is the word before, when it is a pinyin syllable (English
	// or not) apart by a space only: with the next, a pair read counts.
	sylBefore := ""
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case isHan(r):
			toks = append(toks, tok{s: s[i : i+n], han: true, end: i + n})
			i += n
			sylBefore = ""
		case isWordRune(r):
			j := i + n
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if !isWordRune(r2) {
					break
				}
				j += n2
			}
			if w := unitOf(strings.Trim(s[i:j], "'")); w != "" {
				st := stem(w)
				if fixTypos {
					han, word := a.reading(w)
					if han == "" {
						// Pinyin typed a syllable at a time ("yu ming zheng
						// shu"): the most syllables from here that read as
						// words, joined.
						han, j = a.spacedPinyin(s, i, j, pyCtx)
					}
					if read != nil {
						switch {
						case han != "":
							*read++
							sylBefore = ""
						case a.pinyin == nil || !a.pinyin.syllables[w]:
							sylBefore = ""
						case sylBefore != "" && a.pinyin.choose(a.pinyin.read(sylBefore+w)) != "":
							// Two syllables that read as a word, though
							// one is English ("hei ping"): in a message
							// typed in pinyin, read so.
							*read++
							sylBefore = ""
						default:
							sylBefore = w
						}
					}
					if han != "" {
						// Pinyin of the FAQ's words or the lexicon's: read
						// as Chinese typed so.
						var hs [16]tok
						ht := hs[:0]
						for k, r := range han {
							ht = append(ht, tok{s: han[k : k+utf8.RuneLen(r)], han: true, end: k + utf8.RuneLen(r)})
						}
						dst = a.hanRun(han, ht, dst, concepts)
						i = j
						continue
					}
					if word != "" {
						st = stem(word)
					} else if pyCtx && a.pinyin.syllables[w] {
						toks = append(toks, tok{sep: true})
						i = j
						continue
					}
				}
				toks = append(toks, tok{s: st})
			}
			i = j
		default:
			// A hyphen between two words joins them as a space does
			// ("first-time" is "first time"); other marks part clauses.
			hyphen := (r == '-' || r == '_') && len(toks) > 0 && !toks[len(toks)-1].han && !toks[len(toks)-1].sep &&
				i+1 < len(s) && s[i+1] < utf8.RuneSelf && isWordRune(rune(s[i+1]))
			if r != ' ' && !hyphen || len(toks) > 0 && toks[len(toks)-1].han {
				toks = append(toks, tok{sep: true})
			}
			if r != ' ' {
				sylBefore = ""
			}
			i += n
		}
	}
	for i := 0; i < len(toks); {
		switch t := toks[i]; {
		case t.sep:
			i++
		case t.han:
			j := i
			for j < len(toks) && toks[j].han {
				j++
			}
			dst = a.hanRun(s, toks[i:j], dst, concepts)
			i = j
		default:
			j := i
			for j < len(toks) && !toks[j].han && !toks[j].sep {
				j++
			}
			dst = a.latinRun(toks[i:j], dst, concepts)
			i = j
		}
	}
	return dst
}

// maxSpaced is the most syllables of pinyin typed apart that are read at
// once.
const maxSpaced = 8

// spacedPinyin reads the word s[i:j] and the words after it, apart by
// single spaces, when each is one pinyin syllable (no English word the
// analyzer knows, unless ctx says the message is typed in pinyin): of the
// readings of those syllables as the FAQ's words (pairs, or three whose
// last is read with the one before: "da bu kai" is 打不开) and lone
// syllables, the one that reads the most syllables as words, and of those
// the one of the words the FAQ uses most, is taken. It returns the Chinese
// of its first word and where that word's last syllable ends; "" and j when
// the reading starts with a lone syllable.
func (a *analyzer) spacedPinyin(s string, i, j int, ctx bool) (string, int) {
	px := a.pinyin
	if px == nil {
		return "", j
	}
	isSyl := func(w string) bool { return a.syllable(w) || ctx && px.syllables[w] }
	if !isSyl(s[i:j]) {
		return "", j
	}
	var starts, ends [maxSpaced]int
	starts[0], ends[0] = i, j
	n := 1
	for n < maxSpaced && ends[n-1]+1 < len(s) && s[ends[n-1]] == ' ' {
		from := ends[n-1] + 1
		k := from
		for k < len(s) && s[k] >= 'a' && s[k] <= 'z' {
			k++
		}
		if k == from || k < len(s) && isWordRune(rune(s[k])) && s[k] < utf8.RuneSelf || !isSyl(s[from:k]) {
			break
		}
		starts[n], ends[n] = from, k
		n++
	}
	if n < 2 {
		return "", j
	}
	// word[m][l] is the reading of the l+2 syllables from the m-th, "" when
	// they read as no word: two, one pair of the FAQ's; three, that pair
	// and the last read with the one before.
	joined := func(m, last int) string { return strings.ReplaceAll(s[starts[m]:ends[last]], " ", "") }
	var word [maxSpaced][2]string
	for m := 0; m+1 < n; m++ {
		word[m][0] = px.choose(px.read(joined(m, m+1)))
		if word[m][0] != "" && m+2 < n {
			word[m][1] = a.readPinyin(joined(m, m+2))
		}
	}
	// best[m] is the best reading of the syllables from the m-th on: how
	// many it reads as words (see spokenWord), then how common those words
	// are in the FAQ (their weights, less being better), and what its first
	// step takes (0 a lone syllable, else the syllables of its first word).
	type reading struct {
		read, weight float32
		step         int
	}
	var best [maxSpaced + 1]reading
	for m := n - 1; m >= 0; m-- {
		best[m] = reading{read: best[m+1].read, weight: best[m+1].weight}
		for l := 0; l < 2; l++ {
			w := word[m][l]
			if w == "" {
				continue
			}
			c := reading{read: best[m+l+2].read + a.spokenWord(w, l+2), weight: best[m+l+2].weight + px.weightOf(w), step: l + 2}
			if c.read > best[m].read || c.read == best[m].read && c.weight < best[m].weight {
				best[m] = c
			}
		}
	}
	if best[0].step == 0 {
		return "", j
	}
	return word[0][best[0].step-2], ends[best[0].step-1]
}

// spokenWord is how much reading n syllables as Han text w says they were
// meant so: n and a half when w is a word of general Chinese or of the
// lexicon; n when it has one at its start or end (负责人, 服务器); half of n
// for a pair of the FAQ's characters that is no word ("da bu kai le" is
// 打不开 and a particle, not 打不 and 开了).
func (a *analyzer) spokenWord(w string, n int) float32 {
	word := func(t string) bool { return wordIDF(t) > 0 || a.lx.han[t] != "" }
	if word(w) {
		return float32(n) + 0.5
	}
	if n == 3 {
		_, k := utf8.DecodeRuneInString(w)
		_, l := utf8.DecodeLastRuneInString(w)
		if word(w[:len(w)-l]) || word(w[k:]) {
			return float32(n)
		}
	}
	return float32(n) / 2
}

// pinyinContext is how many of a message's Latin words must read as
// pinyin of the FAQ's words (syllables typed apart counting once a word)
// for the message to be read as typed in pinyin.
const pinyinContext = 2

// syllable reports whether w is one pinyin syllable and no English word the
// analyzer knows ("wang", "zhan"; not "long" or "ban").
func (a *analyzer) syllable(w string) bool {
	return a.pinyin != nil && a.pinyin.syllables[w] && !a.known(stem(w))
}

// unitOf returns the unit of a number written with it ("6mb" → "mb", as
// "6 MB" reads), else w.
func unitOf(w string) string {
	i := 0
	for i < len(w) && w[i] >= '0' && w[i] <= '9' {
		i++
	}
	if i == 0 || i == len(w) {
		return w
	}
	for _, r := range w[i:] {
		if r < 'a' || r > 'z' {
			return w
		}
	}
	return w[i:]
}

// start returns the byte offset of a Han token in the folded text.
func (t tok) start() int { return t.end - len(t.s) }

// hanRun maps lexicon variants in a run of Han characters of s (longest
// match first, left to right) and emits the pieces between them.
func (a *analyzer) hanRun(s string, run []tok, dst []string, concepts *[]int32) []string {
	pieceFrom := -1 // index in run where the current unmatched piece starts
	for j := 0; j < len(run); {
		matched := false
		first, _ := utf8.DecodeRuneInString(run[j].s)
		for k := min(int(a.lx.hanLen[first]), len(run)-j); k >= 1; k-- {
			canon, ok := a.lx.han[s[run[j].start():run[j+k-1].end]]
			if !ok {
				continue
			}
			if k >= 3 && a.overlaps(s, run, j, k) {
				// 怎么整改: 怎么整 would leave 改 alone, read as 变更; 怎么 then
				// 整改 reads both as written.
				continue
			}
			if pieceFrom >= 0 {
				dst = emitPiece(s[run[pieceFrom].start():run[j-1].end], dst)
				pieceFrom = -1
			}
			dst = a.emitCanon(canon, dst, concepts)
			j += k
			matched = true
			break
		}
		if !matched {
			if pieceFrom < 0 {
				pieceFrom = j
			}
			j++
		}
	}
	if pieceFrom >= 0 {
		dst = emitPiece(s[run[pieceFrom].start():run[len(run)-1].end], dst)
	}
	return dst
}

// overlaps reports whether the variant run[j:j+k] ends with the first
// character of a longer variant while its own start, one character shorter,
// is a variant too: the shorter match then keeps both words whole.
func (a *analyzer) overlaps(s string, run []tok, j, k int) bool {
	if _, ok := a.lx.han[s[run[j].start():run[j+k-2].end]]; !ok {
		return false
	}
	last := j + k - 1
	first, _ := utf8.DecodeRuneInString(run[last].s)
	for n := min(int(a.lx.hanLen[first]), len(run)-last); n >= 2; n-- {
		if _, ok := a.lx.han[s[run[last].start():run[last+n-1].end]]; ok {
			return true
		}
	}
	return false
}

// latinRun maps lexicon phrases in a run of English words and emits the
// other words, corrected when they look like a typo of a known word.
func (a *analyzer) latinRun(run []tok, dst []string, concepts *[]int32) []string {
	var kb [64]byte
	key := kb[:0]
	word := func(i int) string { return run[i].s }
	for j := 0; j < len(run); {
		var canon string
		var k int
		if canon, k, key = a.lx.phraseAt(len(run), j, word, key); k > 0 {
			dst = a.emitCanon(canon, dst, concepts)
			j += k
			continue
		}
		if w := run[j].s; len(w) > 1 {
			dst = append(dst, w)
		}
		j++
	}
	return dst
}

// emitCanon emits a lexicon canonical form as its own piece, noting where
// its terms are in concepts when that is not nil.
func (a *analyzer) emitCanon(canon string, dst []string, concepts *[]int32) []string {
	if canon == "" {
		return dst
	}
	if concepts != nil {
		from := len(dst)
		dst = a.emitCanon(canon, dst, nil)
		*concepts = append(*concepts, int32(from), int32(len(dst)))
		return dst
	}
	if langOf(canon) != "zh" {
		for _, w := range strings.Fields(canon) {
			dst = append(dst, stem(w))
		}
		return dst
	}
	return emitPiece(canon, dst)
}

// emitPiece emits the characters of a piece of Han text and its character
// bigrams, all substrings of piece.
func emitPiece(piece string, dst []string) []string {
	prev := -1
	for i, r := range piece {
		n := utf8.RuneLen(r)
		if !isHan(r) {
			prev = -1
			continue
		}
		dst = append(dst, piece[i:i+n])
		if prev >= 0 {
			dst = append(dst, piece[prev:i+n])
		}
		prev = i
	}
	return dst
}

// reading returns what an English word w of a query is read as when it is
// no word the FAQ, the lexicon or general English knows: Chinese (han) when
// it spells pinyin of the FAQ's words, else the known word it is a typo of;
// both "" when w is read as written.
func (a *analyzer) reading(w string) (han, word string) {
	if a.known(stem(w)) {
		return "", ""
	}
	if py := a.readPinyin(w); py != "" {
		return py, ""
	}
	if a.prefixed(w) || strings.ContainsAny(w, "0123456789") || a.syllable(w) {
		// reused, unblock: a word, if not one we know; 2012 a number; wang
		// a syllable of pinyin, no typo of want.
		return "", ""
	}
	return "", a.correct(w)
}

// wordPrefixes are the prefixes English words are made with.
var wordPrefixes = []string{"re", "un", "pre", "dis", "mis", "non", "over", "under", "sub", "co", "de", "multi", "auto", "anti", "inter", "out", "up"}

// prefixed reports whether w is a known word with a prefix (reused is re-
// and used): a word, not a typo, though it is no word the analyzer knows.
func (a *analyzer) prefixed(w string) bool {
	for _, p := range wordPrefixes {
		if rest, ok := strings.CutPrefix(w, p); ok && len(rest) >= 3 && a.known(stem(strings.TrimPrefix(rest, "-"))) {
			return true
		}
	}
	return false
}

// correct returns the known word within one edit of w (two for long words),
// or "" when there is none or w is too short to correct safely.
func (a *analyzer) correct(w string) string {
	n := len(w)
	if n < 4 {
		return ""
	}
	limit := 1
	if n >= 8 {
		limit = 2
	}
	best, bestD, bestL := "", limit+1, 0
	try := func(k string) {
		// A typo rarely hits both of the first two letters.
		if k[0] != w[0] && k[1] != w[1] {
			return
		}
		// Of two equally near, the shorter, then the first in order.
		if d := editDistance(w, k, limit); d < bestD || d == bestD && (len(k) < bestL || len(k) == bestL && k < best) {
			best, bestD, bestL = k, d, len(k)
		}
	}
	for _, t := range [2]*wordTable{a.words, a.general} {
		if limit == 1 {
			// A word one edit away is w with a letter more (w is one of its
			// spellings less a letter), w less a letter, or shares with w a
			// spelling less a letter (a letter changed, or two swapped).
			for _, k := range t.del1[w] {
				try(k)
			}
			for i := range len(w) {
				for _, k := range t.del1[w[:i]+w[i+1:]] {
					try(k)
				}
			}
			continue
		}
		ws := letterSet(w)
		for l := n - limit; l <= n+limit; l++ {
			// The words that share the first letter, then those that share
			// only the second.
			for pos := range 2 {
				for _, k := range t.surface[surfKey{n: l, pos: uint8(pos), b: w[pos]}] {
					if pos == 1 && k.w[0] == w[0] {
						continue
					}
					// Each letter one word has and the other lacks takes an
					// edit: more of them than limit, and k is too far.
					if bits.OnesCount32(k.letters&^ws) > limit || bits.OnesCount32(ws&^k.letters) > limit {
						continue
					}
					try(k.w)
				}
			}
		}
	}
	return best
}

// editDistance is the optimal-string-alignment distance between a and b,
// or limit+1 when it exceeds limit.
// substCost is what typing x for y costs: 1 for a key next to it or a
// vowel for a vowel (the typos people make), 3 for any other letter, which
// no correction allows ("attach" is no typo of attack, nor "test" of best).
func substCost(x, y byte) int {
	if keyNear[x]&(1<<(y-'a')) != 0 || isVowel(x) && isVowel(y) {
		return 1
	}
	return 3
}

func isVowel(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }

// keyNear holds, for each lower-case letter, the letters next to it on a
// QWERTY keyboard, as bits from 'a'.
var keyNear = func() (near [256]uint32) {
	rows := [3]string{"qwertyuiop", "asdfghjkl", "zxcvbnm"}
	link := func(x, y byte) {
		near[x] |= 1 << (y - 'a')
		near[y] |= 1 << (x - 'a')
	}
	for r, row := range rows {
		for i := range len(row) {
			if i+1 < len(row) {
				link(row[i], row[i+1])
			}
			if r+1 < len(rows) {
				// A row sits half a key to the right of the one above.
				below := rows[r+1]
				for _, j := range []int{i - 1, i} {
					if j >= 0 && j < len(below) {
						link(row[i], below[j])
					}
				}
			}
		}
	}
	return near
}()

func editDistance(a, b string, limit int) int {
	if a == b {
		return 0
	}
	la, lb := len(a), len(b)
	if la-lb > limit || lb-la > limit {
		return limit + 1
	}
	var buf [3][34]int
	if lb > 32 {
		return limit + 1
	}
	prev2, prev, cur := buf[0][:lb+1], buf[1][:lb+1], buf[2][:lb+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= lb; j++ {
			cost := 0
			if a[i-1] != b[j-1] {
				cost = substCost(a[i-1], b[j-1])
				// A letter of the word next to it, typed twice ("htpps").
				if j > 1 && a[i-1] == b[j-2] || j < lb && a[i-1] == b[j] {
					cost = 1
				}
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[lb]
}

// mixedScripts reports whether s has both an ASCII letter and a Han
// character, the only case where a mixed-script variant ("icp证") can occur.
func mixedScripts(s string) bool {
	latin, han := false, false
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z'):
			latin = true
		case r >= utf8.RuneSelf && isHan(r):
			han = true
		}
		if latin && han {
			return true
		}
	}
	return false
}
