package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/beianbot/beianbot/faq"
)

func newTestResponder(t *testing.T) *Responder {
	t.Helper()
	ix, err := faq.LoadEmbedded(faq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return New(Config{Index: ix})
}

func TestHandle(t *testing.T) {
	r := newTestResponder(t)
	dm := Message{Platform: PlatformConsole, ChatID: "c", UserID: "u", Direct: true}
	group := Message{Platform: PlatformSlack, ChatID: "g", UserID: "u"}
	mention := group
	mention.Addressed = true
	for _, tc := range []struct {
		name    string
		msg     Message
		text    string
		outcome Outcome
		entry   string
		has     string
	}{
		{"dm answer", dm, "香港服务器需要备案吗", OutcomeAnswered, "section_cym_mzr_zdb", "**我的网站域名指向的是香港地区节点服务器，需要备案吗？**"},
		{"dm unsure", dm, "备案", OutcomeSuggested, "", "您是想问"},
		{"dm unsure english", dm, "filing", OutcomeSuggested, "", "Did you mean"},
		{"group confident", group, "论坛怎么备案", OutcomeAnswered, "section_dym_mzr_zdb", "论坛"},
		{"group chatter", group, "今天中午吃什么", OutcomeDeclined, "", ""},
		{"group unsure stays quiet", group, "备案", OutcomeDeclined, "", ""},
		{"group answers only when quite sure", group, "香港服务器太卡了", OutcomeDeclined, "", ""},
		{"mention answers a bare keyword", mention, "香港", OutcomeAnswered, "section_cym_mzr_zdb", ""},
		{"mention unsure", mention, "备案", OutcomeSuggested, "", "您是想问"},
		{"slash question", group, "/beian 论坛怎么备案", OutcomeAnswered, "section_dym_mzr_zdb", ""},
		{"slash help", group, "/beian help", OutcomeHelp, "", "/beian check"},
		{"slash empty", group, "/beian", OutcomeHelp, "", "/beian check"},
		{"start", dm, "/start", OutcomeHelp, "", "/beian check"},
		{"help@bot", group, "/help@beian_bot", OutcomeHelp, "", "/beian check"},
		{"plain help", dm, "帮助", OutcomeHelp, "", "/beian check"},
		{"check unconfigured", dm, "/beian check example.com", OutcomeRefused, "", "not configured"},
		{"check in chinese", dm, "检查 example.com", OutcomeRefused, "", "尚未配置"},
		{"check without domain", dm, "/check", OutcomeRefused, "", "example.com"},
		{"group check not addressed", group, "check example.com", OutcomeDeclined, "", ""},
		{"check sentence is a question", dm, "check why my site is blocked", OutcomeAnswered, "section_iym_mzr_zdb", ""},
		{"empty dm", dm, "   ", OutcomeHelp, "", ""},
		{"empty group", group, "", OutcomeDeclined, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.msg.Text = tc.text
			rep := r.Handle(context.Background(), tc.msg)
			if rep.Outcome != tc.outcome || rep.EntryID != tc.entry {
				t.Errorf("Handle(%q) = %s %q, want %s %q (text %q)", tc.text, rep.Outcome, rep.EntryID, tc.outcome, tc.entry, rep.Text)
			}
			if !strings.Contains(rep.Text, tc.has) {
				t.Errorf("reply text %q lacks %q", rep.Text, tc.has)
			}
			if rep.Silent() != (tc.outcome == OutcomeDeclined) {
				t.Errorf("Silent() = %v", rep.Silent())
			}
		})
	}
}

func TestPress(t *testing.T) {
	r := newTestResponder(t)
	msg := Message{Platform: PlatformTelegram, ChatID: "c", Direct: true, Text: "备案"}
	rep := r.Handle(context.Background(), msg)
	if len(rep.Buttons) == 0 || len(rep.Buttons) > 3 {
		t.Fatalf("buttons = %v, want 1 to 3", rep.Buttons)
	}
	for _, b := range rep.Buttons {
		if len(b.Value) > 64 {
			t.Errorf("button value %q is over 64 bytes", b.Value)
		}
		got := r.Press(context.Background(), msg, b.Value)
		if got.Outcome != OutcomeAnswered || !strings.Contains(got.Text, b.Label) {
			t.Errorf("Press(%q) = %s %q, want the answer to %q", b.Value, got.Outcome, got.Text, b.Label)
		}
	}
	for _, v := range []string{"", "garbage", "a|section_nope|zh", "a||zh"} {
		if got := r.Press(context.Background(), msg, v); got.Outcome != OutcomeRefused || got.Text == "" {
			t.Errorf("Press(%q) = %s %q, want a refusal with a message", v, got.Outcome, got.Text)
		}
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"/beian check example.com", "/check@bot 例子.中国", "检查example.com", "help", "/beian", "/start extra", "check  ", "/\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := parseCommand(s)
		if !ok {
			return
		}
		if c.kind == cmdCheck && strings.ContainsAny(c.arg, " \t\n") && !strings.HasPrefix(s, "/") {
			t.Fatalf("parseCommand(%q) = check %q: a plain check takes one token", s, c.arg)
		}
	})
}
