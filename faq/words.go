package faq

import (
	_ "embed"
	"strings"
)

// words2 holds the background weights of two-character Chinese words: jieba's
// inverse document frequencies over a large general corpus (MIT licence, see
// data/JIEBA-LICENSE), as sorted 7-byte records: six bytes of the word, then
// its IDF times ten. It tells a real word the FAQ does not know (延迟,
// 价格: a question about something else) from a pair of characters that only
// straddles two words of a long question (部系), and common words (情况,
// 知道) from rare ones. faq/internal/wordgen makes it.
//
//go:embed data/words2.bin
var words2 string

const wordRecord = 7

// wordIDF returns the background IDF of a two-character Han word, or 0 when
// it is not a known word.
func wordIDF(w string) float64 {
	if len(w) != 6 {
		return 0
	}
	lo, hi := 0, len(words2)/wordRecord
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		rec := words2[mid*wordRecord : mid*wordRecord+6]
		switch c := strings.Compare(rec, w); {
		case c == 0:
			return float64(words2[mid*wordRecord+6]) / 10
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0
}

// commonEnglish lists general English words by how little they say: tier 1
// the emptiest (every, own, thing), tier 2 common words that name no subject
// (exist, recently, reason); tier 0 lists words that name what a FAQ can be
// about (step, domain, refund), known so that typo correction leaves them
// be; their weight is what the FAQ gives them. English has no background table like words2,
// and in a FAQ whose English part is small a word like "every" is as rare as
// its most telling term; these tiers weigh such words as Chinese words of
// their frequency weigh. Written for the product from general knowledge of
// English; words a hosting, domain or filing FAQ could be about are left
// out.
//
//go:embed data/common_en.txt
var commonEnglish string

// englishWords lists commonEnglish's words as written; englishKnown those
// of its [known] section, which are known words but never what a typo is
// corrected to.
var englishWords, englishKnown []string

// knownOnly marks the [known] section while commonEnglish is read.
const knownOnly = 9

// englishTier maps the stems of commonEnglish's words to their tier.
var englishTier = func() map[string]uint8 {
	m := map[string]uint8{}
	tier := -1
	for line := range strings.Lines(commonEnglish) {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case line == "[0]", line == "[1]", line == "[2]":
			tier = int(line[1] - '0')
			continue
		case line == "[known]":
			tier = knownOnly
			continue
		}
		for _, w := range strings.Split(line, ",") {
			if w = strings.TrimSpace(w); w == "" || tier < 0 {
				continue
			}
			if tier == knownOnly {
				englishKnown = append(englishKnown, w)
				continue
			}
			englishWords = append(englishWords, w)
			st := stem(w)
			if t, ok := m[st]; tier > 0 && (!ok || uint8(tier) < t) {
				m[st] = uint8(tier)
			}
		}
	}
	return m
}()
