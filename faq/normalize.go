package faq

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// folder folds text to the form the matcher compares: full-width forms
// narrowed, lower case, traditional characters simplified. (Chat syntax such
// as mentions is the adapters' to remove.)
type folder struct {
	*foldTables
}

// foldTables map traditional characters to simplified ones: han for the
// characters from hanLo to hanHi (nearly all of them, looked up by index:
// folding is done on every query), t2s for the rest.
type foldTables struct {
	han []rune
	t2s map[rune]rune
}

const hanLo, hanHi = 0x3400, 0x9FFF

// theFoldTables are made once: every load folds alike.
var theFoldTables = sync.OnceValue(func() *foldTables {
	t := &foldTables{han: make([]rune, hanHi-hanLo+1), t2s: map[rune]rune{}}
	var prev rune = -1
	for _, r := range t2sPairs {
		if prev < 0 {
			prev = r
			continue
		}
		if prev >= hanLo && prev <= hanHi {
			t.han[prev-hanLo] = r
		} else {
			t.t2s[prev] = r
		}
		prev = -1
	}
	return t
})

func newFolder() folder { return folder{theFoldTables()} }

// foldRune returns r folded.
func (f folder) foldRune(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case r >= hanLo && r <= hanHi:
		if s := f.han[r-hanLo]; s != 0 {
			return s
		}
		return r
	case r >= 0xFF01 && r <= 0xFF5E || r == 0x3000:
		r = foldWidth(r)
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case r == '\u2019' || r == '\u2018':
		return '\''
	}
	if s, ok := f.t2s[r]; ok {
		return s
	}
	return unicode.ToLower(r)
}

// fold returns s folded; folding a folded string changes nothing. A string
// already folded is returned as it is.
func (f folder) fold(s string) string {
	for i, r := range s {
		if r == utf8.RuneError || f.foldRune(r) != r {
			return f.foldFrom(s, i)
		}
	}
	return s
}

// foldFrom folds s, whose first i bytes need no folding.
func (f folder) foldFrom(s string, i int) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		b.WriteRune(f.foldRune(r))
	}
	return b.String()
}

func foldWidth(r rune) rune {
	p := width.LookupRune(r)
	if n := p.Narrow(); n != 0 {
		return n
	}
	return r
}

// isHan reports whether r is a CJK ideograph.
func isHan(r rune) bool { return r >= 0x3400 && unicode.Is(unicode.Han, r) }

// isWordRune reports whether r belongs to a Latin/digit word.
func isWordRune(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '\'') ||
		r >= utf8.RuneSelf && !isHan(r) && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// langOf returns "zh" when s has Han characters, "en" otherwise.
func langOf(s string) string {
	for _, r := range s {
		if isHan(r) {
			return "zh"
		}
	}
	return "en"
}

// noStem lists words whose ending is not a suffix.
var noStem = map[string]bool{
	"https": true, "dns": true, "sms": true, "cdn": true, "oss": true, "ecs": true, "rds": true,
	"vps": true, "ios": true, "aws": true, "gps": true, "news": true, "always": true, "perhaps": true,
	"access": true, "process": true, "address": true, "business": true, "status": true, "bbs": true,
	"really": true, // not "real"
}

// stem reduces an English word to a crude stem so that "filing", "file" and
// "filed", or "sites" and "site", compare equal. It is applied alike to the
// lexicon, the FAQ and queries, so it need only be consistent.
func stem(w string) string {
	w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "'")
	if len(w) <= 3 || noStem[w] {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		w = w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:len(w)-1]
	}
	cut := false
	for _, suf := range []string{"ing", "ed", "able", "ible", "ly"} {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 3 && (suf != "ly" || len(w) >= 6) {
			w, cut = w[:len(w)-len(suf)], true
			break
		}
	}
	if len(w) > 3 && w[len(w)-1] == 'e' {
		w = w[:len(w)-1]
	}
	// Doubled final consonants: "planned" → "plann" → "plan".
	if n := len(w); n > 3 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiousl", rune(w[n-1])) {
		w = w[:n-1]
	}
	// The British doubled l of a verb in -el: "cancelled", "labelling" →
	// cancel, label (but "filled", "installed" keep theirs).
	if n := len(w); cut && n >= 6 && strings.HasSuffix(w, "ell") {
		w = w[:n-1]
	}
	return w
}
