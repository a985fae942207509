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
// simplified). English cues match whole words.
var qtypeCues = []struct {
	t  qtype
	zh []string
	en []string
}{
	{qWhy, []string{"为什么", "为何", "为啥", "什么原因", "啥原因", "原因", "怎么回事", "咋回事", "点解", "為什麼"}, []string{"why", "reason", "reasons", "cause", "causes", "how come"}},
	{qHow, []string{"怎么", "如何", "怎样", "咋", "方法", "步骤", "流程", "点样", "怎么办", "怎么做", "如何处理"}, []string{"how", "how to", "how do", "how can", "steps", "procedure", "way to"}},
	{qHowLong, []string{"多久", "多长时间", "几天", "多少天", "多少时间", "要多长", "几个工作日", "时长", "什么时候", "何时"}, []string{"how long", "when", "how many days", "days", "time", "duration"}},
	{qWhere, []string{"哪里", "哪儿", "在哪", "什么地方", "哪个页面", "入口", "位置", "边度"}, []string{"where", "which page"}},
	{qCost, []string{"多少钱", "费用", "收费", "价格", "付费", "免费", "计费"}, []string{"how much", "cost", "costs", "price", "fee", "fees", "charge", "charged", "free", "billing", "billed"}},
	{qWhat, []string{"什么是", "是什么", "指什么", "哪些", "什么意思", "含义", "区别", "不同"}, []string{"what is", "what are", "what's", "which", "meaning", "difference", "different"}},
	{qCount, []string{"几个", "多少个", "几台", "多少台", "几次", "多少次", "几家", "多少家", "几条", "多少条", "几种", "数量", "上限", "最多"}, []string{"how many", "number of", "limit", "limits", "maximum", "max"}},
	{qWhether, []string{"吗", "能否", "能不能", "可以", "是否", "可不可以", "需不需要", "要不要", "是不是", "有没有", "会不会", "行不行", "么"}, []string{"can", "could", "is it", "are", "do i", "does", "should", "whether", "is there", "will", "need"}},
}

// questionType finds the kinds of question folded text s asks.
func questionType(s string) qtype {
	var t qtype
	var words []string
	for _, c := range qtypeCues {
		for _, cue := range c.zh {
			if strings.Contains(s, cue) {
				t |= c.t
				break
			}
		}
		if t&c.t != 0 {
			continue
		}
		if words == nil {
			words = strings.FieldsFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r == '\'') })
			if words == nil {
				words = []string{}
			}
		}
		for _, cue := range c.en {
			if hasPhrase(words, cue) {
				t |= c.t
				break
			}
		}
	}
	if t&qCount == 0 && countsMeasure(s) {
		t |= qCount
	}
	if t&qHowLong != 0 && (strings.Contains(s, "几个工作日") || strings.Contains(s, "how many days")) {
		t &^= qCount // a number of days is a duration
	}
	return t
}

// hasPhrase reports whether words contain phrase's words in a row.
func hasPhrase(words []string, phrase string) bool {
	first, rest, multi := strings.Cut(phrase, " ")
	for i, w := range words {
		if w != first {
			continue
		}
		if !multi {
			return true
		}
		j := i + 1
		ok := true
		for _, p := range strings.Fields(rest) {
			if j >= len(words) || words[j] != p {
				ok = false
				break
			}
			j++
		}
		if ok {
			return true
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

// countsMeasure reports whether s asks for a number of things: 几 or 多少
// before a measure word (几块, 多少张).
func countsMeasure(s string) bool {
	for _, head := range []string{"几", "多少"} {
		for i := 0; ; {
			j := strings.Index(s[i:], head)
			if j < 0 {
				break
			}
			i += j + len(head)
			if r, _ := utf8.DecodeRuneInString(s[i:]); strings.ContainsRune(measureWords, r) {
				return true
			}
		}
	}
	return false
}
