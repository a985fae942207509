package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
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

// learnResponder answers 👍 privately and 🙋 with a hand-off.
type learnResponder struct{ fakeResponder }

func (r *learnResponder) Press(_ context.Context, m bot.Message, value string) bot.Reply {
	if strings.HasPrefix(value, "h|") {
		return bot.Reply{Outcome: bot.OutcomeHandoff, Text: "asked a person", Handoff: &bot.Handoff{Mentions: []string{"S0123ABC"}}}
	}
	return bot.Reply{Outcome: bot.OutcomeFeedback, Private: true, Text: "thanks"}
}

// TestFeedbackPresses: a 👍 is acknowledged ephemerally through the
// response_url, never in the thread; a 🙋 pressed in an ephemeral message
// mentions its people in the open thread.
func TestFeedbackPresses(t *testing.T) {
	r := &learnResponder{}
	h := newHarness(t, harnessOpts{cfg: func(c *Config) { c.Responder = r }})
	const form = "application/x-www-form-urlencoded"
	up := interactionBody(t, map[string]any{"type": "block_actions", "trigger_id": "T1",
		"user": map[string]any{"id": "U1"}, "channel": map[string]any{"id": "C1"},
		"container":    map[string]any{"type": "message", "message_ts": "1.2", "channel_id": "C1"},
		"message":      map[string]any{"ts": "1.2", "thread_ts": "1.1"},
		"response_url": h.slack.hookURL(),
		"actions":      []map[string]any{{"action_id": bot.ActionFeedbackUp, "block_id": suggestBlockID, "value": "f|u|r1|x"}}})
	handoff := interactionBody(t, map[string]any{"type": "block_actions", "trigger_id": "T2",
		"user": map[string]any{"id": "U1"}, "channel": map[string]any{"id": "C1"},
		"container":    map[string]any{"type": "message", "message_ts": "1.3", "channel_id": "C1", "is_ephemeral": true, "thread_ts": "1.1"},
		"response_url": h.slack.hookURL(),
		"actions":      []map[string]any{{"action_id": bot.ActionHandoff, "block_id": suggestBlockID, "value": "h|r1"}}})
	for _, b := range [][]byte{up, handoff} {
		if w := h.do("/slack/interactions", form, b); w.Code != http.StatusOK {
			t.Fatalf("status %d, want 200", w.Code)
		}
	}
	h.stop()
	hooks := h.slack.recorded("response_url")
	if len(hooks) != 1 || hooks[0].JSON["replace_original"] == true || hooks[0].JSON["response_type"] != "ephemeral" {
		t.Errorf("response_url posts %v, want one ephemeral thanks that replaces nothing", hooks)
	}
	posts := h.slack.recorded("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("channel") != "C1" || posts[0].Form.Get("thread_ts") != "1.1" ||
		!strings.Contains(posts[0].Form.Get("blocks"), "subteam^S0123ABC") {
		t.Errorf("posts %v, want the hand-off mention in thread 1.1 of C1", posts)
	}
}

// TestPost: a scheduled digest is posted to the channel, not in a thread.
func TestPost(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	digest := bot.Reply{Outcome: bot.OutcomeAdmin, Text: "**Review since 2026-11-24**\n\n- 9× 备案号放在哪里"}
	if err := h.a.Post(context.Background(), "C0123ABC", digest); err != nil {
		t.Fatal(err)
	}
	h.stop()
	posts := h.slack.recorded("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("channel") != "C0123ABC" || posts[0].Form.Get("thread_ts") != "" ||
		!strings.Contains(posts[0].Form.Get("blocks"), "*Review since 2026-11-24*") {
		t.Errorf("posts %v, want the digest in mrkdwn at the top of C0123ABC", posts)
	}
}
