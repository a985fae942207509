// Package faq loads FAQ entries from Alibaba Cloud docs-format Markdown and
// matches questions against them.
//
// Answers are kept in a small Markdown subset that chat adapters render:
// paragraphs separated by blank lines, list items starting with "- ",
// **bold**, and links written [text](url) whose url is absolute.
//
// An entry may carry other ways of asking it, and the domain-check verdicts
// it explains, in an HTML comment under its heading, which docs renderers
// do not show:
//
//	## 香港服务器需要备案吗？ {#section_hk .section}
//
//	<!-- beianbot
//	ask: 服务器在香港要备案吗 | does a Hong Kong server need filing
//	verdict: outside_mainland
//	-->
//
// Lexicon files (Options.Lexicon) extend the embedded lexicon, line by line:
//
//	# comment
//	[synonyms]
//	香港 = hong kong, hongkong, hk, 港区
//	[stop]
//	请问, 你好, please
//	[subject]
//	备案, 访问
//	[modifier]
//	当日, 期间
//	[attribute]
//	费用
//	[phrasings]
//	section_hk = 香港服务器要备案吗 | do I need a filing for a Hong Kong server
//
// Synonyms map the ways people say a thing onto one canonical form (true
// synonyms only: a large FAQ tells related things apart); stop words are
// ignored; subject words name what the FAQ is about, beside those found in
// its questions; modifiers only qualify a question; attributes are what a
// question asks of the thing it names (its price), which questions about
// different things share; phrasings are extra ways to ask an entry, for
// FAQs whose files the team cannot edit.
// Variants are compared after folding (width, case, traditional
// characters) and, for English, word stemming. A later file adds to an
// earlier one and may map a variant anew; within one file, two variants
// that read alike ("run" and "running", stemmed) must map to one canonical
// form, or the file is refused with both lines named.
package faq

// Entry is one question and its answer in one language.
type Entry struct {
	// ID is the section anchor from the source file, e.g. "section_bym_mzr_zdb".
	ID string
	// Lang is "zh" or "en".
	Lang string
	// Question is the entry's heading.
	Question string
	// Answer is the answer in the Markdown subset described in the package doc.
	Answer string
	// Title is the heading of the page the entry comes from.
	Title string
	// File and Line say where the entry's heading is.
	File string
	Line int
	// Phrasings are other ways of asking this entry that the FAQ itself
	// carries (see the package doc), in the entry's language.
	Phrasings []string
	// Verdicts are the domain-check verdicts ("ip_address", "outside_mainland",
	// …) the FAQ declares this entry explains.
	Verdicts []string
	// Sections are the anchors of the headings that are parts of this
	// entry's answer (操作步骤 {#section_x}, Procedure {#section_y}); a part
	// without an anchor is named as an unanchored question would be.
	Sections []string
	// evidence is the answer text the matcher reads when it is not Answer:
	// a page entry's introduction without the list of the questions it holds,
	// which are entries of their own (see parseFile).
	evidence *string
}

// answerText is the text of e's answer that counts as evidence for it.
func (e *Entry) answerText() string {
	if e.evidence != nil {
		return *e.evidence
	}
	return e.Answer
}

// Lang reports the language of s as the matcher sees it: "zh" when s has Han
// characters, "en" otherwise.
func Lang(s string) string { return langOf(s) }

// Match is one candidate entry with its calibrated score in [0, 1].
type Match struct {
	Entry *Entry
	Score float64
}

// Result is the outcome of matching one query.
type Result struct {
	// Query is the query as given.
	Query string
	// Lang is the language the query is written in: "zh" or "en".
	Lang string
	// Answered is true when the best match is confident enough to answer.
	Answered bool
	// Best is the best match; Best.Entry is nil when nothing matched at all.
	Best Match
	// Suggestions are up to three close entries, best first, when not answered.
	Suggestions []Match
}
