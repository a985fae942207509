package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// env returns a getenv over m; BEIANBOT_DATABASE_URL, unless m sets it, is
// a file in a directory of the test binary's own (see TestMain).
func env(m map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := m[k]; !ok && k == "BEIANBOT_DATABASE_URL" {
			return testDatabase
		} else {
			return v
		}
	}
}

func runCLI(t *testing.T, getenv func(string) string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestAskJSONBatch(t *testing.T) {
	in := "香港服务器要备案吗\n今天天气怎么样\n\xff\xfe broken utf-8\n论坛怎么备案\n"
	code, out, errOut := runCLI(t, env(nil), in, "ask", "--json")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want 4 (one per question):\n%s", len(lines), out)
	}
	var got []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		for _, k := range []string{"query", "answered", "id", "question", "answer", "score", "lang", "suggestions"} {
			if _, ok := m[k]; !ok {
				t.Errorf("line %q lacks %q", l, k)
			}
		}
		got = append(got, m)
	}
	if got[0]["answered"] != true || got[0]["id"] != "section_cym_mzr_zdb" || got[0]["lang"] != "zh" {
		t.Errorf("first answer = %v", got[0])
	}
	if got[1]["answered"] != false || got[1]["id"] != nil || got[1]["answer"] != nil {
		t.Errorf("out-of-scope answer = %v, want answered false and null id/answer", got[1])
	}
	if got[3]["id"] != "section_dym_mzr_zdb" {
		t.Errorf("fourth answer = %v", got[3])
	}
	if s, ok := got[0]["score"].(float64); !ok || s < 0 || s > 1 {
		t.Errorf("score = %v, want in [0, 1]", got[0]["score"])
	}
}

// TestAskFollowsAnswerAt: ask answers as a direct question in chat would,
// from BEIANBOT_ANSWER_AT: stricter, a sure answer becomes the suggestion;
// bolder, a near one is given.
func TestAskFollowsAnswerAt(t *testing.T) {
	ask := func(at, q string) map[string]any {
		t.Helper()
		code, out, errOut := runCLI(t, env(map[string]string{"BEIANBOT_ANSWER_AT": at, "BEIANBOT_CHANNEL_ANSWER_AT": "0.99"}), "", "ask", "--json", q)
		if code != 0 {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		return m
	}
	const q = "网站被拦截了"
	def := ask("", q)
	score, _ := def["score"].(float64)
	if def["answered"] != true || score >= 0.95 {
		t.Fatalf("default = %v, want an answer below 0.95", def)
	}
	strict := ask("0.95", q)
	sugg, _ := strict["suggestions"].([]any)
	if strict["answered"] != false || strict["id"] != nil || len(sugg) != 1 || sugg[0].(map[string]any)["id"] != def["id"] {
		t.Errorf("BEIANBOT_ANSWER_AT=0.95: %v, want not answered with the answer as the one suggestion", strict)
	}
	const near = "备案成功了同步要几天"
	n := ask("", near)
	ns, _ := n["score"].(float64)
	if n["answered"] != false || ns < 0.1 {
		t.Fatalf("%q scores %v answered=%v by default: pick a question the seed FAQ nearly answers", near, ns, n["answered"])
	}
	bold := ask(fmt.Sprint(ns-0.05), near)
	if bold["answered"] != true || bold["id"] == nil {
		t.Errorf("BEIANBOT_ANSWER_AT=%.2f: %v, want the best entry (score %.2f) answered", ns-0.05, bold, ns)
	}
}

func TestAskArgs(t *testing.T) {
	code, out, _ := runCLI(t, env(nil), "", "ask", "do", "I", "need", "filing", "for", "a", "Hong", "Kong", "server")
	if code != 0 || !strings.Contains(out, "section_cym_mzr_zdb") {
		t.Errorf("exit %d, out %q", code, out)
	}
}

func TestAskWithCorpusFolder(t *testing.T) {
	code, out, errOut := runCLI(t, env(map[string]string{"BEIANBOT_FAQ": "../../faq/testdata/docs"}), "", "ask", "--json", "how do I check my filing status")
	if code != 0 || !strings.Contains(out, `"id":"concept_q1"`) {
		t.Errorf("exit %d, out %q, err %q", code, out, errOut)
	}
}

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stderr string
	}{
		{"unknown command", nil, []string{"frobnicate"}, 2, "unknown command"},
		{"bad flag", nil, []string{"ask", "--nope"}, 2, "ask:"},
		{"missing faq", map[string]string{"BEIANBOT_FAQ": "/nonexistent/faq"}, []string{"ask", "hi"}, 1, "/nonexistent/faq"},
		{"faq with nothing sound", map[string]string{"BEIANBOT_FAQ": "../../faq/testdata/bad/unclosed"}, []string{"ask", "hi"}, 1, "unclosed.md:3: unclosed"},
		{"lint broken", nil, []string{"faq", "lint", "../../faq/testdata/bad"}, 1, "4 problem(s)"},
		{"lint without paths", nil, []string{"faq", "lint"}, 2, "name FAQ files"},
		{"faq without subcommand", nil, []string{"faq"}, 2, "want 'list'"},
		{"bad log level", map[string]string{"BEIANBOT_LOG_LEVEL": "loud"}, []string{"run"}, 2, "BEIANBOT_LOG_LEVEL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, env(tc.env), "", tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.stderr) {
				t.Errorf("exit %d stderr %q, want %d containing %q", code, errOut, tc.code, tc.stderr)
			}
			if strings.Contains(errOut, "goroutine ") {
				t.Errorf("panic trace on stderr: %s", errOut)
			}
			if n := strings.Count(strings.TrimSpace(errOut), "\n"); tc.code == 2 && n > 0 {
				t.Errorf("usage error is %d lines, want one", n+1)
			}
		})
	}
}

func TestFAQListAndLint(t *testing.T) {
	code, out, _ := runCLI(t, env(nil), "", "faq", "list")
	if code != 0 || strings.Count(out, "\n") != 8 || !strings.Contains(out, "section_bym_mzr_zdb\tzh\t通过 IP 访问的网站如何备案？") {
		t.Errorf("faq list: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, env(nil), "", "faq", "lint", "../../faq/testdata/docs")
	if code != 0 || strings.TrimSpace(out) != "ok" {
		t.Errorf("faq lint good: exit %d %q", code, out)
	}
	code, out, _ = runCLI(t, env(nil), "", "faq", "lint", "../../faq/testdata/bad")
	if code != 1 || !strings.Contains(out, "broken.md:13: duplicate id section_dup") {
		t.Errorf("faq lint bad: exit %d %q", code, out)
	}
}
