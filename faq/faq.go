// Package faq loads FAQ entries from Alibaba Cloud docs-format Markdown and
// matches questions against them.
//
// Answers are kept in a small Markdown subset that chat adapters render:
// paragraphs separated by blank lines, list items starting with "- ",
// **bold**, and links written [text](url) whose url is absolute.
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
