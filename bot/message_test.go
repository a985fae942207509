package bot

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A command the adapter delivered in Command and Args is read from those
// fields, not parsed back out of text.
func TestCommandFields(t *testing.T) {
	r := New(Config{Index: testFAQ()})
	group := Message{Platform: PlatformSlack, ChatID: "g", UserID: "u"}
	tests := []struct {
		name          string
		command, args string
		want          outcome
	}{
		{"question", "beian", "论坛备案", outcome{Outcome: OutcomeAnswered, Entry: "forum"}},
		{"empty is help", "beian", "", outcome{Outcome: OutcomeHelp}},
		{"help", "beian", "help", outcome{Outcome: OutcomeHelp}},
		{"check", "beian", "check example.com", outcome{Outcome: OutcomeRefused}},
		{"telegram check", "check", "example.com", outcome{Outcome: OutcomeRefused}},
		{"start", "start", "", outcome{Outcome: OutcomeHelp}},
		{"check without a domain", "check", "", outcome{Outcome: OutcomeRefused}},
		{"unknown command is a question", "faqs", "论坛备案", outcome{Outcome: OutcomeAnswered, Entry: "forum"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := group
			msg.Command, msg.Args, msg.Text, msg.Addressed = tt.command, tt.args, tt.args, true
			if diff := cmp.Diff(tt.want, outcomeOf(r.Handle(context.Background(), msg))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
