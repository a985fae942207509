package faq

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDirectives reads the phrasings and verdicts an FAQ carries in
// "<!-- beianbot … -->" comments, which docs renderers do not show, and
// keeps other comments out of answers.
func TestDirectives(t *testing.T) {
	src := "# 备案 {#concept_x .concept}\n\n" +
		"## 香港服务器要备案吗？ {#section_hk .section}\n\n" +
		"<!-- beianbot\nask: 服务器放在香港需要备案吗 | hong kong server filing\nverdict: outside_mainland, mixed\n-->\n\n" +
		"不需要。<!-- an editor's note -->\n\n" +
		"## 论坛如何备案？ {#section_bbs .section}\n\n<!-- beianbot ask: BBS 怎么备案 -->\n需要前置审批。\n"
	es, probs := parseFile("x.md", strings.NewReader(src), "")
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	type got struct {
		ID, Answer          string
		Phrasings, Verdicts []string
	}
	var gs []got
	for _, e := range es {
		gs = append(gs, got{e.ID, e.Answer, e.Phrasings, e.Verdicts})
	}
	want := []got{
		{"section_hk", "不需要。", []string{"服务器放在香港需要备案吗", "hong kong server filing"}, []string{"outside_mainland", "mixed"}},
		{"section_bbs", "需要前置审批。", []string{"BBS 怎么备案"}, nil},
	}
	if diff := cmp.Diff(want, gs); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}

// TestSetextHeadings reads headings underlined with === and ---, as some
// docs pages write them, and leaves a --- rule under a paragraph's blank
// line alone.
func TestSetextHeadings(t *testing.T) {
	src := "云解析FAQ\n=====\n\n实例过期是否影响解析？ {#h2-a}\n------\n\n会影响。\n\n---\n\n绑定的域名过期是否影响解析？\n-------\n\n不影响。\n"
	es, probs := parseFile("dns.md", strings.NewReader(src), "")
	var qs []string
	for _, e := range es {
		qs = append(qs, e.ID+" "+e.Question+" | "+e.Answer)
	}
	want := []string{"h2-a 实例过期是否影响解析？ | 会影响。", derivedID("dns.md", "绑定的域名过期是否影响解析？") + " 绑定的域名过期是否影响解析？ | 不影响。"}
	if diff := cmp.Diff(want, qs); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if len(probs) != 1 || !strings.Contains(probs[0].String(), "dns.md:11: question") {
		t.Errorf("problems = %v, want the unanchored heading at line 11", probs)
	}
}

// TestDerivedIDStable gives an unanchored heading the same id whatever
// folder its file is loaded from.
func TestDerivedIDStable(t *testing.T) {
	a, b := derivedID("/srv/docs/faq.md", "如何备案？"), derivedID("faq.md", " 如何备案？ ")
	if a != b || !strings.HasPrefix(a, "faq_") {
		t.Errorf("derivedID = %q and %q, want one stable faq_ id", a, b)
	}
	if derivedID("faq.md", "如何注销？") == a {
		t.Error("two headings share a derived id")
	}
}

// TestPhrasingsFromEveryPlace: phrasings from the FAQ file, the lexicon side
// file, Options and WithPhrasings all reach the matcher, and NoPhrasings
// ignores them all.
func TestPhrasingsFromEveryPlace(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/faq.md", "# 常见问题 {#concept_x .concept}\n\n"+
		"## 如何查看备案进度？ {#section_progress .section}\n\n<!-- beianbot ask: 审核到哪一步了 -->\n登录控制台查看。\n\n"+
		"## 如何注销备案？ {#section_cancel .section}\n\n在控制台提交注销申请。\n")
	writeFile(t, dir+"/lex.txt", "[phrasings]\nsection_cancel = 不想要这个备案号了\n")
	ix, err := Load([]string{dir + "/faq.md"}, Options{Lexicon: []string{dir + "/lex.txt"}})
	if err != nil {
		t.Fatal(err)
	}
	taught := ix.WithPhrasings(map[string][]string{"section_progress": {"管局那边批到什么程度"}})
	bare, err := Load([]string{dir + "/faq.md"}, Options{Lexicon: []string{dir + "/lex.txt"}, NoPhrasings: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ix    *Index
		query string
		want  string // "" when it must not be answered; "!id" when not with id
	}{
		{ix, "审核到哪一步了", "section_progress"},
		{ix, "不想要这个备案号了", "section_cancel"},
		{taught, "管局那边批到什么程度", "section_progress"},
		{ix, "管局那边批到什么程度", ""},
		{bare, "不想要这个备案号了", "!section_cancel"},
	} {
		r := tc.ix.Match(tc.query)
		got := ""
		if r.Answered {
			got = r.Best.Entry.ID
		}
		if not, ok := strings.CutPrefix(tc.want, "!"); ok {
			if got == not {
				t.Errorf("Match(%q) answered %q, which only a phrasing says", tc.query, got)
			}
			continue
		}
		if got != tc.want {
			t.Errorf("Match(%q) answered %q (best %s %.2f), want %q", tc.query, got, idOf(r.Best.Entry), r.Best.Score, tc.want)
		}
	}
}

// TestLintPhrasingsForMissingIDs reports lexicon phrasings for ids that no
// FAQ file has, in line order with the FAQ's own problems.
func TestLintPhrasingsForMissingIDs(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/faq.md", "# 常见问题 {#concept_x .concept}\n\n## 如何备案？ {#section_a .section}\n\n答案。\n")
	writeFile(t, dir+"/lex.txt", "[phrasings]\nsection_a = 怎么备案\nsection_gone = 旧问题\n")
	probs, err := Lint([]string{dir + "/faq.md"}, []string{dir + "/lex.txt"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range probs {
		got = append(got, strings.TrimPrefix(p.String(), dir+"/"))
	}
	if diff := cmp.Diff([]string{"lex.txt:3: phrasings for section_gone, which no FAQ file has"}, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// TestUnclosedComment names the line where a comment that never closes
// begins: everything after it is hidden.
func TestUnclosedComment(t *testing.T) {
	src := "# 页 {#concept_p .concept}\n\n## 问题？ {#section_q .section}\n\n<!-- beianbot ask: 一\n答案\n"
	_, probs := parseFile("p.md", strings.NewReader(src), "")
	sortProblems(probs)
	var got []string
	for _, p := range probs {
		got = append(got, p.String())
	}
	want := []string{`p.md:3: question "问题？" has an empty answer; skipped`, "p.md:5: unclosed <!-- comment; the rest of the page is hidden in it"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}
