package faq

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

//go:embed data/seed_website_access.md data/lexicon.txt
var embedded embed.FS

// maxFileSize bounds one FAQ or lexicon file.
const maxFileSize = 8 << 20

// LoadEmbedded loads the FAQ that ships inside the binary.
func LoadEmbedded(opts Options) (*Index, error) {
	b, err := embedded.ReadFile("data/seed_website_access.md")
	if err != nil {
		return nil, fmt.Errorf("read embedded faq: %w", err)
	}
	return loadSources([]source{{name: "embedded:seed_website_access.md", data: b}}, opts)
}

// Load loads FAQ files and folders; folders are read recursively for files
// ending in .md or .markdown.
func Load(paths []string, opts Options) (*Index, error) {
	srcs, err := readSources(paths)
	if err != nil {
		return nil, err
	}
	return loadSources(srcs, opts)
}

// Lint validates FAQ files and folders, and lexicon files, without building
// an index. It returns every problem found, by file and then line: what Load
// would skip or derive, and lexicon phrasings for ids that no FAQ file has.
func Lint(paths, lexicons []string) ([]Problem, error) {
	srcs, err := readSources(paths)
	if err != nil {
		return nil, err
	}
	var probs []Problem
	ids := map[string]bool{}
	for _, s := range srcs {
		es, p := parseFile(s.name, bytes.NewReader(s.data), "")
		probs = append(probs, p...)
		for _, e := range es {
			ids[e.ID] = true
		}
	}
	lx, f := newLexicon(), newFolder()
	for _, p := range lexicons {
		b, err := readFile(p)
		if err != nil {
			return nil, err
		}
		probs = append(probs, lx.parse(p, bytes.NewReader(b), f)...)
	}
	for _, ph := range lx.phrasingLines {
		if !ids[ph.id] {
			probs = append(probs, Problem{ph.file, ph.line, fmt.Sprintf("phrasings for %s, which no FAQ file has", ph.id)})
		}
	}
	sortProblems(probs)
	return probs, nil
}

// sortProblems orders problems by file, then line.
func sortProblems(probs []Problem) {
	sort.SliceStable(probs, func(i, j int) bool {
		if probs[i].File != probs[j].File {
			return probs[i].File < probs[j].File
		}
		return probs[i].Line < probs[j].Line
	})
}

type source struct {
	name string
	data []byte
}

func readFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("read %s: file is larger than %d MiB", path, maxFileSize>>20)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return b, nil
}

// readSources reads every FAQ file named by paths, folders recursively, in
// a stable order.
func readSources(paths []string) ([]source, error) {
	var srcs []source
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("read faq %s: %w", p, err)
		}
		if !st.IsDir() {
			b, err := readFile(p)
			if err != nil {
				return nil, err
			}
			srcs = append(srcs, source{p, b})
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			ext := strings.ToLower(filepath.Ext(path))
			if d.Type().IsRegular() && (ext == ".md" || ext == ".markdown") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read faq folder %s: %w", p, err)
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("read faq folder %s: no .md files", p)
		}
		sort.Strings(files)
		for _, fp := range files {
			b, err := readFile(fp)
			if err != nil {
				return nil, err
			}
			srcs = append(srcs, source{fp, b})
		}
	}
	return srcs, nil
}

// embeddedLexicon is the embedded lexicon, parsed once: parsing it was most
// of the cost of loading a small FAQ. Loads share it, and copy it only to
// add a team's own lexicon files to it.
var embeddedLexicon = sync.OnceValues(func() (*lexicon, error) {
	b, err := embedded.ReadFile("data/lexicon.txt")
	if err != nil {
		return nil, fmt.Errorf("read embedded lexicon: %w", err)
	}
	lx := newLexicon()
	if probs := lx.parse("embedded:lexicon.txt", bytes.NewReader(b), newFolder()); len(probs) > 0 {
		return nil, ProblemsError(probs)
	}
	return lx, nil
})

// loadSources parses, validates and indexes FAQ sources.
func loadSources(srcs []source, opts Options) (*Index, error) {
	f := newFolder()
	lx, err := embeddedLexicon()
	if err != nil {
		return nil, err
	}
	if len(opts.Lexicon) > 0 {
		lx = lx.clone()
	}
	var probs []Problem
	for _, p := range opts.Lexicon {
		b, err := readFile(p)
		if err != nil {
			return nil, fmt.Errorf("load lexicon: %w", err)
		}
		probs = append(probs, lx.parse(p, bytes.NewReader(b), f)...)
	}
	if len(probs) > 0 {
		// A broken lexicon changes every answer: refuse it.
		return nil, ProblemsError(probs)
	}
	var entries []*Entry
	seen := map[[2]string]bool{}
	for _, s := range srcs {
		es, p := parseFile(s.name, bytes.NewReader(s.data), opts.DocsBaseURL)
		probs = append(probs, p...)
		for _, e := range es {
			k := [2]string{e.ID, e.Lang}
			if seen[k] {
				continue // the same entry in another copy of the docs
			}
			seen[k] = true
			entries = append(entries, e)
		}
	}
	sortProblems(probs)
	if len(entries) == 0 {
		if len(probs) > 0 {
			return nil, ProblemsError(probs)
		}
		return nil, fmt.Errorf("load faq: no entries found")
	}
	p := defaultParams
	ix := build(entries, lx, f, p, opts.Phrasings, opts.NoPhrasings)
	ix.problems = probs
	return ix, nil
}
