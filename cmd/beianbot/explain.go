package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/faq"
)

// matcherAnswerAt is the score from which the matcher itself answers (when
// the best topic also stands clear of the next); below it a score only
// suggests.
const matcherAnswerAt = 0.5

// explainOutput is one line of "ask --explain --json": a faq.Explanation
// with snake_case names, and the thresholds it was judged against.
type explainOutput struct {
	Query string `json:"query"`
	// Result is what "ask --json" prints for the query.
	Result          askOutput     `json:"result"`
	AnswerAt        float64       `json:"answer_at"`
	ChannelAnswerAt float64       `json:"channel_answer_at"`
	Clauses         []string      `json:"clauses"`
	Asking          int           `json:"asking"`
	Readings        []explainRead `json:"readings"`
	// OwnSense lists the words the FAQ uses in a sense of its own, read as
	// written rather than through the lexicon.
	OwnSense []string `json:"own_sense"`
	// UnknownAttribute is set when the query asks a price of an FAQ that
	// has no word of one.
	UnknownAttribute bool           `json:"unknown_attribute"`
	Terms            []explainTerm  `json:"terms"`
	Entries          []explainEntry `json:"entries"`
	// Close is set when the best topic scored high enough but the next
	// scored close to it; Contrast then tells them apart from ContrastLead,
	// and Reranked says the best was put above a topic scoring higher.
	Close        bool    `json:"close"`
	Contrast     float64 `json:"contrast"`
	ContrastLead float64 `json:"contrast_lead"`
	Reranked     bool    `json:"reranked"`
	// NearCopies is set when the close call was answered because the two
	// best ask nearly one question (their questions' and answers' cosine
	// similarities, near_question and near_answer).
	NearCopies   bool    `json:"near_copies"`
	NearQuestion float64 `json:"near_question"`
	NearAnswer   float64 `json:"near_answer"`
}

// explainRead is a word of the query read as another: a typo, pinyin, a
// character of the same sound.
type explainRead struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type explainTerm struct {
	Term   string  `json:"term"`
	Weight float64 `json:"weight"`
	Known  bool    `json:"known"`
}

type explainEntry struct {
	ID            string   `json:"id"`
	Lang          string   `json:"lang"`
	Question      string   `json:"question"`
	Score         float64  `json:"score"`
	Raw           float64  `json:"raw"`
	RankBonus     float64  `json:"rank_bonus"`
	Span          string   `json:"span"`
	QueryCoverage float64  `json:"query_coverage"`
	EntryCoverage float64  `json:"entry_coverage"`
	Penalty       float64  `json:"penalty"`
	InQuestion    []string `json:"in_question"`
	InPhrasings   []string `json:"in_phrasings"`
	InAnswer      []string `json:"in_answer"`
}

// writeExplain writes why ix answers q as it does: one JSON object on one
// line, or a text report for the FAQ's owner that ends with a blank line.
func writeExplain(w io.Writer, ix *faq.Index, q string, asJSON bool, cfg config) error {
	q = cleanQuery(q)
	ex := ix.Explain(q)
	if asJSON {
		b, err := json.Marshal(explainJSON(q, ex, cfg))
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	var b strings.Builder
	renderExplain(&b, q, ex, cfg)
	_, err := io.WriteString(w, b.String())
	return err
}

func explainJSON(q string, ex faq.Explanation, cfg config) explainOutput {
	out := explainOutput{Query: q, Result: askJSON(q, bot.Decide(ex.Result, cfg.AnswerAt)),
		AnswerAt: cfg.AnswerAt, ChannelAnswerAt: cfg.ChannelAnswerAt,
		Clauses: nonNil(ex.Clauses), Asking: ex.Asking, OwnSense: nonNil(ex.OwnSense), UnknownAttribute: ex.UnknownAttribute,
		Readings: []explainRead{}, Terms: []explainTerm{}, Entries: []explainEntry{},
		Close: ex.Close, Contrast: round3(ex.Contrast), ContrastLead: ex.ContrastLead, Reranked: ex.Reranked,
		NearCopies: ex.NearCopies, NearQuestion: round3(ex.NearQuestion), NearAnswer: round3(ex.NearAnswer)}
	for _, r := range ex.Readings {
		out.Readings = append(out.Readings, explainRead{r.From, r.To})
	}
	for _, t := range ex.Terms {
		out.Terms = append(out.Terms, explainTerm{t.Term, round3(t.Weight), t.Known})
	}
	for _, e := range ex.Entries {
		out.Entries = append(out.Entries, explainEntry{
			ID: e.ID, Lang: e.Lang, Question: e.Question,
			Score: round3(e.Score), Raw: round3(e.Raw), RankBonus: round3(e.RankBonus), Span: e.Span,
			QueryCoverage: round3(e.QueryCoverage), EntryCoverage: round3(e.EntryCoverage),
			Penalty:    round3(e.Penalty),
			InQuestion: nonNil(e.InQuestion), InPhrasings: nonNil(e.InPhrasings), InAnswer: nonNil(e.InAnswer),
		})
	}
	return out
}

// renderExplain writes the text report: the decision, the clauses, the
// terms and their weights, then the best entries.
func renderExplain(b *strings.Builder, q string, ex faq.Explanation, cfg config) {
	r := ex.Result
	fmt.Fprintf(b, "query: %s\n", oneLine(q))
	renderDecision(b, ex, cfg)

	switch {
	case len(ex.Clauses) == 0:
		b.WriteString("clauses: none (nothing to match)\n")
	case len(ex.Clauses) == 1 || ex.Asking < 0:
		b.WriteString("clauses: one; the whole query is the question\n")
	default:
		b.WriteString("clauses (> the one taken as the question):\n")
		for i, c := range ex.Clauses {
			mark := " "
			if i == ex.Asking {
				mark = ">"
			}
			fmt.Fprintf(b, "  %s %d. %s\n", mark, i+1, oneLine(c))
		}
	}

	if len(ex.Readings) > 0 {
		var items []string
		for _, r := range ex.Readings {
			items = append(items, r.From+" → "+r.To)
		}
		b.WriteString("read as (typos, pinyin, characters of the same sound):\n")
		wrapItems(b, items)
	}
	if len(ex.OwnSense) > 0 {
		b.WriteString("read as written, for this FAQ's own entries use them so (not as the lexicon's concept):\n")
		wrapItems(b, ex.OwnSense)
	}
	if ex.UnknownAttribute {
		b.WriteString("asks a price, and this FAQ has no word of one: every entry scores less\n")
	}

	var known, unknown []string
	for _, t := range ex.Terms {
		item := fmt.Sprintf("%s %.2f", t.Term, t.Weight)
		if t.Known {
			known = append(known, item)
		} else {
			unknown = append(unknown, item)
		}
	}
	switch {
	case len(ex.Terms) == 0:
		b.WriteString("terms: none\n")
	case len(known) == 0:
		b.WriteString("terms the FAQ has: none\n")
	default:
		b.WriteString("terms the FAQ has, with their weights (the heavier, the more an entry gains by having it):\n")
		wrapItems(b, known)
	}
	if len(unknown) > 0 {
		b.WriteString("terms no entry has: each counts against every entry alike, so no entry explains the whole\n" +
			"query; a phrasing, or answer text, that has the word fixes that for its entry:\n")
		wrapItems(b, unknown)
	}

	if len(ex.Entries) == 0 {
		b.WriteString("entries: none scored above zero\n")
	} else {
		b.WriteString("entries (best first):\n")
		penalised := false
		for i, e := range ex.Entries {
			penalised = penalised || e.Penalty < 1
			mark := ""
			if r.Best.Entry != nil && e.ID == r.Best.Entry.ID && e.Lang == r.Best.Entry.Lang {
				mark = "  <- best"
			}
			fmt.Fprintf(b, "  %d. %s (%s) score %.2f, raw %.3f, rank bonus %+.2f%s\n", i+1, e.ID, e.Lang, e.Score, e.Raw, e.RankBonus, mark)
			fmt.Fprintf(b, "     %s\n", oneLine(e.Question))
			fmt.Fprintf(b, "     scored on: %s; query coverage %.2f, entry coverage %.2f, penalty %s\n",
				spanName(e.Span), e.QueryCoverage, e.EntryCoverage, penaltyText(e.Penalty))
			fmt.Fprintf(b, "     in question: %s\n", termList(e.InQuestion))
			fmt.Fprintf(b, "     in phrasings: %s\n", termList(e.InPhrasings))
			fmt.Fprintf(b, "     in answer: %s\n", termList(e.InAnswer))
		}
		if penalised {
			b.WriteString("  (a penalty is the factor that lowered an entry's score: the query names no distinctive\n" +
				"  word of its question, or no subject word of the FAQ, or shares with its question only\n" +
				"  what is asked (a price) and not what of, or only a part of the query scored)\n")
		}
		b.WriteString("  (entries are in the matcher's order: the log of raw plus the rank bonus, for the share\n" +
			"  of the query the question and the whole answer say, less a little for a clause alone)\n")
	}
	b.WriteString("\n")
}

// renderDecision says what the bot does with the query and why.
func renderDecision(b *strings.Builder, ex faq.Explanation, cfg config) {
	r := ex.Result
	switch {
	case r.Answered:
		e := r.Best.Entry
		fmt.Fprintf(b, "decision: answered with %s (%s), score %.2f\n", e.ID, e.Lang, r.Best.Score)
		fmt.Fprintf(b, "  %s\n", oneLine(e.Question))
		switch {
		case ex.Close && ex.NearCopies:
			fmt.Fprintf(b, "  another topic scores close to it, but the two ask nearly one question (their questions'\n"+
				"  cosine %.2f, their answers' %.2f): either answers it, and this one scores higher\n", ex.NearQuestion, ex.NearAnswer)
		case ex.Close:
			how := "close to it"
			if ex.Reranked {
				how = "a little higher"
			}
			fmt.Fprintf(b, "  another topic scores %s, but %.0f%% of the query is in words only this entry has\n"+
				"  (net of the other's; from %.0f%% that tells them apart)\n", how, 100*ex.Contrast, 100*ex.ContrastLead)
		}
		if e.Lang != r.Lang {
			fmt.Fprintf(b, "  the query is in %s but the entry has no %s copy: the answer is in %s\n", r.Lang, r.Lang, e.Lang)
		}
	case r.Best.Entry == nil:
		b.WriteString("decision: not answered: no entry scored above zero\n")
	case len(ex.Entries) > 0 && ex.Entries[0].Score >= matcherAnswerAt:
		fmt.Fprintf(b, "decision: not answered: the best entry scores %.2f, but another topic scores too close\n"+
			"  to it to tell them apart, so the score is held at %.2f\n", ex.Entries[0].Score, r.Best.Score)
		if ex.Close {
			fmt.Fprintf(b, "  words only it has are %.0f%% of the query, net of the other's; %.0f%% would tell them apart\n",
				100*ex.Contrast, 100*ex.ContrastLead)
			near := fmt.Sprintf("questions' cosine %.2f, from %.2f", ex.NearQuestion, ex.NearQuestionAt)
			if ex.NearQuestion >= ex.NearQuestionAt {
				near = fmt.Sprintf("answers' cosine %.2f, from %.2f", ex.NearAnswer, ex.NearAnswerAt)
			}
			fmt.Fprintf(b, "  nor are the two near copies, either of which would answer: %s\n", near)
		}
	default:
		fmt.Fprintf(b, "decision: not answered: the best score %.2f is below %.2f, where the matcher answers\n",
			r.Best.Score, matcherAnswerAt)
	}
	if !r.Answered && len(r.Suggestions) > 0 {
		ids := make([]string, len(r.Suggestions))
		for i, s := range r.Suggestions {
			ids[i] = fmt.Sprintf("%s (%.2f)", s.Entry.ID, s.Score)
		}
		fmt.Fprintf(b, "  suggested instead: %s\n", strings.Join(ids, ", "))
	}
	direct := r.Best.Entry != nil && r.Best.Score >= cfg.AnswerAt
	channel := r.Best.Entry != nil && r.Best.Score >= max(cfg.AnswerAt, cfg.ChannelAnswerAt)
	verdict := "answered"
	if !direct {
		verdict = "not answered"
	}
	fmt.Fprintf(b, "  in chat: a direct question or mention is answered from %.2f (BEIANBOT_ANSWER_AT): %s;\n",
		cfg.AnswerAt, verdict)
	verdict = "answered"
	if !channel {
		verdict = "not answered"
	}
	fmt.Fprintf(b, "  a channel message not addressed to the bot from %.2f (BEIANBOT_CHANNEL_ANSWER_AT): %s\n",
		max(cfg.AnswerAt, cfg.ChannelAnswerAt), verdict)
}

// spanName says in words which part of the query an entry scored on.
func spanName(span string) string {
	if span == "whole" {
		return "the whole query"
	}
	return "the " + span
}

func penaltyText(p float64) string {
	if p >= 1 {
		return "none"
	}
	return fmt.Sprintf("x%.2f", p)
}

// wrapItems writes items separated by two spaces on lines indented by four
// and about 80 columns wide (a Han character takes two).
func wrapItems(b *strings.Builder, items []string) {
	const width = 80
	col := 0
	for _, it := range items {
		w := displayWidth(it)
		if col > 0 && col+2+w > width {
			b.WriteString("\n")
			col = 0
		}
		if col == 0 {
			b.WriteString("    ")
			col = 4
		} else {
			b.WriteString("  ")
			col += 2
		}
		b.WriteString(it)
		col += w
	}
	b.WriteString("\n")
}

// displayWidth is how many terminal columns s takes, East Asian wide
// characters counting two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x1100 && (r <= 0x115f || r >= 0x2e80 && r <= 0xa4cf || r >= 0xac00 && r <= 0xd7a3 ||
			r >= 0xf900 && r <= 0xfaff || r >= 0xfe30 && r <= 0xfe4f || r >= 0xff00 && r <= 0xff60 || r >= 0xffe0 && r <= 0xffe6) {
			n++
		}
	}
	return n
}

func termList(ts []string) string {
	if len(ts) == 0 {
		return "-"
	}
	return strings.Join(ts, " ")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }
