package faq

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var benchQueries = []string{
	"香港服务器需要备案吗", "do I need ICP filing if my server is in Hong Kong", "論壇如何備案",
	"网站打不开是什么原因", "备案需要多长时间", "https", "can a persn open a forumm",
	"备案成功当天网站为什么还是访问不了",
}

// benchMatch matches qs against ix, one after another.
func benchMatch(b *testing.B, ix *Index, qs []string) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ix.Match(qs[i%len(qs)])
	}
}

func BenchmarkMatchSeed(b *testing.B) { benchMatch(b, seed(b), benchQueries) }

func BenchmarkMatchCorpus(b *testing.B) { benchMatch(b, corpusIndex(b), benchQueries) }

// corpusIndex loads the docs corpus, or skips b without it.
func corpusIndex(b *testing.B) *Index {
	if _, err := os.Stat(corpusDir); err != nil {
		b.Skip("docs corpus not present")
	}
	ix, err := Load([]string{corpusDir}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	return ix
}

// largePaths are the docs corpus and the FAQ pages of five more products,
// about 5,000 entries loaded together.
var largePaths = []string{corpusDir + "/zh", corpusDir + "/en", "../../shared/faqs-large"}

// skipWithoutLarge skips b when any of largePaths is absent.
func skipWithoutLarge(b *testing.B) {
	for _, p := range largePaths {
		if _, err := os.Stat(p); err != nil {
			b.Skipf("%s not present", p)
		}
	}
}

// BenchmarkMatchCorpusLarge matches BenchmarkMatchCorpus's queries with the
// corpus and faqs-large loaded together: the cost must grow well below
// linearly in the number of entries.
func BenchmarkMatchCorpusLarge(b *testing.B) {
	skipWithoutLarge(b)
	ix, err := Load(largePaths, Options{})
	if err != nil {
		b.Fatal(err)
	}
	benchMatch(b, ix, benchQueries)
}

func BenchmarkLoadSeed(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadEmbedded(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadCorpus(b *testing.B) {
	if _, err := os.Stat(corpusDir); err != nil {
		b.Skip("docs corpus not present")
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load([]string{corpusDir}, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadCorpusLarge(b *testing.B) {
	skipWithoutLarge(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(largePaths, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatchLong matches a pasted wall of text: it must cost about what
// a question costs, whatever its length.
func BenchmarkMatchLong(b *testing.B) {
	ix := seed(b)
	long := strings.Repeat("服务器日志报错内容如下请帮忙看看是什么问题 ", 2000)
	b.ReportAllocs()
	for b.Loop() {
		ix.Match(long)
	}
}

// labelledQueries are the questions of every labelled set in testdata, in
// file order: longer and more varied than benchQueries (long messages,
// English, pinyin), as the whole-process comparison with bleve reads them.
func labelledQueries(b *testing.B) []string {
	files, err := filepath.Glob("testdata/*.jsonl")
	if err != nil || len(files) == 0 {
		b.Fatalf("no labelled sets: %v", err)
	}
	var qs []string
	for _, f := range files {
		cs, err := readEvalFile(f)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range cs {
			qs = append(qs, c.Query)
		}
	}
	return qs
}

// BenchmarkMatchLabelledSeed and BenchmarkMatchLabelledCorpus match the
// labelled questions, one after another.
func BenchmarkMatchLabelledSeed(b *testing.B) { benchMatch(b, seed(b), labelledQueries(b)) }

func BenchmarkMatchLabelledCorpus(b *testing.B) {
	benchMatch(b, corpusIndex(b), labelledQueries(b))
}
