package faq

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadDocsFolder(t *testing.T) {
	ix, err := Load([]string{"testdata/docs"}, Options{DocsBaseURL: "https://docs.example.com/icp/"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	type row struct{ ID, Lang, Question, Answer string }
	var got []row
	for _, e := range ix.Entries() {
		got = append(got, row{e.ID, e.Lang, e.Question, e.Answer})
	}
	want := []row{
		{"section_aaa", "zh", "服务器在海外需要备案吗？",
			"不需要。请参见[备案流程](https://docs.example.com/icp/intl.zh-CN/%E5%A4%87%E6%A1%88%E6%B5%81%E7%A8%8B/%E9%A6%96%E6%AC%A1%E5%A4%87%E6%A1%88.md)和[工信部](http://www.miitbeian.gov.cn)(官网)。\n\n" +
				"[图片](http://example.com/a.jpg)\n\n产品 | 是否需要备案\nECS | 是"},
		{"section_bbb", "zh", "如何查看备案进度？", "- 登录控制台。\n- 点击**备案**。\n\n1. 打开页面。"},
		{"section_aaa", "en", "Do I need filing for an overseas server?", "No. Filing applies to servers in mainland China only."},
		{"concept_q1", "en", "How do I check my filing status?", "Log in to the console and open **ICP Filing**.\n\n1. Open the console."},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}

func TestRelativeLinksWithoutBase(t *testing.T) {
	ix, err := Load([]string{"testdata/docs/access.md"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := ix.Lookup("section_aaa", "zh").Answer
	if !strings.HasPrefix(got, "不需要。请参见备案流程和[工信部](http://www.miitbeian.gov.cn)(官网)。") {
		t.Errorf("answer = %q, want the relative link shown as its text", got)
	}
}

func TestLookupPrefersLanguage(t *testing.T) {
	ix, err := Load([]string{"testdata/docs"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ id, lang, want string }{
		{"section_aaa", "en", "en"},
		{"section_aaa", "zh", "zh"},
		{"concept_q1", "zh", "en"}, // only English is loaded
	} {
		if e := ix.Lookup(tc.id, tc.lang); e == nil || e.Lang != tc.want {
			t.Errorf("Lookup(%s, %s) = %+v, want lang %s", tc.id, tc.lang, e, tc.want)
		}
	}
	if e := ix.Lookup("section_nope", "zh"); e != nil {
		t.Errorf("Lookup(unknown) = %+v, want nil", e)
	}
	// An English question gets the English version of a bilingual entry.
	r := ix.Match("do I need filing for a server overseas")
	if !r.Answered || r.Best.Entry.ID != "section_aaa" || r.Best.Entry.Lang != "en" {
		t.Errorf("Match = %+v, want section_aaa in English", r.Best)
	}
}

func TestLintReportsEveryProblem(t *testing.T) {
	probs, err := Lint([]string{"testdata/bad"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range probs {
		got = append(got, p.String())
	}
	want := []string{
		`testdata/bad/broken.md:3: question "A question without an anchor？" has no {#section_id} anchor; its id is ` + derivedID("broken.md", "A question without an anchor？"),
		`testdata/bad/broken.md:7: question "空答案的问题？" has an empty answer; skipped`,
		`testdata/bad/broken.md:13: duplicate id section_dup (first at line 9); this question is skipped`,
		"testdata/bad/unclosed/unclosed.md:3: unclosed ``` code block; this page is skipped",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	// Loading keeps what is sound and reports the rest.
	ix, err := Load([]string{"testdata/bad"}, Options{})
	if err != nil {
		t.Fatalf("Load(bad): %v", err)
	}
	var ids []string
	for _, e := range ix.Entries() {
		ids = append(ids, e.ID)
	}
	if diff := cmp.Diff([]string{derivedID("x/broken.md", "A question without an anchor？"), "section_dup"}, ids); diff != "" {
		t.Errorf("entries loaded (-want +got):\n%s", diff)
	}
	if len(ix.Problems()) != len(want) {
		t.Errorf("Problems() = %v, want %d", ix.Problems(), len(want))
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct{ name, path string }{
		{"missing", "testdata/nope"},
		{"folder without markdown", "testdata/fuzz"},
	} {
		if _, err := Load([]string{tc.path}, Options{}); err == nil {
			t.Errorf("%s: Load succeeded, want an error", tc.name)
		}
	}
}

func TestUserLexicon(t *testing.T) {
	dir := t.TempDir()
	lex := dir + "/lex.txt"
	writeFile(t, lex, "[synonyms]\n海外 = moon base\n[phrasings]\nsection_bbb = where is my application at\n")
	ix, err := Load([]string{"testdata/docs"}, Options{Lexicon: []string{lex}})
	if err != nil {
		t.Fatal(err)
	}
	if r := ix.Match("server on the moon base, filing needed?"); !r.Answered || r.Best.Entry.ID != "section_aaa" {
		t.Errorf("synonym: got %+v", r)
	}
	if r := ix.Match("where is my application at"); !r.Answered || r.Best.Entry.ID != "section_bbb" {
		t.Errorf("phrasing: got %+v", r)
	}
	// The team's lexicon is added to a copy of the embedded one: a load
	// without it knows neither the synonym nor the phrasing.
	plain, err := Load([]string{"testdata/docs"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ix.lx.latin) != len(plain.lx.latin)+1 || len(plain.lx.phrasings["section_bbb"]) > 0 {
		t.Errorf("%d English variants with the team's lexicon, %d without, want one more; phrasings without it %q",
			len(ix.lx.latin), len(plain.lx.latin), plain.lx.phrasings["section_bbb"])
	}
	// Loads without a lexicon of their own share the embedded one, parsed once.
	again, err := LoadEmbedded(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if again.lx != plain.lx || ix.lx == plain.lx {
		t.Error("want loads without a team lexicon to share the embedded lexicon, and a load with one to have its own")
	}
	writeFile(t, lex, "[nonsense]\nfoo\n")
	if _, err := Load([]string{"testdata/docs"}, Options{Lexicon: []string{lex}}); err == nil || !strings.Contains(err.Error(), "lex.txt:1:") {
		t.Errorf("bad lexicon error = %v, want file:line", err)
	}
	// Two variants of one file that read alike ("run", stemmed "running")
	// cannot map to two concepts; a later file may map one anew.
	writeFile(t, lex, "[synonyms]\n开办 = run\n上线 = go live, running\n")
	if _, err := Load([]string{"testdata/docs"}, Options{Lexicon: []string{lex}}); err == nil ||
		!strings.Contains(err.Error(), `lex.txt:3: "running" reads as "run" of line 2`) {
		t.Errorf("variants that read alike: error = %v, want one naming both lines", err)
	}
	other := dir + "/other.txt"
	writeFile(t, lex, "[synonyms]\n开办 = run\n")
	writeFile(t, other, "[synonyms]\n上线 = running\n")
	if _, err := Load([]string{"testdata/docs"}, Options{Lexicon: []string{lex, other}}); err != nil {
		t.Errorf("a later file mapping a variant anew: %v", err)
	}
}

// TestEnglishWords checks how English words become terms: suffixes that are
// part of the word stay ("apply" is not "app", "really" is no "real"), the
// British doubled l goes ("cancelled" is cancel), and a
// number written with its unit reads as the unit ("6MB" as "6 MB").
func TestEnglishWords(t *testing.T) {
	for w, want := range map[string]string{
		"apply": "apply", "reply": "reply", "monthly": "month", "really": "really",
		"filing": "fil", "files": "fil", "sites": "sit",
		"cancelled": "cancel", "cancelling": "cancel", "canceled": "cancel", "cancel": "cancel",
		"labelled": "label", "filled": "fill", "installed": "install", "install": "install",
	} {
		if got := stem(w); got != want {
			t.Errorf("stem(%q) = %q, want %q", w, got, want)
		}
	}
	for w, want := range map[string]string{"6mb": "mb", "100kb": "kb", "ipv6": "ipv6", "2024": "2024", "mb": "mb", "4g5": "4g5"} {
		if got := unitOf(w); got != want {
			t.Errorf("unitOf(%q) = %q, want %q", w, got, want)
		}
	}
	// General words weigh little; the words a hosting or filing FAQ is
	// about, and whatever shares their stem, weigh in full.
	for _, w := range []string{"every", "own", "thing", "whatever"} {
		if englishTier[stem(w)] != 1 {
			t.Errorf("%q is not in the first tier of general English", w)
		}
	}
	for _, w := range []string{"exist", "recently", "colleague"} {
		if englishTier[stem(w)] != 2 {
			t.Errorf("%q is not in the second tier of general English", w)
		}
	}
	for _, w := range []string{"domain", "website", "site", "sites", "server", "hosted", "account", "password", "email",
		"phone", "name", "file", "filing", "record", "certificate", "photo", "upload", "price", "fee", "cost", "free",
		"order", "access", "open", "blocked", "verify", "review", "approved", "rejected", "submit", "apply", "register",
		"change", "update", "cancel", "delete", "transfer", "renew", "expired", "connect", "network", "error", "failed",
		"status", "long", "days", "company", "business", "personal", "time", "user", "license", "number", "content",
		"address", "information", "region", "province", "owner", "type", "limit", "size", "format", "page", "link",
		"mobile", "app", "code", "data", "service", "product", "provider", "public", "valid", "legal", "required",
		"allowed", "support", "available", "step", "process", "deadline"} {
		if tier := englishTier[stem(w)]; tier != 0 {
			t.Errorf("%q (stem %q) is in tier %d of general English: it names what a FAQ is about", w, stem(w), tier)
		}
	}
	ix := seed(t)
	// A hyphen joins words as a space does: "first-time" is the lexicon's
	// "first time" (首次), not two clauses.
	if got, want := ix.an.analyze("first-time filing", nil, nil), ix.an.analyze("first time filing", nil, nil); !slices.Equal(got, want) || !slices.Contains(got, "首次") {
		t.Errorf("first-time filing: %q, want %q with 首次", got, want)
	}
	if got, want := ix.weight("every", 5), 5*float64(ix.p.english1); got != want {
		t.Errorf("weight(every) = %v, want %v", got, want)
	}
	// Typos are corrected to general English words too, and these are not
	// corrected to an FAQ's words.
	for typo, want := range map[string]string{"begining": "beginning", "anwser": "answer"} {
		if got := ix.an.correct(typo); got != want {
			t.Errorf("correct(%q) = %q, want %q", typo, got, want)
		}
	}
	// Typos people make are corrected: a letter left out, two swapped, a
	// letter of the word typed twice, a key next to the right one, a vowel
	// for a vowel. Words are not, however near another: a known word with
	// a prefix ("reused" is no typo of refused), a word of everyday English
	// ("attach" of attack, "test" of best, "serve" of server), a number.
	for w, want := range map[string]string{
		"adress": "address", "domian": "domain", "htpps": "https", "recieve": "receive", "seperate": "separate",
		"reused": "", "unblocked": "", "attach": "", "test": "", "serve": "", "county": "", "2012": "",
	} {
		if _, got := ix.an.reading(w); got != want {
			t.Errorf("reading(%q) corrects it to %q, want %q", w, got, want)
		}
	}
	for _, w := range []string{"beginning", "step", "refund"} {
		if !ix.an.known(stem(w)) {
			t.Errorf("%q is not a known word: it would be corrected", w)
		}
	}
	if got := ix.weight("miit", 5); got != 5 {
		t.Errorf("weight(miit) = %v, want 5", got)
	}
	if terms := ix.an.analyze("my photo is 6MB, too big?", nil, nil); !strings.Contains(strings.Join(terms, " "), "mb") {
		t.Errorf("analyze(6MB) = %q, want the unit mb among the terms", terms)
	}
}

// TestCorrectFindsNearestWord checks that typo correction, which looks up
// the known words one edit away through their spellings less a letter,
// finds what comparing the typo with every known word finds.
func TestCorrectFindsNearestWord(t *testing.T) {
	a := seed(t).an
	var known []string
	for _, t := range []*wordTable{a.words, a.general} {
		for _, ws := range t.surface {
			for _, k := range ws {
				known = append(known, k.w)
			}
		}
	}
	slices.Sort(known)
	known = slices.Compact(known)
	scan := func(w string) string {
		limit := 1
		if len(w) >= 8 {
			limit = 2
		}
		best, bestD := "", limit+1
		for _, k := range known {
			if k[0] != w[0] && k[1] != w[1] {
				continue
			}
			d := editDistance(w, k, limit)
			if d < bestD || d == bestD && (len(k) < len(best) || len(k) == len(best) && k < best) {
				best, bestD = k, d
			}
		}
		return best
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		w := []byte(known[rng.IntN(len(known))])
		p := rng.IntN(len(w))
		switch i % 4 {
		case 0: // a letter changed
			w[p] = byte('a' + rng.IntN(26))
		case 1: // a letter left out
			w = slices.Delete(w, p, p+1)
		case 2: // a letter more
			w = slices.Insert(w, p, byte('a'+rng.IntN(26)))
		case 3: // two swapped
			if p+1 < len(w) {
				w[p], w[p+1] = w[p+1], w[p]
			}
		}
		typo := string(w)
		if len(typo) < 4 || a.known(stem(typo)) {
			continue
		}
		if got, want := a.correct(typo), scan(typo); got != want {
			t.Errorf("correct(%q) = %q, want %q", typo, got, want)
		}
	}
}

// TestAnswerPartsAreNoEntries checks that headings naming parts of an
// answer, alone or joined ("原因及处理办法", "Causes and solutions"), join the
// entry before them, with their anchors and text, and that a question that
// only mentions a part is still a question.
func TestAnswerPartsAreNoEntries(t *testing.T) {
	src := "# 网站无法访问 {#concept_a}\n\n网站打不开。\n\n## 现象 {#section_b}\n\n阻断页。\n\n## 原因及处理办法 {#section_c}\n\n未备案。\n"
	en := "# FAQ {#concept_e}\n\n## Why is my site blocked? {#section_q}\n\nIt is not filed.\n\n## Causes and solutions {#section_s}\n\nFile it.\n\n" +
		"## 现象与原因\n\nA blocked page.\n\n## 原因和备案有关吗？ {#section_d}\n\n有关。\n"
	for _, tc := range []struct {
		src  string
		want []string
		text string
	}{
		{src, []string{"concept_a section_b,section_c"}, "未备案"},
		{en, []string{"section_q section_s," + derivedID("p.md", "现象与原因"), "section_d "}, "A blocked page"},
	} {
		es, probs := parseFile("p.md", strings.NewReader(tc.src), "")
		if len(probs) > 0 {
			t.Fatalf("problems: %v", probs)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.ID+" "+strings.Join(e.Sections, ","))
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("entries (-want +got):\n%s", diff)
		}
		if len(es) == 0 || !strings.Contains(es[0].Answer, tc.text) {
			t.Errorf("the parts' text is not in the answer: %+v", es)
		}
	}
}

// A page that writes its questions in bold, with no question headings, gets
// an entry for each of them, and lint names each as bold text; a page with
// question headings keeps its bold lines in the answers, and a lone bold
// question is no page of questions.
func TestBoldQuestionsAreEntries(t *testing.T) {
	src := "# 迁移工具 FAQ {#migrate}\n\n-   [工具支持断点续传吗？](#)\n\n **1. 工具支持断点续传吗？** \n\n支持。\n\n**2. Why does it say Forbidden.RAM?**\n\nThe RAM user lacks a permission.\n\n```\n**3. 这不是问题？**\n```\n"
	es, probs := parseFile("m.md", strings.NewReader(src), "")
	var got []string
	for _, e := range es {
		got = append(got, e.Question+" | "+e.Answer)
	}
	want := []string{"1. 工具支持断点续传吗？ | 支持。", "2. Why does it say Forbidden.RAM? | The RAM user lacks a permission.\n\n**3. 这不是问题？**"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if len(probs) != 2 || probs[0].Line != 5 || !strings.Contains(probs[0].Msg, "bold text") || probs[1].Line != 9 {
		t.Errorf("problems: %v", probs)
	}
	for _, src := range []string{
		"# FAQ {#p}\n\n## 可以续传吗？ {#section_a}\n\n**注意：可以吗？**\n\n可以。\n\n**还有吗？**\n",
		"# 工具支持断点续传吗？ {#p}\n\n**1. 工具支持断点续传吗？**\n\n支持。\n",
	} {
		es, _ := parseFile("m.md", strings.NewReader(src), "")
		if len(es) != 1 || !strings.Contains(es[0].Answer, "**") {
			t.Errorf("%q: entries %+v, want one whose answer keeps the bold text", src, es)
		}
	}
}

// A page title is a question when it asks one; a word of price alone (计费,
// 付费) names the page's topic, and such a page is no entry of its own.
func TestPageTitleAsksQuestion(t *testing.T) {
	for title, want := range map[string]bool{
		"计费常见问题": false, "云解析DNS付费版使用FAQ": false, "Billing FAQ": false, "公安备案": false,
		"OSS服务如何停止计费？": true, "未通过域名核验的原因和解决方法": true, "备案要多少钱": true, "How much does filing cost": true,
	} {
		if got := asksQuestion(title); got != want {
			t.Errorf("asksQuestion(%q) = %v, want %v", title, got, want)
		}
	}
}

// A page's YAML front matter is metadata, not a question: a page that has
// no question headings is still one entry, and lint has nothing to say.
func TestFrontMatterIsNoQuestion(t *testing.T) {
	src := "---\nkeyword: [install GRUB, upgrade the kernel]\n---\n\n# Install GRUB on a Linux server\n\nRun grub2-install.\n"
	es, probs := parseFile("grub.md", strings.NewReader(src), "")
	if len(es) != 1 || es[0].Question != "Install GRUB on a Linux server" || es[0].Line != 5 {
		t.Errorf("entries %+v, want the page itself, at line 5", es)
	}
	for _, p := range probs {
		if strings.Contains(p.Msg, "keyword") {
			t.Errorf("problem %v: the front matter was read as a question", p)
		}
	}
	// A rule at the top that nothing closes is left alone.
	es, _ = parseFile("r.md", strings.NewReader("---\n\n# 备案FAQ {#p}\n\n## 要多久？ {#section_a}\n\n一天。\n"), "")
	if len(es) != 1 || es[0].ID != "section_a" {
		t.Errorf("entries %+v, want section_a", es)
	}
}

// The heading of one step or one way of an answer (方式一：…, Method 2: …)
// is part of the answer above it, named so that a link to it finds that
// entry; a step heading that asks stays a question.
func TestStepsArePartsOfTheAnswer(t *testing.T) {
	src := "# 如何更新驱动？\n\n三种方式。\n\n## 方式一：使用脚本更新驱动\n\n运行脚本。\n\n## Method 2: Use an installation package\n\nRun it.\n\n## 步骤3：可以跳过吗？\n\n可以。\n"
	es, _ := parseFile("d.md", strings.NewReader(src), "")
	var got []string
	for _, e := range es {
		got = append(got, e.Question)
	}
	if diff := cmp.Diff([]string{"如何更新驱动？", "步骤3：可以跳过吗？"}, got); diff != "" {
		t.Fatalf("entries (-want +got):\n%s", diff)
	}
	if want := derivedID("d.md", "方式一：使用脚本更新驱动"); !slices.Contains(es[0].Sections, want) || !strings.Contains(es[0].Answer, "Run it") {
		t.Errorf("page entry %+v: want the steps in its answer and %s among its sections", es[0], want)
	}
}

// A page whose title asks a question lists the questions it holds in its
// answer, for the reader; as evidence it has its introduction only, since
// each listed question is an entry of its own.
func TestPageEntryEvidenceIsItsIntroduction(t *testing.T) {
	src := "# 备案失败的原因 {#concept_r}\n\n以下是常见的驳回原因。\n\n## TOP 1：网站名称不合格 {#section_a}\n\n改名。\n\n## TOP 2：证件过期 {#section_b}\n\n换证。\n"
	es, _ := parseFile("r.md", strings.NewReader(src), "")
	if len(es) != 3 || es[0].ID != "concept_r" {
		t.Fatalf("entries %+v, want the page and its two questions", es)
	}
	if !strings.Contains(es[0].Answer, "证件过期") {
		t.Errorf("page answer %q, want the questions it holds listed", es[0].Answer)
	}
	if got := es[0].answerText(); got != "以下是常见的驳回原因。" {
		t.Errorf("page evidence %q, want its introduction only", got)
	}
	if got := es[1].answerText(); got != es[1].Answer {
		t.Errorf("question evidence %q, want its answer %q", got, es[1].Answer)
	}
}
