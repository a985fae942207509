//go:build ignore

// Command wordgen writes faq/data/words2.bin, the background weights of
// two-character Chinese words, from jieba's idf.utf8 (MIT licence; jieba's
// inverse document frequencies over a large general corpus).
//
// Refresh (needs npm and the npm registry):
//
//	cd "$(mktemp -d)" && npm pack nodejieba && tar xzf nodejieba-*.tgz
//	go run faq/internal/wordgen/main.go "$PWD/package/submodules/cppjieba/dict/idf.utf8" > faq/data/words2.bin
//
// The file is a sorted list of fixed 7-byte records: the word's six UTF-8
// bytes, then its IDF times ten, rounded, as one byte.
package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: wordgen idf.utf8 > faq/data/words2.bin")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	idf := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		if !ok || len(w) != 6 || utf8.RuneCountInString(w) != 2 {
			continue
		}
		han := true
		for _, r := range w {
			han = han && unicode.Is(unicode.Han, r)
		}
		x, err := strconv.ParseFloat(v, 64)
		if !han || err != nil {
			continue
		}
		idf[w] = x
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	words := make([]string, 0, len(idf))
	for w := range idf {
		words = append(words, w)
	}
	sort.Strings(words)
	out := bufio.NewWriter(os.Stdout)
	for _, w := range words {
		out.WriteString(w)
		out.WriteByte(byte(min(255, math.Round(idf[w]*10))))
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
