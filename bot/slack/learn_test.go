package slack

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/beianbot/beianbot/bot"
)

// TestRenderFeedbackAndHandoff: 👍/👎/🙋 carry the contract's action ids,
// and a hand-off mentions its people above the text.
func TestRenderFeedbackAndHandoff(t *testing.T) {
	rep := bot.Reply{
		Text: "I've asked a person <to> help.",
		Buttons: []bot.Button{
			{Label: "Pick me", Value: "a|x|en|r1"},
			{Label: "👍 Helpful", Value: "f|u|r1|x", Action: bot.ActionFeedbackUp},
			{Label: "👎 Not helpful", Value: "f|d|r1|x", Action: bot.ActionFeedbackDown},
			{Label: "🙋 Ask a person", Value: "h|r1", Action: bot.ActionHandoff},
		},
		Handoff: &bot.Handoff{Mentions: []string{"S0123ABC", "U0456DEF", "<!channel>", "x"}},
	}
	out := render(rep)
	raw, err := json.Marshal(out[0].Blocks)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []struct {
		Type string `json:"type"`
		Text struct {
			Text string `json:"text"`
		} `json:"text"`
		Elements []struct {
			ActionID string `json:"action_id"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(raw, &blocks); err != nil {
		t.Fatal(err)
	}
	var texts, actions []string
	for _, b := range blocks {
		if b.Type == "section" {
			texts = append(texts, b.Text.Text)
		}
		for _, e := range b.Elements {
			actions = append(actions, e.ActionID)
		}
	}
	if diff := cmp.Diff([]string{"<!subteam^S0123ABC> <@U0456DEF>", "I've asked a person &lt;to&gt; help."}, texts); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"suggest_0", "beianbot_feedback_up", "beianbot_feedback_down", "beianbot_handoff"}, actions); diff != "" {
		t.Errorf("action ids (-want +got):\n%s", diff)
	}
}
