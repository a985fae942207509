package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// explainFAQ is a small FAQ with two entries that differ only in what is
// filed (论坛, 博客), so a query naming neither ties them.
const explainFAQ = "testdata/explain"

// wantLinesInOrder fails unless, for each pattern in turn, some later line
// of out matches it.
func wantLinesInOrder(t *testing.T, out string, patterns ...string) {
	t.Helper()
	lines := strings.Split(out, "\n")
	i := 0
	for _, p := range patterns {
		re := regexp.MustCompile(p)
		for i < len(lines) && !re.MatchString(lines[i]) {
			i++
		}
		if i == len(lines) {
			t.Errorf("no line matching %q (after the earlier patterns) in:\n%s", p, out)
			return
		}
		i++
	}
}

func TestAskExplainText(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   map[string]string
		query string
		want  []string
	}{{
		name:  "answered, one clause",
		query: "香港服务器要备案吗",
		want: []string{
			`^query: 香港服务器要备案吗$`,
			`^decision: answered with section_cym_mzr_zdb \(zh\), score 0\.\d\d$`,
			`^  我的网站域名指向的是香港地区节点服务器，需要备案吗？$`,
			`^  in chat: a direct question or mention is answered from 0\.50 \(BEIANBOT_ANSWER_AT\): answered;$`,
			`^  a channel message not addressed to the bot from 0\.70 \(BEIANBOT_CHANNEL_ANSWER_AT\): answered$`,
			`^clauses: one; the whole query is the question$`,
			`^terms the FAQ has, with their weights`,
			`(^|  )香港 \d+\.\d\d(  |$)`,
			`^entries \(best first\):$`,
			`^  1\. section_cym_mzr_zdb \(zh\) score 0\.\d\d, raw 0\.\d{3}, rank bonus [+-]0\.\d\d  <- best$`,
			`^     我的网站域名指向的是香港地区节点服务器，需要备案吗？$`,
			`^     scored on: the whole query; query coverage [01]\.\d\d, entry coverage [01]\.\d\d, penalty (none|x0\.\d\d)$`,
			`^     in question: (.* )?香港( |$)`,
			`^     in phrasings: `,
			`^     in answer: `,
			`^  2\. section_\w+ \(zh\) score 0\.\d\d, raw 0\.\d{3}, rank bonus [+-]0\.\d\d$`,
		},
	}, {
		name:  "long message: the asking clause scores",
		env:   map[string]string{"BEIANBOT_FAQ": explainFAQ},
		query: "你好。我们刚建了一个论坛，用户挺多的。论坛备案要准备哪些材料？谢谢",
		want: []string{
			`^decision: answered with section_forum \(zh\), score 0\.\d\d$`,
			`^clauses \(> the one taken as the question\):$`,
			`^    1\. 你好。$`,
			`^    2\. 我们刚建了一个论坛，用户挺多的。$`,
			`^  > 3\. 论坛备案要准备哪些材料？$`,
			`^    4\. 谢谢$`,
			`^  1\. section_forum \(zh\) .*  <- best$`,
			`^     scored on: the asking clause; `,
			`^     in question: (.* )?论坛( |$)`,
			`^  2\. section_blog \(zh\) `,
		},
	}, {
		name:  "a tie between two topics declines",
		env:   map[string]string{"BEIANBOT_FAQ": explainFAQ},
		query: "论坛博客备案需要哪些材料",
		want: []string{
			`^decision: not answered: the best entry scores 0\.\d\d, but another topic scores too close$`,
			`^  to it to tell them apart, so the score is held at 0\.49$`,
			`^  words only it has are 0% of the query, net of the other's; 25% would tell them apart$`,
			`^  nor are the two near copies, either of which would answer: (questions|answers)' cosine [01]\.\d\d, from 0\.[38]0$`,
			`^  suggested instead: section_(forum|blog) \(0\.49\), section_(forum|blog) \(0\.49\)$`,
			`^  in chat: .* from 0\.50 \(BEIANBOT_ANSWER_AT\): not answered;$`,
			`^entries \(best first\):$`,
			`^  1\. section_(forum|blog) `,
			`^  2\. section_(forum|blog) `,
		},
	}, {
		name:  "a lower configured threshold answers in chat what the matcher only suggests",
		env:   map[string]string{"BEIANBOT_FAQ": explainFAQ, "BEIANBOT_ANSWER_AT": "0.4"},
		query: "论坛博客备案需要哪些材料",
		want: []string{
			`^decision: not answered: `,
			`^  in chat: a direct question or mention is answered from 0\.40 \(BEIANBOT_ANSWER_AT\): answered;$`,
			`^  a channel message not addressed to the bot from 0\.70 \(BEIANBOT_CHANNEL_ANSWER_AT\): not answered$`,
		},
	}, {
		name:  "words the FAQ does not have",
		env:   map[string]string{"BEIANBOT_FAQ": explainFAQ},
		query: "今天天气怎么样",
		want: []string{
			`^decision: not answered: no entry scored above zero$`,
			`^terms no entry has: each counts against every entry alike`,
			`(^|  )天气 \d+\.\d\d(  |$)`,
			`^entries: none scored above zero$`,
		},
	}, {
		name:  "an empty question",
		query: " ",
		want: []string{
			`^decision: not answered: no entry scored above zero$`,
			`^clauses: none \(nothing to match\)$`,
			`^terms: none$`,
			`^entries: none scored above zero$`,
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, env(tc.env), "", "ask", "--explain", tc.query)
			if code != exitOK {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			wantLinesInOrder(t, out, tc.want...)
			if !strings.HasSuffix(out, "\n\n") {
				t.Errorf("output does not end with a blank line:\n%s", out)
			}
		})
	}
}

func TestAskExplainJSON(t *testing.T) {
	q := "今天天气不错。我们公司在做一个论坛。请问论坛怎么备案？"
	code, out, errOut := runCLI(t, env(nil), "", "ask", "--explain", "--json", q)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if strings.Count(out, "\n") != 1 {
		t.Fatalf("want one line, got:\n%s", out)
	}

	// The names are the contract's snake_case ones.
	var raw struct {
		Top     map[string]json.RawMessage
		Entries []map[string]json.RawMessage
		Terms   []map[string]json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &raw.Top); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw.Top["entries"], &raw.Entries); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw.Top["terms"], &raw.Terms); err != nil {
		t.Fatal(err)
	}
	if len(raw.Entries) == 0 || len(raw.Terms) == 0 {
		t.Fatalf("no entries or no terms: %s", out)
	}
	keysOf := func(m map[string]json.RawMessage) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	for _, c := range []struct {
		what string
		m    map[string]json.RawMessage
		want []string
	}{
		{"top level", raw.Top, []string{"answer_at", "asking", "channel_answer_at", "clauses", "close", "contrast", "contrast_lead", "entries", "near_answer", "near_copies", "near_question", "own_sense", "query", "readings", "reranked", "result", "terms", "unknown_attribute"}},
		{"entry", raw.Entries[0], []string{"entry_coverage", "id", "in_answer", "in_phrasings", "in_question", "lang",
			"penalty", "query_coverage", "question", "rank_bonus", "raw", "score", "span"}},
		{"term", raw.Terms[0], []string{"known", "term", "weight"}},
	} {
		if diff := cmp.Diff(c.want, keysOf(c.m)); diff != "" {
			t.Errorf("%s keys (-want +got):\n%s", c.what, diff)
		}
	}

	var got explainOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Query != q || got.Result.Query != q {
		t.Errorf("query = %q, result.query = %q, want %q", got.Query, got.Result.Query, q)
	}
	if !got.Result.Answered || got.Result.ID == nil || *got.Result.ID != "section_dym_mzr_zdb" {
		t.Errorf("result = %+v, want answered with section_dym_mzr_zdb", got.Result)
	}
	if diff := cmp.Diff([]string{"今天天气不错。", "我们公司在做一个论坛。", "请问论坛怎么备案？"}, got.Clauses); diff != "" {
		t.Errorf("clauses (-want +got):\n%s", diff)
	}
	if got.Asking != 2 {
		t.Errorf("asking = %d, want 2", got.Asking)
	}
	if got.AnswerAt != 0.5 || got.ChannelAnswerAt != 0.7 {
		t.Errorf("answer_at, channel_answer_at = %v, %v; want the defaults 0.5, 0.7", got.AnswerAt, got.ChannelAnswerAt)
	}
	known := map[string]bool{}
	for _, tw := range got.Terms {
		known[tw.Term] = tw.Known
		if tw.Weight <= 0 {
			t.Errorf("term %+v: weight not positive", tw)
		}
	}
	if k, ok := known["论坛"]; !ok || !k {
		t.Errorf("term 论坛 known = %v (present %v), want a known term; terms %+v", k, ok, got.Terms)
	}
	if k, ok := known["天气"]; !ok || k {
		t.Errorf("term 天气 known = %v (present %v), want an unknown term; terms %+v", k, ok, got.Terms)
	}
	best := got.Entries[0]
	spans := []string{"whole", "asking clause", "asking clause with the one before"}
	if best.ID != "section_dym_mzr_zdb" || !slices.Contains(spans, best.Span) || !slices.Contains(best.InQuestion, "论坛") {
		t.Errorf("best entry = %+v, want section_dym_mzr_zdb scored on one of %q with 论坛 in its question", best, spans)
	}
	for i, e := range got.Entries {
		for _, f := range []float64{e.Score, e.Raw, e.QueryCoverage, e.EntryCoverage, e.Penalty} {
			if f < 0 || f > 1 {
				t.Errorf("entry %d %s: a figure out of [0, 1]: %+v", i, e.ID, e)
			}
		}
		// Entries come in the matcher's order, log(raw) + rank_bonus, to
		// the rounding of the figures.
		if key := func(e explainEntry) float64 { return math.Log(e.Raw) + e.RankBonus }; i > 0 && key(e) > key(got.Entries[i-1])+0.01 {
			p := got.Entries[i-1]
			t.Errorf("entries not best first: %s raw %v bonus %v after %s raw %v bonus %v", e.ID, e.Raw, e.RankBonus, p.ID, p.Raw, p.RankBonus)
		}
		if e.RankBonus < -1 || e.RankBonus > 1 {
			t.Errorf("entry %s: rank bonus %v out of [-1, 1]", e.ID, e.RankBonus)
		}
		if e.InQuestion == nil || e.InPhrasings == nil || e.InAnswer == nil {
			t.Errorf("entry %s: a term list is null, want []", e.ID)
		}
	}
}

// TestAskExplainReadings checks that explain says which words it read as
// others: an English typo, pinyin, a character of the same sound.
func TestAskExplainReadings(t *testing.T) {
	code, out, errOut := runCLI(t, env(nil), "", "ask", "--explain", "--json", "网占打不开，can a persn open a luntan")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var got explainOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	want := []explainRead{{"persn", "person"}, {"luntan", "论坛"}, {"网占", "网站"}}
	if diff := cmp.Diff(want, got.Readings); diff != "" {
		t.Errorf("readings (-want +got):\n%s", diff)
	}
	code, out, _ = runCLI(t, env(nil), "", "ask", "--explain", "论坛怎么备案")
	if code != exitOK || strings.Contains(out, "read as") {
		t.Errorf("a query read as written reports readings:\n%s", out)
	}
	code, out, _ = runCLI(t, env(nil), "", "ask", "--explain", "can a persn open a luntan")
	if code != exitOK || !strings.Contains(out, "persn → person") {
		t.Errorf("the text report does not say persn was read as person:\n%s", out)
	}
}

func TestAskExplainStdin(t *testing.T) {
	in := "香港服务器要备案吗\n\n\xff\xfe broken utf-8\n论坛怎么备案\n"
	t.Run("json", func(t *testing.T) {
		code, out, errOut := runCLI(t, env(nil), in, "ask", "--explain", "--json")
		if code != exitOK {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		var ids []string
		for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			var o explainOutput
			if err := json.Unmarshal([]byte(l), &o); err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			id := "-"
			if o.Result.ID != nil {
				id = *o.Result.ID
			}
			ids = append(ids, id)
		}
		if diff := cmp.Diff([]string{"section_cym_mzr_zdb", "-", "-", "section_dym_mzr_zdb"}, ids); diff != "" {
			t.Errorf("answers per line (-want +got):\n%s", diff)
		}
	})
	t.Run("text", func(t *testing.T) {
		code, out, errOut := runCLI(t, env(nil), in, "ask", "--explain")
		if code != exitOK {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		wantLinesInOrder(t, out,
			`^query: 香港服务器要备案吗$`, `^decision: answered with section_cym_mzr_zdb `, `^$`,
			`^query: $`, `^decision: not answered`, `^$`,
			`^query: \x{FFFD} broken utf-8$`, `^decision: not answered`, `^$`,
			`^query: 论坛怎么备案$`, `^decision: answered with section_dym_mzr_zdb `, `^$`)
		if n := strings.Count(out, "\nquery: ") + 1; n != 4 {
			t.Errorf("%d reports, want 4:\n%s", n, out)
		}
	})
}

func TestAskExplainHelp(t *testing.T) {
	code, out, _ := runCLI(t, env(nil), "", "ask", "--help")
	if code != exitOK || !strings.Contains(out, "--explain") || !strings.Contains(out, "With --explain,") {
		t.Errorf("ask --help: exit %d, output lacks --explain:\n%s", code, out)
	}
	code, out, _ = runCLI(t, env(nil), "", "help")
	if code != exitOK || !strings.Contains(out, "beianbot ask --explain") {
		t.Errorf("help: exit %d, output lacks ask --explain:\n%s", code, out)
	}
}

// TestAskExplainOwnSense checks that explain names the words a FAQ uses in
// a sense of its own: a storage FAQ's "file" is a file, not a filing.
func TestAskExplainOwnSense(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Storage {#concept_s .concept}\n\n")
	for i := range 20 {
		fmt.Fprintf(&b, "## 如何上传第%d类文件？ {#section_z%d .section}\n\n答案。\n\n", i, i)
		fmt.Fprintf(&b, "## How do I upload file type %d? {#section_e%d .section}\n\nAnswer.\n\n", i, i)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "storage.md"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, env(nil), "", "ask", "--explain", "--json", "--faq", dir, "upload a file")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var got explainOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"file"}, got.OwnSense); diff != "" {
		t.Errorf("own_sense (-want +got):\n%s", diff)
	}
	code, out, _ = runCLI(t, env(nil), "", "ask", "--explain", "--faq", dir, "upload a file")
	if code != exitOK || !strings.Contains(out, "read as written") {
		t.Errorf("the text report does not say file was read as written:\n%s", out)
	}
	// The embedded FAQ reads "file" as filing.
	code, out, _ = runCLI(t, env(nil), "", "ask", "--explain", "--json", "do I need to file my site")
	if err := json.Unmarshal([]byte(out), &got); code != exitOK || err != nil || len(got.OwnSense) != 0 {
		t.Errorf("embedded FAQ: own_sense %v (exit %d, %v)", got.OwnSense, code, err)
	}
}
