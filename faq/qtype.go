package faq

import (
	"strings"
	"unicode/utf8"
)

// qtype is the set of kinds of answer a question asks for.
type qtype uint8

// The kinds of question whose answers differ even when the words agree:
// why a site is blocked, how to unblock it and how long it stays blocked
// are three entries.
const (
	qWhy     qtype = 1 << iota // 为什么, why: a cause
	qHow                       // 怎么, how: steps
	qHowLong                   // 多久, how long: a duration
	qWhere                     // 哪里, where: a place
	qCost                      // 多少钱, how much: a price
	qWhat                      // 什么是, what is: a definition
	qWhether                   // 能不能, can I: yes or no
	qCount                     // 几个, how many: a number or a limit
)

// strongTypes are the kinds whose answers cannot stand in for each other.
const strongTypes = qWhy | qHowLong | qWhere | qCost | qCount

// qtypeCues lists, for each kind, how people ask it, folded (lower case,
// simplified). English cues match whole words. 几 or 多少 before a measure
// word (几个, 多少台) asks how many too (see countsAt).
var qtypeCues = []struct {
	t  qtype
	zh []string
	en []string
}{
	{qWhy, []string{"为什么", "为何", "为啥", "什么原因", "啥原因", "原因", "怎么回事", "咋回事", "点解", "為什麼"}, []string{"why", "reason", "reasons", "cause", "causes", "how come"}},
	{qHow, []string{"怎么", "如何", "怎样", "咋", "方法", "步骤", "流程", "点样", "怎么办", "怎么做", "如何处理"}, []string{"how", "how to", "how do", "how can", "steps", "procedure", "way to"}},
	{qHowLong, []string{"多久", "多长时间", "几天", "多少天", "多少时间", "要多长", "几个工作日", "时长", "什么时候", "何时"}, []string{"how long", "when", "how many days", "how many day", "how much time", "how much day", "how much days", "days", "time", "duration"}},
	{qWhere, []string{"哪里", "哪儿", "在哪", "什么地方", "哪个页面", "入口", "位置", "边度"}, []string{"where", "which page"}},
	{qCost, []string{"多少钱", "费用", "收费", "价格", "付费", "免费", "计费"}, []string{"how much", "cost", "costs", "price", "fee", "fees", "charge", "charged", "free", "billing", "billed"}},
	{qWhat, []string{"什么是", "是什么", "指什么", "哪些", "什么意思", "含义", "区别", "不同"}, []string{"what is", "what are", "what's", "which", "meaning", "difference", "different"}},
	{qCount, []string{"数量", "上限", "最多"}, []string{"how many", "number of", "limit", "limits", "maximum", "max"}},
	{qWhether, []string{"吗", "能否", "能不能", "可以", "是否", "可不可以", "需不需要", "要不要", "是不是", "有没有", "会不会", "行不行", "么"}, []string{"can", "could", "is it", "are", "do i", "does", "should", "whether", "is there", "will", "need"}},
}

// cueIndex holds qtypeCues by where a match can start: the Chinese cues by
// their first character, the English ones by their first word, so that a
// question is read once, not once per cue.
var cueIndex = func() (x struct {
	zh map[rune][]cue
	en map[string][]cue
}) {
	x.zh, x.en = map[rune][]cue{}, map[string][]cue{}
	for _, c := range qtypeCues {
		for _, z := range c.zh {
			r, _ := utf8.DecodeRuneInString(z)
			x.zh[r] = append(x.zh[r], cue{z, c.t})
		}
		for _, e := range c.en {
			first, _, _ := strings.Cut(e, " ")
			x.en[first] = append(x.en[first], cue{e, c.t})
		}
	}
	return x
}()

// cue is one way of asking a kind of question.
type cue struct {
	text string
	t    qtype
}

// questionType finds the kinds of question folded text s asks.
func questionType(s string) qtype {
	var t qtype
	wordStart := true
	for i, r := range s {
		if r >= utf8.RuneSelf {
			for _, c := range cueIndex.zh[r] {
				if t&c.t == 0 && strings.HasPrefix(s[i:], c.text) {
					t |= c.t
				}
			}
			if t&qCount == 0 && (r == '几' || r == '多' && strings.HasPrefix(s[i:], "多少")) && countsAt(s[i:]) {
				t |= qCount
			}
		}
		word := r >= 'a' && r <= 'z' || r == '\''
		if word && wordStart {
			end := i
			for end < len(s) && (s[end] >= 'a' && s[end] <= 'z' || s[end] == '\'') {
				end++
			}
			for _, c := range cueIndex.en[s[i:end]] {
				if t&c.t == 0 && phraseAt(s[i:], c.text) {
					t |= c.t
				}
			}
		}
		wordStart = !word
	}
	return asDuration(s, t)
}

// durationPhrases ask how long in the words of a count or a price: a
// number of days (几个工作日, "how many days") is a duration, and so is "how
// much time" or the learner's "how much day" (多少时间), not a price.
var durationPhrases = []struct {
	text string
	not  qtype // what the phrase only seems to ask
}{
	{"几个工作日", qCount}, {"how many day", qCount}, {"how much time", qCost}, {"how much day", qCost},
}

// asDuration clears from t, the kinds folded text s asks, what a duration
// phrase of s only seems to ask.
func asDuration(s string, t qtype) qtype {
	if t&qHowLong == 0 {
		return t
	}
	for _, p := range durationPhrases {
		if strings.Contains(s, p.text) {
			t &^= p.not
		}
	}
	return t
}

// phraseAt reports whether s starts with the words of phrase, each whole:
// apart by anything that is no letter of a word.
func phraseAt(s, phrase string) bool {
	isWord := func(b byte) bool { return b >= 'a' && b <= 'z' || b == '\'' }
	for _, w := range strings.Fields(phrase) {
		for len(s) > 0 && !isWord(s[0]) {
			s = s[1:]
		}
		if !strings.HasPrefix(s, w) || len(s) > len(w) && isWord(s[len(w)]) {
			return false
		}
		s = s[len(w):]
	}
	return true
}

// countsAt reports whether s starts with 几 or 多少 before a measure word
// (几块, 多少张): a question of how many.
func countsAt(s string) bool {
	for _, head := range []string{"几", "多少"} {
		if rest, ok := strings.CutPrefix(s, head); ok {
			r, _ := utf8.DecodeRuneInString(rest)
			return strings.ContainsRune(measureWords, r)
		}
	}
	return false
}

// typeFit scales the similarity of a query of kinds q to a variant of kinds
// v: down when the query asks for a kind of answer (a cause, a duration)
// that the variant's question, which asks for another, does not give.
func typeFit(q, v qtype, mismatch float64) float64 {
	qs, vs := q&strongTypes, v&(strongTypes|qHow)
	switch {
	case qs == 0 && q&qHow != 0 && v&(qWhy|qHowLong) != 0 && v&qHow == 0:
		return mismatch // how to do it, asked of a why or a how-long
	case qs == 0:
		return 1
	case qs&v != 0:
		return 1
	case vs != 0:
		return mismatch
	}
	return 1
}
