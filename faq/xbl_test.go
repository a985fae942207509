package faq

import "testing"

func BenchmarkXMatchLarge(b *testing.B) {
	ix, err := Load([]string{corpusDir, "../../shared/faqs-large"}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("entries %d groups %d variants %d chunks %d terms %d", len(ix.entries), len(ix.groups), len(ix.variants), len(ix.chunkGroup), len(ix.voc.ids))
	benchMatch(b, ix)
}
func BenchmarkXLoadLarge(b *testing.B) {
	for b.Loop() {
		if _, err := Load([]string{corpusDir, "../../shared/faqs-large"}, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
