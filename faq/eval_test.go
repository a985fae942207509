package faq

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// evalCase is one labelled question: expect lists the acceptable entries
// (ids, or "FILE#HEADING" for headings without an anchor); empty means the
// question is out of scope.
type evalCase struct {
	Query  string
	Expect []string
}

func readEval(t testing.TB, path string) []evalCase {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no eval set: %v", err)
	}
	out, err := readEvalFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// readEvalFile reads a labelled set: JSON lines of a query and what it
// expects (an id, a list of ids, or null for out of scope).
func readEvalFile(path string) ([]evalCase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []evalCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var raw struct {
			Query  string          `json:"query"`
			Expect json.RawMessage `json:"expect"`
		}
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		c := evalCase{Query: raw.Query}
		var one string
		if string(raw.Expect) == "null" || len(raw.Expect) == 0 {
			// out of scope
		} else if json.Unmarshal(raw.Expect, &one) == nil {
			c.Expect = []string{one}
		} else if err := json.Unmarshal(raw.Expect, &c.Expect); err != nil {
			return nil, fmt.Errorf("%s: expect %s: %v", path, raw.Expect, err)
		}
		out = append(out, c)
	}
	return out, sc.Err()
}

// attrRe matches a heading's trailing attribute block.
var attrRe = regexp.MustCompile(`\s*\{[^}]*\}\s*$`)

// accepts reports whether entry e is one of the acceptable answers.
func accepts(expect []string, e *Entry) bool {
	if e == nil {
		return false
	}
	for _, x := range expect {
		if x == e.ID || slices.Contains(e.Sections, x) {
			return true
		}
		file, heading, ok := strings.Cut(x, "#")
		if !ok || path.Base(filepath.ToSlash(e.File)) != file {
			continue
		}
		heading = strings.TrimSpace(attrRe.ReplaceAllString(unescape(heading), ""))
		if heading == strings.TrimSpace(attrRe.ReplaceAllString(e.Question, "")) || slices.Contains(e.Sections, derivedID(file, heading)) {
			return true
		}
	}
	return false
}

// tally is how a matcher did on one set.
type tally struct {
	in, right, wrong, top1 int // in-scope questions
	out, declined          int // out-of-scope questions
}

func (a tally) String() string {
	pct := func(n, d int) string {
		if d == 0 {
			return "-"
		}
		return fmt.Sprintf("%d/%d (%.1f%%)", n, d, 100*float64(n)/float64(d))
	}
	return fmt.Sprintf("right %s, confidently wrong %s, best entry right %s, out-of-scope declined %s",
		pct(a.right, a.in), pct(a.wrong, a.in), pct(a.top1, a.in), pct(a.declined, a.out))
}

// score runs every case; with log set, it logs the misses.
func score(t testing.TB, ix *Index, cases []evalCase, log bool) tally {
	var a tally
	for _, c := range cases {
		r := ix.Match(c.Query)
		if len(c.Expect) > 0 {
			a.in++
			// The entry answered must be one the set accepts, or a copy of
			// one word for word (its question or its answer, as on the cn
			// and intl editions of a page): a topic that joined entries the
			// writers tell apart cannot make an answer right, and a copy the
			// writers did not list cannot make it wrong.
			ok := ix.acceptsCopy(c.Expect, r.Best.Entry)
			if ok {
				a.top1++
			}
			switch {
			case r.Answered && ok:
				a.right++
			case r.Answered:
				a.wrong++
				if log {
					t.Logf("WRONG %q want %v got %s %q %.2f", c.Query, c.Expect, r.Best.Entry.ID, r.Best.Entry.Question, r.Best.Score)
				}
			case log:
				t.Logf("MISS  %q want %v best %s %.2f", c.Query, c.Expect, idOf(r.Best.Entry), r.Best.Score)
			}
			continue
		}
		a.out++
		if !r.Answered {
			a.declined++
		} else if log {
			t.Logf("FALSE %q got %s %q %.2f", c.Query, r.Best.Entry.ID, r.Best.Entry.Question, r.Best.Score)
		}
	}
	return a
}

// acceptsCopy reports whether e is acceptable, or has the question or the
// answer of an acceptable entry, word for word.
func (ix *Index) acceptsCopy(expect []string, e *Entry) bool {
	if e == nil {
		return false
	}
	if accepts(expect, e) {
		return true
	}
	q, a := ix.copyKey(e.Question), textKey(e.Answer)
	for _, o := range ix.entries {
		if accepts(expect, o) && (len([]rune(q)) >= specificQuestion && ix.copyKey(o.Question) == q || len([]rune(a)) >= 20 && textKey(o.Answer) == a) {
			return true
		}
	}
	return false
}

// copyKey is a question as findTopics compares copies: without its
// numbering, folded, letters and digits only.
func (ix *Index) copyKey(q string) string { return textKey(ix.f.fold(withoutNumbering(q))) }

func idOf(e *Entry) string {
	if e == nil {
		return "-"
	}
	return e.ID
}

// evalFAQs are the FAQs the sets are asked of; each set names one.
var evalFAQs = map[string][]string{
	"corpus": {"../../shared/corpus/zh", "../../shared/corpus/en"},
	"large":  {"../../shared/faqs-large"},
}

// evalSets lists the labelled sets: the FAQ each is asked of ("" is the
// embedded seed FAQ) and its file.
var evalSets = []struct{ faq, file string }{
	{"", "../../shared/eval/dev.jsonl"},
	{"", "../../shared/eval/seed-dev-2.jsonl"},
	{"", "testdata/paraphrases.jsonl"},
	{"", "testdata/heldout_a.jsonl"},
	{"", "testdata/heldout_b.jsonl"},
	{"", "testdata/heldout_c.jsonl"},
	{"", "testdata/heldout_d.jsonl"},
	{"", "testdata/heldout_e.jsonl"},
	{"", "testdata/heldout_f.jsonl"},
	{"corpus", "../../shared/eval/corpus-dev.jsonl"},
	{"corpus", "testdata/corpus_a.jsonl"},
	{"corpus", "testdata/corpus_b.jsonl"},
	{"large", "testdata/large_a.jsonl"},
	{"", "testdata/heldout_g.jsonl"},
	{"corpus", "testdata/corpus_c.jsonl"},
	{"large", "testdata/large_b.jsonl"},
	{"", "testdata/heldout_h.jsonl"},
	{"corpus", "testdata/corpus_d.jsonl"},
	{"large", "testdata/large_c.jsonl"},
	{"", "testdata/heldout_i.jsonl"},
	{"corpus", "testdata/corpus_e.jsonl"},
	{"large", "testdata/large_d.jsonl"},
	{"", "testdata/heldout_j.jsonl"},
	{"corpus", "testdata/corpus_f.jsonl"},
	{"large", "testdata/large_e.jsonl"},
	{"", "testdata/heldout_k.jsonl"},
	{"corpus", "testdata/corpus_g.jsonl"},
	{"large", "testdata/large_f.jsonl"},
	{"", "testdata/heldout_l.jsonl"},
	{"corpus", "testdata/corpus_h.jsonl"},
	{"large", "testdata/large_g.jsonl"},
	{"", "testdata/heldout_m.jsonl"},
	{"corpus", "testdata/corpus_i.jsonl"},
	{"large", "testdata/large_h.jsonl"},
	{"", "testdata/heldout_n.jsonl"},
	{"corpus", "testdata/corpus_j.jsonl"},
	{"large", "testdata/large_i.jsonl"},
	{"", "testdata/heldout_o.jsonl"},
	{"corpus", "testdata/corpus_k.jsonl"},
	{"large", "testdata/large_j.jsonl"},
	{"", "testdata/heldout_p.jsonl"},
	{"corpus", "testdata/corpus_l.jsonl"},
	{"large", "testdata/large_k.jsonl"},
	{"", "testdata/heldout_q.jsonl"},
	{"corpus", "testdata/corpus_m.jsonl"},
	{"large", "testdata/large_l.jsonl"},
	{"", "testdata/heldout_r.jsonl"},
	{"corpus", "testdata/corpus_n.jsonl"},
	{"large", "testdata/large_m.jsonl"},
	{"", "testdata/heldout_s.jsonl"},
	{"corpus", "testdata/corpus_o.jsonl"},
	{"large", "testdata/large_n.jsonl"},
	{"", "testdata/heldout_t.jsonl"},
	{"corpus", "testdata/corpus_p.jsonl"},
	{"large", "testdata/large_o.jsonl"},
	{"", "testdata/heldout_u.jsonl"},
	{"corpus", "testdata/corpus_q.jsonl"},
	{"large", "testdata/large_p.jsonl"},
	{"", "testdata/heldout_v.jsonl"},
	{"corpus", "testdata/corpus_r.jsonl"},
	{"large", "testdata/large_q.jsonl"},
	{"", "testdata/heldout_w.jsonl"},
	{"corpus", "testdata/corpus_s.jsonl"},
	{"large", "testdata/large_r.jsonl"},
	{"", "testdata/heldout_x.jsonl"},
	{"corpus", "testdata/corpus_t.jsonl"},
	{"large", "testdata/large_s.jsonl"},
	{"", "testdata/heldout_y.jsonl"},
	{"corpus", "testdata/corpus_u.jsonl"},
	{"large", "testdata/large_t.jsonl"},
	{"", "testdata/heldout_z.jsonl"},
	{"corpus", "testdata/corpus_v.jsonl"},
	{"large", "testdata/large_u.jsonl"},
	{"", "testdata/heldout_aa.jsonl"},
	{"", "testdata/heldout_ab.jsonl"},
	{"", "testdata/heldout_ac.jsonl"},
	{"corpus", "testdata/corpus_w.jsonl"},
	{"large", "testdata/large_v.jsonl"},
	{"", "testdata/heldout_ad.jsonl"},
	{"corpus", "testdata/corpus_x.jsonl"},
	{"large", "testdata/large_w.jsonl"},
	{"", "testdata/heldout_ae.jsonl"},
	{"corpus", "testdata/corpus_y.jsonl"},
	{"large", "testdata/large_x.jsonl"},
	{"", "testdata/heldout_af.jsonl"},
	{"corpus", "testdata/corpus_z.jsonl"},
	{"large", "testdata/large_y.jsonl"},
}

// evalCache keeps the FAQs the tests load, which take a second each for
// the larger ones; tests must not change what they get.
var evalCache = struct {
	sync.Mutex
	m map[string]*Index
}{m: map[string]*Index{}}

func loadEval(t testing.TB, name string, opts Options) *Index {
	t.Helper()
	key := fmt.Sprint(name, opts.NoPhrasings)
	evalCache.Lock()
	defer evalCache.Unlock()
	if ix := evalCache.m[key]; ix != nil && len(opts.Lexicon) == 0 && opts.Phrasings == nil {
		return ix
	}
	ix := loadEvalUncached(t, name, opts)
	if len(opts.Lexicon) == 0 && opts.Phrasings == nil {
		evalCache.m[key] = ix
	}
	return ix
}

func loadEvalUncached(t testing.TB, name string, opts Options) *Index {
	t.Helper()
	if name == "" {
		ix, err := LoadEmbedded(opts)
		if err != nil {
			t.Fatal(err)
		}
		return ix
	}
	for _, p := range evalFAQs[name] {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("no %s FAQ: %v", name, err)
		}
	}
	ix, err := Load(evalFAQs[name], opts)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// TestEvalReport prints the figures of every labelled set, with and
// without phrasings (EVAL=1; EVAL=misses also logs each miss; EVAL_SET
// picks sets whose file name contains it).
func TestEvalReport(t *testing.T) {
	mode := os.Getenv("EVAL")
	if mode == "" {
		t.Skip("set EVAL=1 (or EVAL=misses)")
	}
	only := os.Getenv("EVAL_SET")
	cache := map[string]*Index{}
	for _, noPhr := range []bool{false, true} {
		for _, s := range evalSets {
			if only != "" && !strings.Contains(s.file, only) {
				continue
			}
			if _, err := os.Stat(s.file); err != nil {
				continue
			}
			key := fmt.Sprint(s.faq, noPhr)
			if cache[key] == nil {
				cache[key] = loadEval(t, s.faq, Options{NoPhrasings: noPhr})
			}
			a := score(t, cache[key], readEval(t, s.file), mode == "misses" && !noPhr)
			t.Logf("%-36s phrasings=%-5v %s", s.file, !noPhr, a)
		}
	}
	if only != "" && !strings.Contains("alone", only) {
		return
	}
	if _, err := os.Stat(evalFAQs["large"][0]); err != nil {
		return
	}
	products, err := productFAQs()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range products {
		t.Logf("%-36s phrasings=%-5v %s", "alone/"+p.name+"/own", true, score(t, p.ix, p.own, false))
		t.Logf("%-36s phrasings=%-5v %s", "alone/"+p.name+"/others", true, score(t, p.ix, p.others, false))
	}
}

// TestEvalSetsNameLoadedEntries checks the labelled sets themselves: the
// acceptable answers they list are entries of the FAQ they are asked of, so
// a renamed id or a lost heading cannot make a figure quietly wrong. A few
// labels name what the loader deliberately does not make an entry (a page
// that only introduces its subject, listed beside the entries that answer):
// more than 5% of labels missing fails, and so does more than 3% of the
// questions having no label that names an entry.
func TestEvalSetsNameLoadedEntries(t *testing.T) {
	for _, s := range evalSets {
		if _, err := os.Stat(s.file); err != nil {
			continue
		}
		t.Run(s.file, func(t *testing.T) {
			ix := loadEval(t, s.faq, Options{})
			cases := readEval(t, s.file)
			var labels, missing, questions, unanswerable int
			for _, c := range cases {
				if len(c.Expect) > 0 {
					questions++
				}
				m := 0
				for _, x := range c.Expect {
					labels++
					if !slices.ContainsFunc(ix.Entries(), func(e *Entry) bool { return accepts([]string{x}, e) }) {
						m++
						t.Logf("%q expects %q, which the FAQ does not have", c.Query, x)
					}
				}
				missing += m
				if m > 0 && m == len(c.Expect) {
					unanswerable++
				}
			}
			if labels == 0 {
				t.Fatalf("%s: no labelled questions", s.file)
			}
			if float64(missing) > 0.05*float64(labels) {
				t.Errorf("%d of %d labels name no loaded entry", missing, labels)
			}
			if float64(unanswerable) > 0.03*float64(questions) {
				t.Errorf("%d of %d questions have no label that names a loaded entry", unanswerable, questions)
			}
		})
	}
}
