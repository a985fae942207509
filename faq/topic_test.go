package faq

import (
	"fmt"
	"math"
	"slices"
	"strings"
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
			ok, n, misses := headingsAnswered(ix)
			t.Logf("%d/%d headings answered with their own topic", ok, n)
			if float64(ok) < tc.want*float64(n) {
				t.Errorf("%d/%d headings answered with their own topic, want >= %.0f%%; misses: %q", ok, n, 100*tc.want, misses)
			}
		})
	}
}

// headingsAnswered asks every entry's question of ix as written, and counts
// those answered with an entry of their own topic (ok of n), with the first
// misses.
func headingsAnswered(ix *Index) (ok, n int, misses []string) {
	topicOf := map[string]int32{}
	for g, grp := range ix.groups {
		topicOf[grp.id] = ix.topic[g]
	}
	for _, e := range ix.entries {
		n++
		r := ix.Match(e.Question)
		if r.Answered && topicOf[r.Best.Entry.ID] == topicOf[e.ID] {
			ok++
		} else if len(misses) < 10 {
			misses = append(misses, e.Question+" → "+idOf(r.Best.Entry))
		}
	}
	return ok, n, misses
}

// TestLoadsAlike loads an FAQ twice: the topics, and the answer to every
// heading asked as written, are the same (the vocabulary is a map, and a sum
// in its order once paired an English page with one of two Chinese copies
// or the other, load by load).
func TestLoadsAlike(t *testing.T) {
	a := loadEval(t, "large", Options{NoPhrasings: true})
	b := loadEvalUncached(t, "large", Options{NoPhrasings: true})
	if !slices.Equal(a.topic, b.topic) {
		t.Fatal("two loads of one FAQ found different topics")
	}
	for _, e := range a.entries {
		ra, rb := a.Match(e.Question), b.Match(e.Question)
		if ra.Answered != rb.Answered || idOf(ra.Best.Entry) != idOf(rb.Best.Entry) {
			t.Errorf("%q: %v %s, then %v %s", e.Question, ra.Answered, idOf(ra.Best.Entry), rb.Answered, idOf(rb.Best.Entry))
		}
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

// TestNearQuestionsTwoTopics: two questions that differ in the one word
// that matters (首次备案, 接入备案), with answers that differ, are two
// topics, so the bot hesitates between them rather than answering either;
// a question reworded on another page, with the answer the same, is one
// topic with it.
func TestNearQuestionsTwoTopics(t *testing.T) {
	ix := loadPage(t, "# 备案类型 {#concept_t .concept}\n\n"+
		"## 什么情况下需要进行首次备案？ {#section_first .section}\n\n主体和网站从未在工信部备案过，第一次办理备案。\n\n"+
		"## 什么情况下需要进行接入备案？ {#section_access .section}\n\n网站已经在其他服务商备案，现在改用阿里云服务器，需要把备案转入。\n\n"+
		"## 哪些情况要做首次备案？ {#section_first2 .section}\n\n主体和网站从未在工信部备案过，第一次办理备案。\n\n"+
		// 首次 and 接入 are words of many questions, as in a filing FAQ.
		"## 首次备案要准备哪些资料？ {#section_f1 .section}\n\n证件和核验单。\n\n"+
		"## 首次备案审核多久？ {#section_f2 .section}\n\n二十个工作日。\n\n"+
		"## 首次备案在哪里提交？ {#section_f3 .section}\n\n备案控制台。\n\n"+
		"## 接入备案要准备哪些资料？ {#section_a1 .section}\n\n原备案号和密码。\n\n"+
		"## 接入备案审核多久？ {#section_a2 .section}\n\n十个工作日。\n\n"+
		"## 接入备案在哪里提交？ {#section_a3 .section}\n\n备案控制台的接入入口。\n")
	topic := map[string]int32{}
	for g, grp := range ix.groups {
		topic[grp.id] = ix.topic[g]
	}
	if topic["section_first"] == topic["section_access"] {
		t.Errorf("首次备案 and 接入备案 are one topic: %v", topic)
	}
	if topic["section_first"] != topic["section_first2"] {
		t.Errorf("a reworded copy with the same answer is another topic: %v", topic)
	}
	// Asked with the number the docs give it, a question reads without it.
	if r := ix.Match("3. 什么情况下需要进行接入备案？"); !r.Answered || r.Best.Entry.ID != "section_access" {
		t.Errorf("Match(numbered question) = %+v answered %v, want section_access", r.Best, r.Answered)
	}
	// In the docs corpus, where 首次, 接入 and 变更 are words of many
	// questions, the cosine of their weighted terms alone joined these.
	t.Run("corpus", func(t *testing.T) { nearQuestionsOfCorpus(t) })
}

func nearQuestionsOfCorpus(t *testing.T) {
	corpus := loadEval(t, "corpus", Options{NoPhrasings: true})
	byQ := map[string]int32{}
	for g, grp := range corpus.groups {
		for _, e := range grp.entries {
			byQ[e.Question] = corpus.topic[g]
		}
	}
	for _, pair := range [][2]string{
		{"什么情况下需要进行首次备案？", "什么情况下需要进行接入备案？"},
		{"什么情况下需要进行首次备案？", "什么情况下需要进行变更备案？"},
		{"备案服务号可以复用吗？", "ICP备案号与备案服务号的区别"},
	} {
		a, okA := byQ[pair[0]]
		b, okB := byQ[pair[1]]
		if !okA || !okB {
			t.Errorf("the corpus has no question %q or %q", pair[0], pair[1])
		} else if a == b {
			t.Errorf("%q and %q are one topic", pair[0], pair[1])
		}
	}
}

// TestTranslationsUnderTwoIDs checks that a Chinese and an English edition of
// one entry, kept in two files without anchors (so under two ids), are one
// topic through the terms both languages share (lexicon concepts, names,
// numbers) in their questions and answers, though their questions alone
// differ, and that an entry on another subject is not taken for one.
func TestTranslationsUnderTwoIDs(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/zh.md", "# 常见问题\n\n## 带宽峰值在哪里看？\n\n在控制台的监控页面查看带宽，单位为 Mbps，数据每 5 分钟更新一次。\n\n"+
		"## 论坛如何备案？\n\n论坛需由企业申请 BBS 前置审批后才能备案。\n")
	writeFile(t, dir+"/en.md", "# FAQ\n\n## How can I see the peak value of my instance?\n\nView the bandwidth on the monitoring page of the console, in Mbps; the data is refreshed every 5 minutes.\n\n"+
		"## How long does a review take?\n\nA review of a filing takes about 20 working days.\n")
	ix, err := Load([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	group := func(q string) int32 { return groupAsking(t, ix, q) }
	peak, peakEn := group("带宽峰值在哪里看？"), group("How can I see the peak value of my instance?")
	if ix.topic[peak] != ix.topic[peakEn] {
		t.Error("the two editions of the bandwidth entry are two topics")
	}
	if review := group("How long does a review take?"); ix.topic[review] == ix.topic[peak] || ix.topic[review] == ix.topic[group("论坛如何备案？")] {
		t.Error("an entry on another subject was taken for a translation")
	}
}

// groupAsking returns the group of ix with an entry whose question is q.
func groupAsking(t *testing.T, ix *Index, q string) int32 {
	t.Helper()
	for g, grp := range ix.groups {
		for _, e := range grp.entries {
			if e.Question == q {
				return int32(g)
			}
		}
	}
	t.Fatalf("no entry %q", q)
	return -1
}

// TestAlignedEditions: the Chinese and English editions of a page ask their
// questions in the same order, so the unanchored questions between two that
// share an anchor are one topic each, in order; not when the two runs
// differ in length. (The questions share no word, name or number that the
// other tests of translation go by.)
func TestAlignedEditions(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/zh.md", "# 常见问题\n\n## 备案需要多久？ {#a}\n\n二十个工作日。\n\n"+
		"## 猫叫什么名字？\n\n小花。\n\n## 山有多高？\n\n八千米。\n\n"+
		"## 论坛如何备案？ {#b}\n\n需要前置审批。\n\n## 河里有鱼吗？\n\n有很多。\n")
	writeFile(t, dir+"/en.md", "# FAQ\n\n## How long does filing take? {#a}\n\nTwenty working days.\n\n"+
		"## What is the cat called?\n\nWhiskers.\n\n## How tall is the mountain?\n\nEight thousand metres.\n\n"+
		"## How do I file a forum? {#b}\n\nA prior approval is needed first.\n\n## Are there fish in the river?\n\nPlenty.\n")
	// Runs of unequal length: nothing between the anchors is paired.
	writeFile(t, dir+"/zh2.md", "# 常见问题\n\n## 如何注销备案？ {#c}\n\n在控制台申请。\n\n"+
		"## 桥是谁建的？\n\n老王。\n\n## 船有几条？\n\n三条。\n\n## 如何取消接入？ {#d}\n\n在控制台操作。\n")
	writeFile(t, dir+"/en2.md", "# FAQ\n\n## How do I cancel a filing? {#c}\n\nApply in the console.\n\n"+
		"## Who built the bridge?\n\nOld Wang.\n\n## How do I cancel access? {#d}\n\nIn the console.\n")
	ix, err := Load([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	group := func(q string) int32 { return groupAsking(t, ix, q) }
	for zh, en := range map[string]string{"猫叫什么名字？": "What is the cat called?", "山有多高？": "How tall is the mountain?",
		"河里有鱼吗？": "Are there fish in the river?"} {
		if ix.topic[group(zh)] != ix.topic[group(en)] {
			t.Errorf("%q and %q, at one place of two editions, are two topics", zh, en)
		}
	}
	if a, b := group("桥是谁建的？"), group("Who built the bridge?"); ix.topic[a] == ix.topic[b] {
		t.Error("runs of unequal length were paired")
	}
	if ix.topic[group("猫叫什么名字？")] == ix.topic[group("山有多高？")] {
		t.Error("two questions of one page were joined")
	}
}

// TestTranslationOfCopies checks that a page kept in two Chinese copies (the
// cn and intl editions of a docs site) and an English edition are one topic:
// the second copy is no rival of the first when the English entry's best
// match is weighed against the next best.
func TestTranslationOfCopies(t *testing.T) {
	dir := t.TempDir()
	zh := "# 常见问题\n\n## 带宽峰值在哪里看？\n\n在控制台的监控页面查看带宽，单位为 Mbps，数据每 5 分钟更新一次。\n\n" +
		"## 论坛如何备案？\n\n论坛需由企业申请 BBS 前置审批后才能备案。\n"
	writeFile(t, dir+"/cn.md", zh)
	writeFile(t, dir+"/intl.md", zh)
	writeFile(t, dir+"/en.md", "# FAQ\n\n## How can I see the peak value of my instance?\n\nView the bandwidth on the monitoring page of the console, in Mbps; the data is refreshed every 5 minutes.\n\n"+
		"## How long does a review take?\n\nA review of a filing takes about 20 working days.\n")
	ix, err := Load([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var zhG []int32
	en := int32(-1)
	for g, grp := range ix.groups {
		switch grp.entries[0].Question {
		case "带宽峰值在哪里看？":
			zhG = append(zhG, int32(g))
		case "How can I see the peak value of my instance?":
			en = int32(g)
		}
	}
	if len(zhG) != 2 || en < 0 {
		t.Fatalf("groups: %d Chinese copies, English %d", len(zhG), en)
	}
	if ix.topic[zhG[0]] != ix.topic[zhG[1]] || ix.topic[zhG[0]] != ix.topic[en] {
		t.Errorf("topics %d, %d and %d: want the two copies and the translation as one", ix.topic[zhG[0]], ix.topic[zhG[1]], ix.topic[en])
	}
}

// The numbering docs put before a question is no part of it.
func TestWithoutNumbering(t *testing.T) {
	for q, want := range map[string]string{
		"3. 迁云工具是否支持断点续传？":                  "迁云工具是否支持断点续传？",
		"TOP 10: Incorrect ICP Filing type": "Incorrect ICP Filing type",
		"TOP 3：证件过期":                        "证件过期",
		"Q2：如何注销？":                          "如何注销？",
		"（一）备案准备":                           "备案准备",
		"1.5 倍带宽如何计费？":                      "1.5 倍带宽如何计费？",
		"Topology FAQ":                      "Topology FAQ",
		"2048 位密钥":                          "2048 位密钥",
	} {
		if got := withoutNumbering(q); got != want {
			t.Errorf("withoutNumbering(%q) = %q, want %q", q, got, want)
		}
	}
}

// nearCopiesPage is an FAQ with two entries that ask nearly one question
// (找回 a filing's Alibaba Cloud account, 找回 the filing account), answered
// in overlapping words but not alike enough to be one topic, a third that
// asks of another thing (the filing password), and others around them.
func nearCopiesPage() string {
	var b strings.Builder
	b.WriteString("# 备案账号 {#concept_acct .concept}\n\n" +
		"## 如何找回备案阿里云账号？ {#section_a .section}\n\n忘记了提交备案时使用的阿里云账号，可以凭备案号和主体证件号码在备案控制台找回，找回后请尽快修改登录密码。\n\n" +
		"## 如何找回备案账号？ {#section_b .section}\n\n凭主体负责人的手机号码在备案控制台找回备案账号，登录后可以查看备案信息和网站信息。\n\n" +
		"## 如何找回备案密码？ {#section_c .section}\n\n工信部备案密码可以在管局系统通过短信重置，与阿里云账号密码无关。\n\n")
	for i, q := range []string{"幕布如何申请", "审核要多久", "域名如何实名认证", "网站名称有什么要求", "前置审批怎么办",
		"公安备案在哪里办", "变更主体信息", "注销网站", "取消接入", "核验单怎么填", "短信核验失败", "人脸核验失败",
		"营业执照过期", "负责人变更", "服务器到期", "多个域名", "个人备案材料", "企业备案材料", "境外公司", "香港服务器"} {
		if i%3 == 0 {
			q = "阿里云" + q // 阿里云 is a word of many questions, as in the filing docs
		}
		fmt.Fprintf(&b, "## %s？ {#section_f%d .section}\n\n关于%s的说明：请按照第%d条规定操作，详见文档第%d节。\n\n", q, i, q, i+1, i+2)
	}
	return b.String()
}

// TestNearCopiesAnswerCloseCall: a close call between two entries that ask
// nearly one question is answered with the better of them; one between
// entries that ask of different things still is not.
func TestNearCopiesAnswerCloseCall(t *testing.T) {
	ix := loadPage(t, nearCopiesPage())
	g := map[string]int32{}
	for i, grp := range ix.groups {
		g[grp.id] = int32(i)
	}
	a, b, c := g["section_a"], g["section_b"], g["section_c"]
	if ix.topic[a] == ix.topic[b] {
		t.Fatal("the two account questions are one topic: the test needs them two")
	}
	if near, q, ans := ix.nearCopies(a, b); !near {
		t.Errorf("account and Alibaba Cloud account: not near copies (questions %.2f, answers %.2f)", q, ans)
	}
	if near, q, ans := ix.nearCopies(b, c); near {
		t.Errorf("account and password: near copies (questions %.2f, answers %.2f)", q, ans)
	}
	ex := ix.Explain("备案账号找不回来了")
	if r := ex.Result; !r.Answered || !ex.Close || !ex.NearCopies || r.Best.Entry.ID != "section_a" && r.Best.Entry.ID != "section_b" {
		t.Errorf("close call of near copies: answered %v with %s (close %v, near %v), want one of the two account entries",
			r.Answered, idOf(r.Best.Entry), ex.Close, ex.NearCopies)
	}
	// With no lead and no contrast enough to answer, only near copies are.
	s := ix.getScratch()
	defer ix.pool.Put(s)
	spans, n := ix.readQuery(s, "备案账号找不回来了", nil)
	s.nSpans = n
	if !ix.accumulate(s, spans[:n], "zh") {
		t.Fatal("nothing to score")
	}
	withParams(t, ix, func(p *params) { p.minMargin, p.marginLog, p.contrastLead = 10, 0, 10 })
	raw := ix.p.minRaw + 0.1
	for _, tc := range []struct {
		second int32
		want   bool
	}{{a, true}, {c, false}} {
		top := [maxSuggestions + 1]scored{{b, raw, math.Log(raw)}, {tc.second, raw - 0.01, math.Log(raw - 0.01)}}
		if d := ix.decide(s, &top); d.answered != tc.want || d.near != tc.want || top[0].g != b {
			t.Errorf("close call beside %s: answered %v (near %v) with %s, want %v with section_b",
				ix.groups[tc.second].id, d.answered, d.near, ix.groups[top[0].g].id, tc.want)
		}
	}
}
