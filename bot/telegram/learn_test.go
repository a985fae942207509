package telegram

import (
	"log/slog"
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
