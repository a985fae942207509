package faq

import (
	"testing"
)

// TestHeadingsAsWritten asks every question of an FAQ exactly as its heading
// says: each must be answered, with an entry of its own topic (a copy of the
// page under another id, or a translation, is as good as the entry itself).
func TestHeadingsAsWritten(t *testing.T) {
	for _, tc := range []struct {
		name string
		want float64
	}{{"", 1}, {"corpus", 0.99}, {"large", 0.98}} {
		name := tc.name
		t.Run(name, func(t *testing.T) {
			ix := loadEval(t, name, Options{NoPhrasings: true})
			topicOf := map[string]int32{}
			for g, grp := range ix.groups {
				topicOf[grp.id] = ix.topic[g]
			}
			var n, ok int
			var misses []string
			for _, e := range ix.entries {
				n++
				r := ix.Match(e.Question)
				if r.Answered && topicOf[r.Best.Entry.ID] == topicOf[e.ID] {
					ok++
				} else if len(misses) < 10 {
					misses = append(misses, e.Question+" → "+idOf(r.Best.Entry))
				}
			}
			t.Logf("%d/%d headings answered with their own topic", ok, n)
			if float64(ok) < tc.want*float64(n) {
				t.Errorf("%d/%d headings answered with their own topic, want >= %.0f%%; misses: %q", ok, n, 100*tc.want, misses)
			}
		})
	}
}

// TestCopiesAreOneTopic loads a page and its copy under other ids (as cn and
// intl editions are): asking its question answers, never a tie.
func TestCopiesAreOneTopic(t *testing.T) {
	dir := t.TempDir()
	page := func(prefix string) string {
		return "# 常见问题 {#concept_" + prefix + " .concept}\n\n" +
			"## 备案需要多长时间？ {#section_" + prefix + "1 .section}\n\n审核通常需要 20 个工作日。\n\n" +
			"## 如何注销备案？ {#section_" + prefix + "2 .section}\n\n在控制台提交注销申请。\n"
	}
	writeFile(t, dir+"/cn.md", page("cn"))
	writeFile(t, dir+"/intl.md", page("intl"))
	ix, err := Load([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := ix.Match("备案要多久")
	if !r.Answered || (r.Best.Entry.ID != "section_cn1" && r.Best.Entry.ID != "section_intl1") {
		t.Errorf("Match = %+v answered=%v, want one of the copies answered", r.Best, r.Answered)
	}
	if len(ix.groups) != 4 || ix.topic[0] != ix.topic[2] || ix.topic[1] != ix.topic[3] || ix.topic[0] == ix.topic[1] {
		t.Errorf("topics = %v, want the copies of each question together and the two questions apart", ix.topic)
	}
}
