package faq

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// lexicon is the matcher's domain knowledge: synonyms, filler words,
// subject and modifier words, and extra phrasings of entries by id (the file
// format is in the package documentation).
type lexicon struct {
	han    map[string]string
	hanMax int
	// hanLen holds, for each character that begins a Han variant, the
	// length in characters of its longest variant: most characters begin
	// none, and reading a query looks up only the lengths there are.
	hanLen    map[rune]uint8
	latin     map[string]string
	latinMax  int
	phrasings map[string][]string
	words     map[string]bool // every Latin word the lexicon knows, as written
	leads     map[string]bool // first words of multi-word Latin variants, stemmed
	mixed     map[string]string
	inCanon   map[string]bool // character pairs of Han canonical forms
	subject   []string        // words that name the FAQ's subject, folded
	modifier  []string        // words that only qualify a question, folded
	attribute []string        // words that ask what of a thing (its price), folded
	// phrasingLines says where each [phrasings] line is, for lint.
	phrasingLines []phrasingLine
}

type phrasingLine struct {
	id, file string
	line     int
}

func newLexicon() *lexicon {
	return &lexicon{han: map[string]string{}, hanLen: map[rune]uint8{}, latin: map[string]string{}, phrasings: map[string][]string{}, words: map[string]bool{}, leads: map[string]bool{}, mixed: map[string]string{}, inCanon: map[string]bool{}}
}

// clone returns a copy of lx that parse can add to without changing lx.
func (lx *lexicon) clone() *lexicon {
	c := *lx
	c.han, c.hanLen, c.latin, c.words, c.leads = maps.Clone(lx.han), maps.Clone(lx.hanLen), maps.Clone(lx.latin), maps.Clone(lx.words), maps.Clone(lx.leads)
	c.mixed, c.inCanon = maps.Clone(lx.mixed), maps.Clone(lx.inCanon)
	c.phrasings = make(map[string][]string, len(lx.phrasings))
	for id, ps := range lx.phrasings {
		// Clipped, an append copies rather than writing into lx's array.
		c.phrasings[id] = slices.Clip(ps)
	}
	c.subject, c.modifier, c.attribute, c.phrasingLines = slices.Clip(lx.subject), slices.Clip(lx.modifier), slices.Clip(lx.attribute), slices.Clip(lx.phrasingLines)
	return &c
}

// parse reads one lexicon file into lx, returning problems by line.
func (lx *lexicon) parse(name string, r io.Reader, f folder) []Problem {
	var probs []Problem
	section := ""
	n := 0
	// What each variant of this file is looked up by: two variants that
	// read alike ("run", "running") and map to two concepts would leave
	// one of them quietly unused.
	type use struct {
		canon, text string
		line        int
	}
	uses := map[string]use{}
	add := func(v, canon string) {
		k := lx.add(f, v, canon)
		if k == "" {
			return
		}
		c := f.fold(canon)
		if u, ok := uses[k]; ok && u.canon != c {
			probs = append(probs, Problem{name, n, fmt.Sprintf("%q reads as %q of line %d, which maps to %s; here it maps to %s", v, u.text, u.line, orStop(u.canon), orStop(c))})
			return
		}
		uses[k] = use{c, v, n}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		n++
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.ToLower(strings.TrimSpace(line[1 : len(line)-1]))
			if section != "synonyms" && section != "stop" && section != "phrasings" && section != "subject" && section != "modifier" && section != "attribute" {
				probs = append(probs, Problem{name, n, fmt.Sprintf("unknown section [%s]; want [synonyms], [stop], [subject], [modifier], [attribute] or [phrasings]", section)})
			}
			continue
		}
		switch section {
		case "synonyms":
			canon, vars, ok := strings.Cut(line, "=")
			canon = strings.TrimSpace(canon)
			if !ok || canon == "" {
				probs = append(probs, Problem{name, n, "want: canonical = variant, variant, …"})
				continue
			}
			add(canon, canon)
			for _, v := range splitAny(vars, ",，、") {
				add(v, canon)
			}
		case "stop":
			for _, v := range splitAny(line, ",，、") {
				add(v, "")
			}
		case "subject":
			for _, v := range splitAny(line, ",，、") {
				lx.subject = append(lx.subject, f.fold(v))
			}
		case "modifier":
			for _, v := range splitAny(line, ",，、") {
				lx.modifier = append(lx.modifier, f.fold(v))
			}
		case "attribute":
			for _, v := range splitAny(line, ",，、") {
				lx.attribute = append(lx.attribute, f.fold(v))
			}
		case "phrasings":
			id, ps, ok := strings.Cut(line, "=")
			id = strings.TrimSpace(id)
			if !ok || id == "" || strings.ContainsAny(id, " \t") {
				probs = append(probs, Problem{name, n, "want: section_id = phrasing | phrasing …"})
				continue
			}
			lx.phrasings[id] = append(lx.phrasings[id], splitAny(ps, "|")...)
			lx.phrasingLines = append(lx.phrasingLines, phrasingLine{id: id, file: name, line: n})
		default:
			probs = append(probs, Problem{name, n, "line before any [section]"})
		}
	}
	if err := sc.Err(); err != nil {
		probs = append(probs, Problem{name, n, fmt.Sprintf("read: %v", err)})
	}
	return probs
}

// orStop names a canonical form in a problem: "" is [stop].
func orStop(canon string) string {
	if canon == "" {
		return "[stop]"
	}
	return canon
}

func splitAny(s, seps string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// add maps variant v to canonical form canon ("" drops it) and returns the
// form it is looked up by (folded; English stemmed), "" when none.
func (lx *lexicon) add(f folder, v, canon string) string {
	v = f.fold(v)
	if canon != "" {
		canon = f.fold(canon)
		for _, t := range emitPiece(canon, nil) {
			lx.inCanon[t] = true
		}
	}
	if langOf(v) == "zh" && strings.IndexFunc(v, func(r rune) bool { return r < 0x80 && isWordRune(r) }) >= 0 {
		// Mixed scripts ("icp证"): rewritten as text before words are split.
		lx.mixed[v] = canon
		return v
	}
	if langOf(v) == "zh" {
		v = strings.Join(strings.Fields(v), "")
		if n := utf8.RuneCountInString(v); n > 0 {
			lx.han[v] = canon
			lx.hanMax = max(lx.hanMax, n)
			first, _ := utf8.DecodeRuneInString(v)
			lx.hanLen[first] = uint8(min(max(int(lx.hanLen[first]), n), 255))
			return v
		}
		return ""
	}
	var words []string
	for _, w := range strings.FieldsFunc(v, func(r rune) bool { return !isWordRune(r) }) {
		lx.words[w] = true
		words = append(words, stem(w))
	}
	if len(words) == 0 {
		return ""
	}
	key := strings.Join(words, " ")
	lx.latin[key] = canon
	if len(words) > 1 {
		lx.leads[words[0]] = true
	}
	lx.latinMax = max(lx.latinMax, len(words))
	return key
}

// phraseAt finds the longest variant of the lexicon that starts at word j
// of n English words (word(i) is word i, stemmed): its canonical form and
// its length in words, 0 when none starts there. key is scratch for the
// lookup, returned for reuse.
func (lx *lexicon) phraseAt(n, j int, word func(int) string, key []byte) (string, int, []byte) {
	kmax := min(lx.latinMax, n-j)
	if !lx.leads[word(j)] {
		kmax = min(kmax, 1)
	}
	for k := kmax; k >= 1; k-- {
		key = key[:0]
		for i := j; i < j+k; i++ {
			if i > j {
				key = append(key, ' ')
			}
			key = append(key, word(i)...)
		}
		if canon, ok := lx.latin[string(key)]; ok {
			return canon, k, key
		}
	}
	return "", 0, key
}

// mixedReplacer rewrites mixed-script variants to their canonical forms,
// longest first; nil when there are none.
func (lx *lexicon) mixedReplacer() *strings.Replacer {
	if len(lx.mixed) == 0 {
		return nil
	}
	keys := make([]string, 0, len(lx.mixed))
	for k := range lx.mixed {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) > len(keys[j])
		}
		return keys[i] < keys[j]
	})
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, k, " "+lx.mixed[k]+" ")
	}
	return strings.NewReplacer(pairs...)
}
