package faq

import (
	"os"
	"testing"
)

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// loadPage loads an FAQ of one page, md.
func loadPage(t *testing.T, md string) *Index {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir+"/faq.md", md)
	ix, err := Load([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// wantBest checks that each question's best entry is the one it names.
func wantBest(t *testing.T, ix *Index, want map[string]string) {
	t.Helper()
	for q, id := range want {
		if r := ix.Match(q); r.Best.Entry == nil || r.Best.Entry.ID != id {
			t.Errorf("%q: best %v, want %s", q, r.Best.Entry, id)
		}
	}
}
