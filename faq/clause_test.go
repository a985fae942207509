package faq

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSplitClauses checks that long sentences are split at their commas and
// short ones are not, whatever their script: an English sentence is as long
// as its words, not its letters.
func TestSplitClauses(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"备案需要多久？", []string{"备案需要多久？"}},
		{"您好，我们公司总部在深圳，营业执照原件放在成都的分公司那边，怎么上传？",
			[]string{"您好，我们公司总部在深圳，营业执照原件放在成都的分公司那边，", "怎么上传？"}},
		// Five words before the comma: one clause, though 21 letters.
		{"My site is down again, what can I do?", []string{"My site is down again, what can I do?"}},
		{"We moved to Alibaba Cloud last week and the site is blocked, so is there a step we missed?",
			[]string{"We moved to Alibaba Cloud last week and the site is blocked,", "so is there a step we missed?"}},
		{"It works. Why?", []string{"It works.", "Why?"}},
		{"version 1.5 on example.com fails", []string{"version 1.5 on example.com fails"}},
	} {
		if diff := cmp.Diff(tc.want, splitClauses(tc.q)); diff != "" {
			t.Errorf("splitClauses(%q) (-want +got):\n%s", tc.q, diff)
		}
	}
}
