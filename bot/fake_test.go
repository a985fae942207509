package bot

import (
	"github.com/beianbot/beianbot/faq"
)

// fakeFAQ answers from canned results: each query maps to its matches, best
// first, with their scores. A query it does not know matches nothing.
type fakeFAQ struct {
	entries []*faq.Entry
	matches map[string][]faq.Match
}

func (f *fakeFAQ) Match(query string) faq.Result {
	res := faq.Result{Query: query, Lang: faq.Lang(query)}
	ms := f.matches[query]
	if len(ms) == 0 {
		return res
	}
	res.Best = ms[0]
	res.Answered = ms[0].Score >= 0.5
	if !res.Answered {
		res.Suggestions = ms
	}
	return res
}

func (f *fakeFAQ) Lookup(id, lang string) *faq.Entry {
	var other *faq.Entry
	for _, e := range f.entries {
		if e.ID != id {
			continue
		}
		if e.Lang == lang {
			return e
		}
		other = e
	}
	return other
}

func (f *fakeFAQ) Entries() []*faq.Entry { return f.entries }

// entry returns the fake's entry id in lang; it panics when there is none,
// as only a broken test asks for one.
func (f *fakeFAQ) entry(id, lang string) *faq.Entry {
	for _, e := range f.entries {
		if e.ID == id && e.Lang == lang {
			return e
		}
	}
	panic("fakeFAQ has no entry " + id + " " + lang)
}

// testFAQ is a small FAQ: a Hong Kong entry in both languages, a forum
// entry in Chinese only, and a pricing entry in English only.
func testFAQ() *fakeFAQ {
	f := &fakeFAQ{entries: []*faq.Entry{
		{ID: "hk", Lang: "zh", Question: "香港服务器需要备案吗？", Answer: "不需要。"},
		{ID: "hk", Lang: "en", Question: "Does a Hong Kong server need filing?", Answer: "No."},
		{ID: "forum", Lang: "zh", Question: "论坛如何备案？", Answer: "由企业申请前置审批。"},
		{ID: "price", Lang: "en", Question: "Does filing cost anything?", Answer: "Filing is free."},
	}}
	m := func(id, lang string, score float64) faq.Match {
		return faq.Match{Entry: f.entry(id, lang), Score: score}
	}
	f.matches = map[string][]faq.Match{
		"香港服务器需要备案吗":         {m("hk", "zh", 0.95)},
		"hong kong server":   {m("hk", "en", 0.95)},
		"论坛备案":               {m("forum", "zh", 0.9)},
		"forum filing":       {m("forum", "zh", 0.9)},
		"备案要钱吗":              {m("price", "en", 0.9)},
		"香港":                 {m("hk", "zh", 0.6)},
		"备案":                 {m("hk", "zh", 0.3), m("forum", "zh", 0.2)},
		"filing":             {m("hk", "en", 0.3)},
		"check why it fails": {m("hk", "en", 0.8)},
	}
	return f
}
