package console

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/beianbot/beianbot/bot"
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
		return bot.Reply{Outcome: bot.OutcomeSuggested, Text: "Did you mean:", Buttons: []bot.Button{{Label: "First?", Value: "v1"}, {Label: "Second?", Value: "v2"}}}
	case "check example.com":
		return bot.Reply{Outcome: bot.OutcomeCheck, Text: "Checking…", FollowUp: func(context.Context) bot.Reply {
			return bot.Reply{Outcome: bot.OutcomeCheck, Text: "**example.com**: see [the FAQ](https://example.com/faq)"}
		}}
	case "chatter":
		return bot.Reply{Outcome: bot.OutcomeDeclined}
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
	in := "hello\n\nunsure\n2\n3\ncheck example.com\nchatter\nquit\nafter quit\n"
	if err := Run(context.Background(), f, strings.NewReader(in), &out); err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := out.String()
	for _, want := range []string{
		"answer to hello",
		"  1. First?\n  2. Second?\n(type a number to pick)",
		"pressed v2",
		"answer to 3", // a number with no such suggestion is a question
		"Checking…\nexample.com: see the FAQ (https://example.com/faq)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Join(f.pressed, ",") != "v2" {
		t.Errorf("pressed %v, want [v2]", f.pressed)
	}
	for _, h := range f.handled {
		if h == "after quit" || h == "" {
			t.Errorf("handled %q", h)
		}
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
