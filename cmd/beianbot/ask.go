package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/faq"
)

// maxQuery bounds one question; longer input is cut, not refused.
const maxQuery = 4096

// askOutput is one line of "ask --json", as the contract fixes it.
type askOutput struct {
	Query       string          `json:"query"`
	Answered    bool            `json:"answered"`
	ID          *string         `json:"id"`
	Question    *string         `json:"question"`
	Answer      *string         `json:"answer"`
	Score       float64         `json:"score"`
	Lang        string          `json:"lang"`
	Suggestions []askSuggestion `json:"suggestions"`
}

type askSuggestion struct {
	ID       string  `json:"id"`
	Question string  `json:"question"`
	Score    float64 `json:"score"`
}

// cmdAsk is "beianbot ask [--json] [--explain] [--faq PATHS] [QUERY...]".
func cmdAsk(ctx context.Context, args []string, cfg config, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object per answer")
	explain := fs.Bool("explain", false, "say why the best entries scored as they did, to mend a miss")
	faqPaths := fs.String("faq", "", "comma-separated FAQ files or folders (default $BEIANBOT_FAQ, else the embedded FAQ)")
	help, err := parseFlags(fs, args, "beianbot ask [--json] [--explain] [--faq PATHS] [QUERY...]",
		"Answers QUERY, or each line of standard input, with one line per question:\n"+
			"entry id, score, question and answer separated by tabs (\"-\" for the id when unsure).\n"+
			"With --explain, says for each question why the best entries scored as they did:\n"+
			"the decision and its thresholds, the clause taken as the question, the query's terms\n"+
			"and weights, and per entry its coverages, penalty and the terms matched in its\n"+
			"question, phrasings and answer (with --json: one object per question).", stdout)
	if help || err != nil {
		return err
	}
	ix, err := cfg.FAQ.load(splitList(*faqPaths))
	if err != nil {
		return err
	}
	ix = withTaught(ctx, cfg.Learn, ix, stderr)
	write := func(w io.Writer, ix *faq.Index, q string, asJSON bool) error {
		return writeAnswer(w, ix, q, asJSON, cfg.AnswerAt)
	}
	if *explain {
		write = func(w io.Writer, ix *faq.Index, q string, asJSON bool) error {
			return writeExplain(w, ix, q, asJSON, cfg)
		}
	}
	w := bufio.NewWriter(stdout)
	answer := func(q string) error {
		if err := write(w, ix, q, *asJSON); err != nil {
			return fmt.Errorf("write answer: %w", err)
		}
		return w.Flush()
	}
	if fs.NArg() > 0 {
		return answer(strings.Join(fs.Args(), " "))
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if err := answer(sc.Text()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read questions: %w", err)
	}
	return nil
}

// cleanQuery makes any input line safe to match and to echo: valid UTF-8,
// bounded length.
func cleanQuery(q string) string {
	q = strings.ToValidUTF8(q, "\uFFFD")
	if len(q) > maxQuery {
		q = q[:maxQuery]
		for !utf8.ValidString(q) {
			q = q[:len(q)-1]
		}
	}
	return q
}

func writeAnswer(w io.Writer, ix *faq.Index, q string, asJSON bool, answerAt float64) error {
	q = cleanQuery(q)
	r := bot.Decide(ix.Match(q), answerAt) // as a direct question in chat
	if asJSON {
		return json.NewEncoder(w).Encode(askJSON(q, r)) // one line, with its newline
	}
	if r.Answered {
		e := r.Best.Entry
		_, err := fmt.Fprintf(w, "%s\t%.2f\t%s\t%s\n", e.ID, r.Best.Score, oneLine(e.Question), oneLine(e.Answer))
		return err
	}
	if len(r.Suggestions) == 0 {
		_, err := fmt.Fprintf(w, "-\t%.2f\t(no answer)\t\n", r.Best.Score)
		return err
	}
	closest := make([]string, len(r.Suggestions))
	for i, s := range r.Suggestions {
		closest[i] = fmt.Sprintf("%s (%s, %.2f)", oneLine(s.Entry.Question), s.Entry.ID, s.Score)
	}
	_, err := fmt.Fprintf(w, "-\t%.2f\t(not sure)\tclosest: %s\n", r.Best.Score, strings.Join(closest, "; "))
	return err
}

// askJSON is the contract's object for query q answered with r.
func askJSON(q string, r faq.Result) askOutput {
	out := askOutput{Query: q, Answered: r.Answered, Score: round2(r.Best.Score), Lang: r.Lang, Suggestions: []askSuggestion{}}
	if r.Answered {
		e := r.Best.Entry
		out.ID, out.Question, out.Answer = &e.ID, &e.Question, &e.Answer
	}
	for _, s := range r.Suggestions {
		out.Suggestions = append(out.Suggestions, askSuggestion{s.Entry.ID, s.Entry.Question, round2(s.Score)})
	}
	return out
}

// oneLine folds every run of white space (new lines and tabs included)
// into one space, so that an answer fits its field of one output line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// cmdFAQ is "beianbot faq list|lint".
func cmdFAQ(args []string, cfg config, stdout io.Writer) error {
	if len(args) == 0 {
		return usagef("faq: want 'list' or 'lint [PATH...]'")
	}
	switch args[0] {
	case "list":
		if len(args) > 1 {
			return usagef("faq list takes no arguments")
		}
		ix, err := cfg.FAQ.load(nil)
		if err != nil {
			return err
		}
		w := bufio.NewWriter(stdout)
		for _, e := range ix.Entries() {
			fmt.Fprintf(w, "%s\t%s\t%s\n", e.ID, e.Lang, e.Question)
		}
		return w.Flush()
	case "lint":
		paths := args[1:]
		if len(paths) == 0 {
			paths = cfg.FAQ.Paths
		}
		if len(paths) == 0 {
			return usagef("faq lint: name FAQ files or folders (or set BEIANBOT_FAQ)")
		}
		probs, err := faq.Lint(paths, cfg.FAQ.Options.Lexicon)
		if err != nil {
			return usagef("faq lint: %v", err)
		}
		for _, p := range probs {
			fmt.Fprintln(stdout, p)
		}
		if len(probs) > 0 {
			return fmt.Errorf("faq lint: %d problem(s)", len(probs))
		}
		fmt.Fprintln(stdout, "ok")
		return nil
	}
	return usagef("faq: unknown subcommand %q; want 'list' or 'lint'", args[0])
}
