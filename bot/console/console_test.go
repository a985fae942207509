package console

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/beianbot/beianbot/bot"
	"github.com/google/go-cmp/cmp"
)

// fakeResponder answers from a script and records what it was asked.
type fakeResponder struct {
	handled []string
	pressed []string
}

func (f *fakeResponder) Handle(_ context.Context, m bot.Message) bot.Reply {
	f.handled = append(f.handled, m.Text)
	switch m.Text {
	case "unsure":
		return bot.Reply{Outcome: bot.OutcomeSuggested, Lang: "en", Text: "Did you mean:", Buttons: []bot.Button{{Label: "First?", Value: "v1"}, {Label: "Second?", Value: "v2"}}}
	case "check example.com":
		return bot.Reply{Outcome: bot.OutcomeCheck, Text: "Checking…", FollowUp: func(context.Context) bot.Reply {
			return bot.Reply{Outcome: bot.OutcomeCheck, Text: "**example.com**: see [the FAQ](https://example.com/faq)"}
		}}
	case "chatter":
		return bot.Reply{Outcome: bot.OutcomeDeclined}
	case "help":
		return bot.Reply{Outcome: bot.OutcomeHelp, Lang: "en", Text: "I answer questions."}
	}
	return bot.Reply{Outcome: bot.OutcomeAnswered, Text: "answer to " + m.Text}
}

func (f *fakeResponder) Press(_ context.Context, _ bot.Message, v string) bot.Reply {
	f.pressed = append(f.pressed, v)
	return bot.Reply{Outcome: bot.OutcomeAnswered, Text: "pressed " + v}
}

func TestRun(t *testing.T) {
	f := &fakeResponder{}
	var out bytes.Buffer
	in := "7\nhello\n\nunsure\n2\n3\n0\n1\nhelp\n1\ncheck example.com\nchatter\nquit\nafter quit\n"
	if err := Run(context.Background(), f, strings.NewReader(in), &out); err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := out.String()
	for _, want := range []string{
		"answer to hello",
		"  1. First?\n  2. Second?\n(type a number to pick)",
		"现在没有可选的列表，请直接提问。\nThere is no list to pick from now; ask a question.",
		"pressed v2",
		"3 is not on the list: type 1 to 2.",
		"0 is not on the list: type 1 to 2.",
		"pressed v1",
		"> There is no list to pick from now; ask a question.\n> Checking…", // in the language of the last reply
		"I answer questions.\n\nIn the terminal: type a number from a list of suggestions to pick it, and quit to leave",
		"Checking…\nexample.com: see the FAQ (https://example.com/faq)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if diff := cmp.Diff([]string{"v2", "v1"}, f.pressed); diff != "" {
		t.Errorf("pressed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"hello", "unsure", "help", "check example.com", "chatter"}, f.handled); diff != "" {
		t.Errorf("handled (-want +got):\n%s", diff)
	}
}

func TestRunEndsOnEOFAndCancel(t *testing.T) {
	if err := Run(context.Background(), &fakeResponder{}, strings.NewReader("hello"), io.Discard); err != nil {
		t.Errorf("EOF: %v", err)
	}
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, &fakeResponder{}, pr, io.Discard) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestRender(t *testing.T) {
	for in, want := range map[string]string{
		"**bold** and `code`":                    "bold and code",
		"[text](https://a.example/x)":            "text (https://a.example/x)",
		"[https://a.example](https://a.example)": "https://a.example",
		"- item":                                 "- item",
	} {
		if got := Render(in); got != want {
			t.Errorf("Render(%q) = %q, want %q", in, got, want)
		}
	}
}

// rated answers every question with 👍/👎 buttons.
type rated struct{ fakeResponder }

func (r *rated) Handle(_ context.Context, m bot.Message) bot.Reply {
	if m.Text == "unsure" {
		return r.fakeResponder.Handle(context.Background(), m)
	}
	r.handled = append(r.handled, m.Text)
	return bot.Reply{Outcome: bot.OutcomeAnswered, Text: "answer", Buttons: []bot.Button{
		{Label: "👍 Helpful", Value: "up-" + m.Text, Action: bot.ActionFeedbackUp},
		{Label: "👎 Not helpful", Value: "down-" + m.Text, Action: bot.ActionFeedbackDown},
	}}
}

func TestRunFeedback(t *testing.T) {
	r := &rated{}
	var out bytes.Buffer
	in := "q1\n+\nq2\nbad\nunsure\n-\n"
	if err := Run(context.Background(), r, strings.NewReader(in), &out); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if diff := cmp.Diff([]string{"up-q1", "down-q2"}, r.pressed); diff != "" {
		t.Errorf("pressed (-want +got):\n%s", diff)
	}
	// After a suggestion list there is no 👎 to press: "-" is a question.
	if diff := cmp.Diff([]string{"q1", "q2", "unsure", "-"}, r.handled); diff != "" {
		t.Errorf("handled by the fake (-want +got):\n%s", diff)
	}
	if !strings.Contains(out.String(), "👍 Helpful (+)   👎 Not helpful (-)") {
		t.Errorf("the 👍/👎 are not shown with their keys:\n%s", out.String())
	}
}
