package bot

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/beianbot/beianbot/faq"
	"github.com/google/go-cmp/cmp"
)

// outcome is what a reply is checked on besides its text.
type outcome struct {
	Outcome Outcome
	Entry   string
	Buttons []string
	Silent  bool
}

func outcomeOf(rep Reply) outcome {
	o := outcome{Outcome: rep.Outcome, Entry: rep.EntryID, Silent: rep.Silent()}
	for _, b := range rep.Buttons {
		o.Buttons = append(o.Buttons, b.Label)
	}
	return o
}

func TestHandle(t *testing.T) {
	f := testFAQ()
	r := New(Config{Index: f})
	dm := Message{Platform: PlatformConsole, ChatID: "c", UserID: "u", Direct: true}
	group := Message{Platform: PlatformSlack, ChatID: "g", UserID: "u"}
	mention := group
	mention.Addressed = true
	answered := func(id string) outcome { return outcome{Outcome: OutcomeAnswered, Entry: id} }
	declined := outcome{Outcome: OutcomeDeclined, Silent: true}
	help := outcome{Outcome: OutcomeHelp}
	refused := outcome{Outcome: OutcomeRefused}
	for _, tc := range []struct {
		name string
		msg  Message
		text string
		want outcome
		// has is a piece of the reply's text; "" means the text must be empty.
		has string
	}{
		{"dm answer", dm, "香港服务器需要备案吗", answered("hk"), "**香港服务器需要备案吗？**\n\n不需要。"},
		{"dm unsure", dm, "备案", outcome{Outcome: OutcomeSuggested, Buttons: []string{"香港服务器需要备案吗？", "论坛如何备案？"}}, "您是想问"},
		{"dm unsure english", dm, "filing", outcome{Outcome: OutcomeSuggested, Buttons: []string{"Does a Hong Kong server need filing?"}}, "Did you mean"},
		{"dm nothing matches", dm, "今天中午吃什么", outcome{Outcome: OutcomeSuggested}, "换个说法"},
		{"group confident", group, "论坛备案", answered("forum"), "**论坛如何备案？**"},
		{"group chatter", group, "今天中午吃什么", declined, ""},
		{"group unsure stays quiet", group, "备案", declined, ""},
		{"group answers only when quite sure", group, "香港", declined, ""},
		{"mention answers above the direct threshold", mention, "香港", answered("hk"), "**香港服务器需要备案吗？**"},
		{"mention unsure", mention, "备案", outcome{Outcome: OutcomeSuggested, Buttons: []string{"香港服务器需要备案吗？", "论坛如何备案？"}}, "您是想问"},
		{"slash question", group, "/beian 论坛备案", answered("forum"), "**论坛如何备案？**"},
		{"slash help", group, "/beian help", help, "/beian check"},
		{"slash empty", group, "/beian", help, "/beian check"},
		{"start", dm, "/start", help, "/beian check"},
		{"help@bot", group, "/help@beian_bot", help, "/beian check"},
		{"plain help", dm, "帮助", help, "/beian check <域名>"},
		{"english help is english only", dm, "help", help, "I answer ICP filing"},
		{"check unconfigured", dm, "/beian check example.com", refused, "not configured"},
		{"check in chinese", dm, "检查 example.com", refused, "尚未配置"},
		{"check without domain", dm, "/check", refused, "Tell me which domain"},
		{"plain check without domain asks for it", dm, "check", refused, "Tell me which domain"},
		{"plain chinese check without domain", dm, "检查", refused, "请告诉我要检查的域名"},
		{"group check not addressed", group, "check example.com", declined, ""},
		{"check sentence is a question", dm, "check why it fails", answered("hk"), "**Does a Hong Kong server need filing?**"},
		{"english question, chinese-only entry", dm, "forum filing", answered("forum"), "(This answer is only available in Chinese.)\n\n**论坛如何备案？**"},
		{"chinese question, english-only entry", dm, "备案要钱吗", answered("price"), "（这个问题只有英文答案。）\n\n**Does filing cost anything?**"},
		{"empty dm", dm, "   ", help, "/beian check <domain>"},
		{"empty group", group, "", declined, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.msg.Text = tc.text
			rep := r.Handle(context.Background(), tc.msg)
			if diff := cmp.Diff(tc.want, outcomeOf(rep)); diff != "" {
				t.Errorf("Handle(%q) (-want +got):\n%s\ntext: %q", tc.text, diff, rep.Text)
			}
			if tc.has == "" && rep.Text != "" || !strings.Contains(rep.Text, tc.has) {
				t.Errorf("Handle(%q) text %q, want it to contain %q (empty: no text)", tc.text, rep.Text, tc.has)
			}
		})
	}
}

func TestThresholds(t *testing.T) {
	f := testFAQ()
	dm := Message{Platform: PlatformTelegram, ChatID: "c", UserID: "u", Direct: true, Text: "香港"} // scores 0.6
	group := Message{Platform: PlatformTelegram, ChatID: "g", UserID: "u", Text: "论坛备案"}          // scores 0.9
	for _, tc := range []struct {
		name           string
		answer, chanel float64
		msg            Message
		want           Outcome
	}{
		{"defaults answer a direct 0.6", 0, 0, dm, OutcomeAnswered},
		{"a higher answer threshold suggests the best entry", 0.7, 0, dm, OutcomeSuggested},
		{"the answer threshold is inclusive", 0.6, 0, dm, OutcomeAnswered},
		{"defaults answer an unaddressed 0.9", 0, 0, group, OutcomeAnswered},
		{"a higher channel threshold declines it", 0, 0.95, group, OutcomeDeclined},
		{"the channel threshold is inclusive", 0, 0.9, group, OutcomeAnswered},
		{"the channel threshold does not bind direct messages", 0, 0.95, dm, OutcomeAnswered},
		{"a channel threshold below the direct one does not lower it", 0.95, 0.6, group, OutcomeDeclined},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := New(Config{Index: f, AnswerMinScore: tc.answer, ChannelMinScore: tc.chanel})
			rep := r.Handle(context.Background(), tc.msg)
			if rep.Outcome != tc.want {
				t.Fatalf("outcome %s, want %s (text %q)", rep.Outcome, tc.want, rep.Text)
			}
			if rep.Outcome == OutcomeSuggested {
				if diff := cmp.Diff([]string{"香港服务器需要备案吗？"}, outcomeOf(rep).Buttons); diff != "" {
					t.Errorf("buttons (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestPress(t *testing.T) {
	r := New(Config{Index: testFAQ()})
	msg := Message{Platform: PlatformTelegram, ChatID: "c", Direct: true, Text: "备案"}
	rep := r.Handle(context.Background(), msg)
	if len(rep.Buttons) != 2 {
		t.Fatalf("buttons = %v, want 2", rep.Buttons)
	}
	for _, b := range rep.Buttons {
		got := r.Press(context.Background(), msg, b.Value)
		if got.Outcome != OutcomeAnswered || !strings.HasPrefix(got.Text, "**"+b.Label+"**") {
			t.Errorf("Press(%q) = %s %q, want the answer to %q", b.Value, got.Outcome, got.Text, b.Label)
		}
	}
	long := buttonValue(&faq.Entry{ID: strings.Repeat("x", 100), Lang: "zh"})
	if len(long) > 64 {
		t.Errorf("button value %q is over 64 bytes", long)
	}
	for _, v := range []string{"", "garbage", "a|section_nope|zh", "a||zh"} {
		if got := r.Press(context.Background(), msg, v); got.Outcome != OutcomeRefused || got.Text == "" {
			t.Errorf("Press(%q) = %s %q, want a refusal with a message", v, got.Outcome, got.Text)
		}
	}
}

// TestHandleEmbeddedFAQ runs a few questions through the real matcher and
// the embedded FAQ.
func TestHandleEmbeddedFAQ(t *testing.T) {
	ix, err := faq.LoadEmbedded(faq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := New(Config{Index: ix})
	dm := Message{Platform: PlatformConsole, ChatID: "c", UserID: "u", Direct: true}
	group := Message{Platform: PlatformSlack, ChatID: "g", UserID: "u"}
	for _, tc := range []struct {
		msg  Message
		text string
		want outcome
	}{
		{dm, "香港服务器需要备案吗", outcome{Outcome: OutcomeAnswered, Entry: "section_cym_mzr_zdb"}},
		{group, "论坛怎么备案", outcome{Outcome: OutcomeAnswered, Entry: "section_dym_mzr_zdb"}},
		{group, "今天中午吃什么", outcome{Outcome: OutcomeDeclined, Silent: true}},
		{dm, "why my website cannot be accessed", outcome{Outcome: OutcomeAnswered, Entry: "section_iym_mzr_zdb"}},
		// "check" without a domain is a question for the FAQ; the word, which
		// the FAQ lacks, leaves the two entries on inaccessible sites close:
		// both are offered, the one that asks why first.
		{dm, "check why my website cannot be accessed", outcome{Outcome: OutcomeSuggested,
			Buttons: []string{"网站无法访问的原因是什么？", "收到信息提示备案成功当日，为何网站仍然无法访问？"}}},
	} {
		t.Run(tc.text, func(t *testing.T) {
			tc.msg.Text = tc.text
			rep := r.Handle(context.Background(), tc.msg)
			if diff := cmp.Diff(tc.want, outcomeOf(rep)); diff != "" {
				t.Errorf("Handle(%q) (-want +got):\n%s", tc.text, diff)
			}
		})
	}
	msg := dm
	msg.Text = "备案"
	rep := r.Handle(context.Background(), msg)
	if rep.Outcome != OutcomeSuggested || len(rep.Buttons) == 0 || len(rep.Buttons) > 3 {
		t.Fatalf("Handle(备案) = %s with %d buttons, want 1 to 3 suggestions", rep.Outcome, len(rep.Buttons))
	}
	for _, b := range rep.Buttons {
		if got := r.Press(context.Background(), msg, b.Value); got.Outcome != OutcomeAnswered || !strings.Contains(got.Text, b.Label) {
			t.Errorf("Press(%q) = %s %q, want the answer to %q", b.Value, got.Outcome, got.Text, b.Label)
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

// TestDecide: the bot answers from its own threshold whatever the matcher
// decided; below it, the matcher's suggestions stand, and a sure answer the
// bot will not give is the one suggestion. A weak best entry the matcher
// did not suggest is not offered.
func TestDecide(t *testing.T) {
	e, o := &faq.Entry{ID: "e"}, &faq.Entry{ID: "o"}
	sure := faq.Result{Answered: true, Best: faq.Match{Entry: e, Score: 0.8}}
	near := faq.Result{Best: faq.Match{Entry: e, Score: 0.45}, Suggestions: []faq.Match{{Entry: e, Score: 0.45}, {Entry: o, Score: 0.3}}}
	weak := faq.Result{Best: faq.Match{Entry: e, Score: 0.05}}
	for _, c := range []struct {
		name     string
		res      faq.Result
		min      float64
		answered bool
		sugg     []string
	}{
		{"sure, default threshold", sure, 0.5, true, nil},
		{"sure, stricter bot", sure, 0.9, false, []string{"e"}},
		{"near, default threshold", near, 0.5, false, []string{"e", "o"}},
		{"near, bolder bot", near, 0.4, true, nil},
		{"weak", weak, 0.5, false, nil},
	} {
		got := Decide(c.res, c.min)
		var ids []string
		for _, s := range got.Suggestions {
			ids = append(ids, s.Entry.ID)
		}
		if got.Answered != c.answered || !slices.Equal(ids, c.sugg) {
			t.Errorf("%s: answered %v, suggestions %v; want %v, %v", c.name, got.Answered, ids, c.answered, c.sugg)
		}
	}
}
