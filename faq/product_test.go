package faq

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// productFAQ is one product's pages of the five-product FAQ, loaded alone:
// the FAQ of a team that runs one product, of a size between the seed and
// the docs corpus. own holds the labelled questions of the five-product sets
// that this product's pages answer; others the questions that only other
// products' pages answer, asked of it as out of scope: near misses of its
// own domain (hosting, CDN, storage) that no question writer could think of
// for one FAQ alone.
type productFAQ struct {
	name        string
	ix          *Index
	own, others []evalCase
}

// productFAQs splits the five-product FAQ by the product its file names
// begin with (cdn__…), once.
var productFAQs = sync.OnceValues(func() ([]productFAQ, error) {
	dir := evalFAQs["large"][0]
	files, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no five-product FAQ in %s", dir)
	}
	whole, err := Load(evalFAQs["large"], Options{})
	if err != nil {
		return nil, err
	}
	var cases []evalCase
	for _, s := range evalSets {
		if s.faq == "large" {
			cs, err := readEvalFile(s.file)
			if err != nil {
				return nil, err
			}
			cases = append(cases, cs...)
		}
	}
	// The copy keys of every entry, worked out once.
	qk, ak := make([]string, len(whole.Entries())), make([]string, len(whole.Entries()))
	for i, e := range whole.Entries() {
		qk[i], ak[i] = "q"+whole.copyKey(e.Question), "a"+textKey(e.Answer)
	}
	accepted := acceptedBy(whole)
	byProduct := map[string][]string{}
	for _, f := range files {
		if p, _, ok := strings.Cut(filepath.Base(f), "__"); ok {
			byProduct[p] = append(byProduct[p], f)
		}
	}
	var out []productFAQ
	for _, name := range slices.Sorted(maps.Keys(byProduct)) {
		ix, err := Load(byProduct[name], Options{})
		if err != nil {
			return nil, err
		}
		// A question is this product's when an entry it accepts is here,
		// or a copy of one (the same question or answer on another page).
		here := map[string]bool{}
		for _, e := range ix.Entries() {
			here["q"+whole.copyKey(e.Question)], here["a"+textKey(e.Answer)] = true, true
		}
		p := productFAQ{name: name, ix: ix}
		for _, c := range cases {
			if len(c.Expect) == 0 {
				p.own = append(p.own, c) // out of scope of all five
				continue
			}
			n, in := 0, 0
			for _, i := range accepted(c.Expect) {
				n++
				if ix.Has(whole.Entries()[i].ID) || here[qk[i]] || here[ak[i]] {
					in++
				}
			}
			switch {
			case in == 0:
				p.others = append(p.others, evalCase{Query: c.Query})
			case in == n:
				p.own = append(p.own, c)
			}
			// Questions some of whose answers are here and some elsewhere
			// are left out: both counts would be unfair to them.
		}
		out = append(out, p)
	}
	return out, nil
})

// acceptedBy returns what lists the entries of ix that accepts takes for
// an expect list, by index rather than by a scan of every entry.
func acceptedBy(ix *Index) func(expect []string) []int {
	byKey := map[string][]int{}
	for i, e := range ix.Entries() {
		byKey[e.ID] = append(byKey[e.ID], i)
		for _, sec := range e.Sections {
			byKey[sec] = append(byKey[sec], i)
		}
		h := path.Base(filepath.ToSlash(e.File)) + "#" + strings.TrimSpace(attrRe.ReplaceAllString(e.Question, ""))
		byKey[h] = append(byKey[h], i)
	}
	return func(expect []string) []int {
		var out []int
		for _, x := range expect {
			out = append(out, byKey[x]...)
			if file, heading, ok := strings.Cut(x, "#"); ok {
				heading = strings.TrimSpace(attrRe.ReplaceAllString(unescape(heading), ""))
				out = append(out, byKey[file+"#"+heading]...)
				out = append(out, byKey[derivedID(file, heading)]...)
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
}

// TestOneProductAlone checks what a team loading one product's FAQ pages
// gets: its own questions answered about as well as in the five-product
// FAQ, and the neighbouring products' questions declined. The floors are
// a little under the figures first measured (README); a question of
// another product that this product's pages do answer in other words
// counts as a false answer, so the declined figures are low bounds.
func TestOneProductAlone(t *testing.T) {
	if _, err := os.Stat(evalFAQs["large"][0]); err != nil {
		t.Skip("no five-product FAQ")
	}
	products, err := productFAQs()
	if err != nil {
		t.Fatal(err)
	}
	floors := map[string]struct{ right, wrong, declined, othersDeclined float64 }{
		"cdn": {0.57, 0.035, 0.96, 0.95},
		"dns": {0.53, 0.045, 0.98, 0.96},
		"ecs": {0.54, 0.045, 0.96, 0.91},
		"oss": {0.65, 0.035, 0.97, 0.97},
		"slb": {0.48, 0.065, 0.97, 0.93},
	}
	if len(products) != len(floors) {
		t.Fatalf("%d products, want %d", len(products), len(floors))
	}
	for _, p := range products {
		t.Run(p.name, func(t *testing.T) {
			f, ok := floors[p.name]
			if !ok {
				t.Fatalf("no floors for %s", p.name)
			}
			own, others := score(t, p.ix, p.own, false), score(t, p.ix, p.others, false)
			t.Logf("%d entries; own questions: %s; others' questions: %s", len(p.ix.Entries()), own, others)
			in, out := float64(max(own.in, 1)), float64(max(own.out, 1))
			if own.in < 100 || others.out < 1000 {
				t.Fatalf("%d own questions and %d of others: the split went wrong", own.in, others.out)
			}
			if got := float64(own.right) / in; got < f.right {
				t.Errorf("right %.3f, want >= %.2f", got, f.right)
			}
			if got := float64(own.wrong) / in; got > f.wrong {
				t.Errorf("wrong %.3f, want <= %.3f", got, f.wrong)
			}
			if got := float64(own.declined) / out; got < f.declined {
				t.Errorf("out of scope declined %.3f, want >= %.2f", got, f.declined)
			}
			if got := float64(others.declined) / float64(others.out); got < f.othersDeclined {
				t.Errorf("others' questions declined %.3f, want >= %.2f", got, f.othersDeclined)
			}
			// Its headings asked as written, as of the whole FAQ.
			if ok, n, misses := headingsAnswered(p.ix); float64(ok) < 0.97*float64(n) {
				t.Errorf("%d/%d headings answered with their own topic, want >= 97%%; misses: %q", ok, n, misses)
			} else {
				t.Logf("%d/%d headings answered with their own topic", ok, n)
			}
		})
	}
}

// TestAcceptedBy checks that acceptedBy finds the entries accepts takes,
// for a sample of the five-product sets' questions (a scan of every entry
// for each is what it saves).
func TestAcceptedBy(t *testing.T) {
	if _, err := os.Stat(evalFAQs["large"][0]); err != nil {
		t.Skip("no five-product FAQ")
	}
	ix := loadEval(t, "large", Options{})
	accepted := acceptedBy(ix)
	checked, anchorless := 0, 0
	for _, s := range evalSets {
		if s.faq != "large" {
			continue
		}
		for i, c := range readEval(t, s.file) {
			if len(c.Expect) == 0 || i%15 != 0 {
				continue
			}
			var want []int
			for j, e := range ix.Entries() {
				if accepts(c.Expect, e) {
					want = append(want, j)
				}
			}
			if got := accepted(c.Expect); !slices.Equal(got, want) {
				t.Errorf("%v: acceptedBy %v, accepts %v", c.Expect, got, want)
			}
			checked++
			if slices.ContainsFunc(c.Expect, func(x string) bool { return strings.Contains(x, "#") }) {
				anchorless++
			}
		}
	}
	if checked < 100 || anchorless < 10 {
		t.Fatalf("checked %d questions, %d with headings for labels: too few", checked, anchorless)
	}
}
