package telegram

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/beianbot/beianbot/bot"
)

// TestKeyboardVotesShareARow: 👍 and 👎 sit side by side; suggestions and
// the hand-off have a row each.
func TestKeyboardVotesShareARow(t *testing.T) {
	a := &Adapter{logger: slog.New(slog.DiscardHandler)}
	kb := a.keyboard([]bot.Button{
		{Label: "First?", Value: "a|x|zh|r1"},
		{Label: "👍", Value: "f|u|r1|x", Action: bot.ActionFeedbackUp},
		{Label: "👎", Value: "f|d|r1|x", Action: bot.ActionFeedbackDown},
		{Label: "🙋", Value: "h|r1", Action: bot.ActionHandoff},
	})
	var got [][]string
	for _, row := range kb.InlineKeyboard {
		var r []string
		for _, b := range row {
			r = append(r, *b.CallbackData)
		}
		got = append(got, r)
	}
	want := [][]string{{"a|x|zh|r1"}, {"f|u|r1|x", "f|d|r1|x"}, {"h|r1"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keyboard rows (-want +got):\n%s", diff)
	}
}

func TestCallbackText(t *testing.T) {
	long := ""
	for range 300 {
		long += "谢"
	}
	for _, tc := range []struct{ in, want string }{
		{"谢谢反馈！ / Thanks for the **feedback**!", "谢谢反馈！ / Thanks for the feedback!"},
		{"a\n\n`b`", "a b"},
	} {
		if got := callbackText(tc.in); got != tc.want {
			t.Errorf("callbackText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := []rune(callbackText(long)); len(got) != maxCallbackText {
		t.Errorf("callbackText of 300 characters: %d characters, want %d", len(got), maxCallbackText)
	}
}

// TestPost: a scheduled digest goes to the chat by id, as HTML; a chat
// that is not an id is an error, not a call.
func TestPost(t *testing.T) {
	e := newTestEnv(t, nil)
	digest := bot.Reply{Outcome: bot.OutcomeAdmin, Text: "**Review since 2026-11-24**\n\n- 9× 备案号放在哪里"}
	if err := e.a.Post(t.Context(), "-100123", digest); err != nil {
		t.Fatal(err)
	}
	sent := e.api.get("sendMessage")
	if len(sent) != 1 || sent[0].params.Get("chat_id") != "-100123" || sent[0].params.Get("parse_mode") != "HTML" ||
		!strings.Contains(sent[0].params.Get("text"), "<b>Review since 2026-11-24</b>") {
		t.Errorf("sendMessage %v, want the digest in HTML to -100123", sent)
	}
	if err := e.a.Post(t.Context(), "#general", digest); err == nil {
		t.Error("Post to a chat that is not an id: no error")
	}
}
