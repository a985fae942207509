package main

import (
	"strings"
	"testing"
)

func TestHelpFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"ask", "--help"}, []string{"usage: beianbot ask [--json] [--explain] [--faq PATHS] [QUERY...]", "-json", "-explain", "-faq"}},
		{[]string{"ask", "-h"}, []string{"usage: beianbot ask"}},
		{[]string{"check", "--help"}, []string{"usage: beianbot check [--json] [--lang zh|en] [--faq PATHS] INPUT"}},
		{[]string{"help"}, []string{"--faq PATHS", "beianbot version"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, env(nil), "", tc.args...)
			if code != exitOK || errOut != "" {
				t.Errorf("exit %d, stderr %q; want 0 and nothing", code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestAskPlainIsOneLinePerQuestion(t *testing.T) {
	in := "香港服务器要备案吗\n今天天气怎么样\n备案\n"
	code, out, errOut := runCLI(t, env(nil), in, "ask")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines for 3 questions:\n%s", len(lines), out)
	}
	var ids []string
	for _, l := range lines {
		f := strings.Split(l, "\t")
		if len(f) != 4 {
			t.Errorf("line %q has %d tab-separated fields, want 4", l, len(f))
			continue
		}
		ids = append(ids, f[0])
	}
	if len(ids) == 3 && (ids[0] != "section_cym_mzr_zdb" || ids[1] != "-") {
		t.Errorf("ids = %q, want section_cym_mzr_zdb for the first and - for the chatter", ids)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, env(nil), "", "version")
	if code != exitOK || !strings.HasPrefix(out, "beianbot ") || !strings.Contains(out, "go:       go1.") {
		t.Errorf("version: exit %d\n%s", code, out)
	}
	if code, _, _ := runCLI(t, env(nil), "", "version", "extra"); code != exitUsage {
		t.Errorf("version extra: exit %d, want 2", code)
	}
}

func TestCheckFlagsAroundInput(t *testing.T) {
	for _, args := range [][]string{
		{"check", "--lang", "fr", "example.com"},
		{"check", "example.com", "--lang=fr"},
		{"check", "--nope", "example.com"},
		{"check"},
		{"check", "a.com", "b.com"},
	} {
		code, _, errOut := runCLI(t, env(nil), "", args...)
		if code != exitUsage || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and one line", args, code, errOut)
		}
	}
}
