// Command blevecmp is a baseline for timing and checking beianbot's own FAQ
// matcher against the bleve full-text search library.
//
// It loads the same FAQ entries as beianbot (the embedded FAQ, or --faq
// PATHS) through package faq, indexes each entry's question and answer in an
// in-memory bleve index with bleve's CJK analyzer, and then answers one query
// per stdin line with one JSON line, flushed per line, like
// "beianbot ask --json":
//
//	{"query": "...", "answered": true, "id": "section_...", "score": 1.93}
//
// With --eval FILE,... it instead reads labelled JSONL files
// ({"query": "...", "expect": "section_...", a list of such ids, or null})
// and prints how often
// bleve's and faq's top hits equal the expected ids.
//
// It lives in its own module so that bleve never becomes a dependency of
// beianbot itself.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/beianbot/beianbot/faq"
)

// maxQuery bounds one query line, as beianbot does.
const maxQuery = 2000

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "blevecmp:", err)
		os.Exit(1)
	}
}

// run parses the flags, loads the FAQ, indexes it in bleve, and either
// answers stdin or evaluates the labelled files.
func run(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("blevecmp", flag.ContinueOnError)
	faqPaths := fs.String("faq", "", "comma-separated FAQ files or folders (default: the embedded FAQ)")
	engine := fs.String("engine", "upsidedown", "bleve in-memory index type: upsidedown (bleve.NewMemOnly) or scorch")
	minScore := fs.Float64("min-score", 0.1, "bleve score a top hit needs to count as answered (scores depend on the FAQ's size)")
	eval := fs.String("eval", "", "comma-separated labelled JSONL files: print accuracy instead of answering stdin")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q; queries are read from stdin", fs.Args())
	}
	ix, err := loadFAQ(splitList(*faqPaths))
	if err != nil {
		return err
	}
	s, err := newSearcher(ix.Entries(), *engine)
	if err != nil {
		return err
	}
	defer s.close()
	if *eval != "" {
		return evaluate(stdout, splitList(*eval), s, ix, *minScore)
	}
	return answerAll(stdin, stdout, s, *minScore)
}

// loadFAQ loads the FAQ the way beianbot does without environment settings.
func loadFAQ(paths []string) (*faq.Index, error) {
	if len(paths) == 0 {
		ix, err := faq.LoadEmbedded(faq.Options{})
		if err != nil {
			return nil, fmt.Errorf("load embedded faq: %w", err)
		}
		return ix, nil
	}
	return faq.Load(paths, faq.Options{})
}

// searcher is a bleve index over FAQ entries.
type searcher struct {
	idx     bleve.Index
	entries []*faq.Entry
}

// hit is the top bleve hit for a query; entry is nil when nothing matched.
type hit struct {
	entry *faq.Entry
	score float64
}

// newSearcher indexes every entry's question and answer with the CJK
// analyzer in an in-memory index of the given type.
func newSearcher(entries []*faq.Entry, engine string) (*searcher, error) {
	text := bleve.NewTextFieldMapping()
	text.Analyzer = cjk.AnalyzerName
	text.Store = false
	text.IncludeInAll = false
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("question", text)
	doc.AddFieldMappingsAt("answer", text)
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = cjk.AnalyzerName
	m.DefaultMapping = doc

	var idx bleve.Index
	var err error
	switch engine {
	case "upsidedown":
		idx, err = bleve.NewMemOnly(m)
	case "scorch":
		// An empty path gives scorch's in-memory mode: no persister, no merger.
		idx, err = bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	default:
		return nil, fmt.Errorf("unknown engine %q: want upsidedown or scorch", engine)
	}
	if err != nil {
		return nil, fmt.Errorf("create bleve index: %w", err)
	}
	b := idx.NewBatch()
	for i, e := range entries {
		if err := b.Index(strconv.Itoa(i), map[string]any{"question": e.Question, "answer": e.Answer}); err != nil {
			idx.Close()
			return nil, fmt.Errorf("index entry %s: %w", e.ID, err)
		}
	}
	if err := idx.Batch(b); err != nil {
		idx.Close()
		return nil, fmt.Errorf("index faq: %w", err)
	}
	return &searcher{idx: idx, entries: entries}, nil
}

func (s *searcher) close() { s.idx.Close() }

// top returns the best hit for q: a match on the question (boosted twice)
// or on the answer.
func (s *searcher) top(ctx context.Context, q string) (hit, error) {
	qq := bleve.NewMatchQuery(q)
	qq.SetField("question")
	qq.SetBoost(2)
	qa := bleve.NewMatchQuery(q)
	qa.SetField("answer")
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery([]query.Query{qq, qa}...), 1, 0, false)
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil {
		return hit{}, fmt.Errorf("search %q: %w", q, err)
	}
	if len(res.Hits) == 0 {
		return hit{}, nil
	}
	i, err := strconv.Atoi(res.Hits[0].ID)
	if err != nil || i < 0 || i >= len(s.entries) {
		return hit{}, fmt.Errorf("search %q: unknown document %q", q, res.Hits[0].ID)
	}
	return hit{entry: s.entries[i], score: res.Hits[0].Score}, nil
}

// output is one line of output, shaped like beianbot's "ask --json".
type output struct {
	Query    string  `json:"query"`
	Answered bool    `json:"answered"`
	ID       *string `json:"id"`
	Score    float64 `json:"score"`
}

// answerAll answers each stdin line with one JSON line, flushed per line.
func answerAll(stdin io.Reader, stdout io.Writer, s *searcher, minScore float64) error {
	ctx := context.Background()
	w := bufio.NewWriter(stdout)
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		q := cleanQuery(sc.Text())
		h, err := s.top(ctx, q)
		if err != nil {
			return err
		}
		out := output{Query: q, Score: h.score}
		if h.entry != nil && h.score >= minScore {
			out.Answered, out.ID = true, &h.entry.ID
		}
		b, err := json.Marshal(out)
		if err != nil {
			return fmt.Errorf("encode answer: %w", err)
		}
		b = append(b, '\n')
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("write answer: %w", err)
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("write answer: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read queries: %w", err)
	}
	return nil
}

// cleanQuery makes a line valid UTF-8 of bounded length.
func cleanQuery(q string) string {
	q = strings.ToValidUTF8(q, "\uFFFD")
	if len(q) > maxQuery {
		q = strings.ToValidUTF8(q[:maxQuery], "")
	}
	return q
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
