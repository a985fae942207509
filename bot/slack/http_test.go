package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/beianbot/beianbot/bot"
)

func eventBody(id, text string) []byte {
	b, _ := json.Marshal(map[string]any{"type": "event_callback", "event_id": id, "event": map[string]any{
		"type": "message", "user": "U1", "text": text, "ts": "1.1", "channel": "C1", "channel_type": "channel"}})
	return b
}

func commandBody(text, responseURL string) []byte {
	return []byte(url.Values{"command": {"/beian"}, "text": {text}, "user_id": {"U1"},
		"channel_id": {"C1"}, "response_url": {responseURL}, "team_id": {"T1"}}.Encode())
}

func interactionBody(t testing.TB, cb map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(cb)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(url.Values{"payload": {string(b)}}.Encode())
}

// TestSignatures checks that every endpoint refuses forged, stale and
// unsigned requests with 401 and does nothing, and accepts a good one.
func TestSignatures(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	const form = "application/x-www-form-urlencoded"
	press := interactionBody(t, map[string]any{"type": "block_actions",
		"user": map[string]any{"id": "U1"}, "channel": map[string]any{"id": "C1"},
		"container": map[string]any{"type": "message", "message_ts": "1.2", "channel_id": "C1"},
		"message":   map[string]any{"ts": "1.2", "thread_ts": "1.1"},
		"actions":   []map[string]any{{"action_id": "suggest_0", "block_id": suggestBlockID, "value": "a|x|zh"}}})
	endpoints := []struct {
		path, ctype string
		body        []byte
	}{
		{"/slack/events", "application/json", eventBody("Ev1", "备案要多久")},
		{"/slack/commands", form, commandBody("help", h.slack.hookURL())},
		{"/slack/interactions", form, press},
	}
	now := time.Now()
	attacks := []struct {
		name string
		req  func(path, ctype string, body []byte) *http.Request
	}{
		{"forged", func(p, c string, b []byte) *http.Request { return signedRequest(p, c, b, "wrong-secret", now) }},
		{"stale", func(p, c string, b []byte) *http.Request {
			return signedRequest(p, c, b, testSecret, now.Add(-6*time.Minute))
		}},
		{"future", func(p, c string, b []byte) *http.Request {
			return signedRequest(p, c, b, testSecret, now.Add(6*time.Minute))
		}},
		{"unsigned", func(p, c string, b []byte) *http.Request {
			return httptest.NewRequest(http.MethodPost, p, strings.NewReader(string(b)))
		}},
		{"tampered", func(p, c string, b []byte) *http.Request {
			r := signedRequest(p, c, b, testSecret, now)
			r.Body = http.NoBody
			return r
		}},
	}
	for _, ep := range endpoints {
		for _, at := range attacks {
			t.Run(ep.path+"/"+at.name, func(t *testing.T) {
				w := httptest.NewRecorder()
				h.handler.ServeHTTP(w, at.req(ep.path, ep.ctype, ep.body))
				if w.Code != http.StatusUnauthorized {
					t.Errorf("status %d, want 401", w.Code)
				}
			})
		}
	}
	h.stop()
	if got := h.resp.messages(); len(got) != 0 {
		t.Errorf("rejected requests reached the responder: %v", got)
	}
	if got := h.slack.recorded(); len(got) != 0 {
		t.Errorf("rejected requests made Slack calls: %v", got)
	}

	t.Run("valid", func(t *testing.T) {
		h := newHarness(t, harnessOpts{})
		for _, ep := range endpoints {
			body := ep.body
			if ep.path == "/slack/commands" {
				body = commandBody("help", h.slack.hookURL())
			}
			if w := h.do(ep.path, ep.ctype, body); w.Code != http.StatusOK {
				t.Errorf("%s: status %d, want 200", ep.path, w.Code)
			}
		}
		h.stop()
		if got := len(h.resp.messages()); got != 3 {
			t.Errorf("responder called %d times, want 3", got)
		}
	})
}

func TestBodyLimit(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	body := []byte(`{"type":"event_callback","x":"` + strings.Repeat("a", maxBody) + `"}`)
	if w := h.do("/slack/events", "application/json", body); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", w.Code)
	}
}

func TestURLVerification(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	w := h.do("/slack/events", "application/json", []byte(`{"type":"url_verification","token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}`))
	if w.Code != http.StatusOK || w.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("got %d %q, want 200 and the challenge", w.Code, w.Body)
	}
}

func TestBadPayload(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	for _, body := range []string{"", "{", `{"no":"type"}`, `[1,2]`} {
		if w := h.do("/slack/events", "application/json", []byte(body)); w.Code != http.StatusBadRequest {
			t.Errorf("body %q: status %d, want 400", body, w.Code)
		}
	}
	if w := h.do("/slack/interactions", "application/x-www-form-urlencoded", []byte("payload=%7Bnot-json")); w.Code != http.StatusBadRequest {
		t.Errorf("interaction: status %d, want 400", w.Code)
	}
}

// posted is the part of a chat.postMessage call the tests compare.
type posted struct {
	Channel, ThreadTS, Text string
}

func postsOf(calls []apiCall) []posted {
	var out []posted
	for _, c := range calls {
		out = append(out, posted{c.Form.Get("channel"), c.Form.Get("thread_ts"), c.Form.Get("text")})
	}
	return out
}

// TestMessages drives message and app_mention events through the HTTP
// endpoint and checks who is answered, where, and with what message.
func TestMessages(t *testing.T) {
	msg := func(extra map[string]any) map[string]any {
		ev := map[string]any{"type": "message", "user": "U1", "text": "备案要多久", "ts": "1700.0001",
			"channel": "C1", "channel_type": "channel"}
		for k, v := range extra {
			ev[k] = v
		}
		return ev
	}
	question := func(text string) string { return "*" + text + "*" }
	tests := []struct {
		name  string
		ev    map[string]any
		seen  []bot.Message // what the responder is asked
		posts []posted
	}{{
		name:  "channel question answered in a new thread",
		ev:    msg(nil),
		seen:  []bot.Message{{Platform: "slack", ChatID: "C1", UserID: "U1", Text: "备案要多久"}},
		posts: []posted{{"C1", "1700.0001", question("备案要多久")}},
	}, {
		name:  "thread reply answered in its thread",
		ev:    msg(map[string]any{"thread_ts": "1600.0001"}),
		seen:  []bot.Message{{Platform: "slack", ChatID: "C1", UserID: "U1", Text: "备案要多久"}},
		posts: []posted{{"C1", "1600.0001", question("备案要多久")}},
	}, {
		name: "chatter gets nothing",
		ev:   msg(map[string]any{"text": "lunch anyone?"}),
		seen: []bot.Message{{Platform: "slack", ChatID: "C1", UserID: "U1", Text: "lunch anyone?"}},
	}, {
		name:  "mention: bot mention stripped, addressed, threaded",
		ev:    msg(map[string]any{"type": "app_mention", "text": "<@UBOT> lunch &amp; <https://example.com|example.com>?"}),
		seen:  []bot.Message{{Platform: "slack", ChatID: "C1", UserID: "U1", Text: "lunch & example.com?", Addressed: true}},
		posts: []posted{{"C1", "1700.0001", question("lunch &amp; example.com?")}},
	}, {
		name: "channel message mentioning the bot is left to its app_mention event",
		ev:   msg(map[string]any{"text": "<@UBOT> 备案要多久"}),
	}, {
		name:  "direct message answered in place",
		ev:    msg(map[string]any{"channel": "D1", "channel_type": "im", "text": "hi"}),
		seen:  []bot.Message{{Platform: "slack", ChatID: "D1", UserID: "U1", Text: "hi", Direct: true}},
		posts: []posted{{"D1", "", question("hi")}},
	}, {
		name:  "file share is a person writing",
		ev:    msg(map[string]any{"subtype": "file_share"}),
		seen:  []bot.Message{{Platform: "slack", ChatID: "C1", UserID: "U1", Text: "备案要多久"}},
		posts: []posted{{"C1", "1700.0001", question("备案要多久")}},
	}, {
		name: "own message", ev: msg(map[string]any{"user": testBotUser}),
	}, {
		name: "another bot", ev: msg(map[string]any{"bot_id": "B2"}),
	}, {
		name: "bot_message", ev: msg(map[string]any{"subtype": "bot_message", "user": ""}),
	}, {
		name: "bot mentioning us", ev: msg(map[string]any{"type": "app_mention", "text": "<@UBOT> 备案", "bot_id": "B2"}),
	}, {
		name: "edit", ev: msg(map[string]any{"subtype": "message_changed"}),
	}, {
		name: "deletion", ev: msg(map[string]any{"subtype": "message_deleted"}),
	}, {
		name: "join", ev: msg(map[string]any{"subtype": "channel_join"}),
	}, {
		name: "other event type", ev: msg(map[string]any{"type": "reaction_added"}),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{})
			h.event(t, "Ev1", tt.ev)
			h.stop() // finishes the acknowledged work
			if diff := cmp.Diff(tt.seen, h.resp.messages()); diff != "" {
				t.Errorf("responder saw (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.posts, postsOf(h.slack.recorded("chat.postMessage"))); diff != "" {
				t.Errorf("posts (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDedup: Slack retries an event (X-Slack-Retry-Num) it thinks we
// missed; the retry is acknowledged and not answered again.
func TestDedup(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ev := map[string]any{"type": "message", "user": "U1", "text": "备案要多久", "ts": "1.1", "channel": "C1", "channel_type": "channel"}
	h.event(t, "Ev42", ev)
	h.event(t, "Ev42", ev, "X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout")
	h.event(t, "Ev42", ev, "X-Slack-Retry-Num", "2", "X-Slack-Retry-Reason", "http_timeout")
	h.event(t, "Ev43", ev)
	h.stop()
	if got := len(h.slack.recorded("chat.postMessage")); got != 2 {
		t.Errorf("%d posts, want 2 (one per distinct event)", got)
	}
	if got := counter(t, h.metrics, "beianbot_dedup_hits_total", map[string]string{"platform": "slack"}); got != 2 {
		t.Errorf("dedup hits %v, want 2", got)
	}
	if got := counter(t, h.metrics, "beianbot_replies_sent_total", map[string]string{"platform": "slack", "outcome": "answered"}); got != 2 {
		t.Errorf("replies counted %v, want 2", got)
	}
}

// TestWorkSurvivesShutdown: an event acknowledged before shutdown is still
// answered, on a context that outlives the adapter's, before Run returns.
func TestWorkSurvivesShutdown(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	started, release := make(chan struct{}), make(chan struct{})
	h.resp.handle = func(ctx context.Context, m bot.Message) bot.Reply {
		close(started)
		<-release
		if err := ctx.Err(); err != nil {
			t.Errorf("work context ended with the adapter: %v", err)
		}
		return answered(m.Text)
	}
	h.event(t, "Ev1", map[string]any{"type": "app_mention", "user": "U1", "text": "<@UBOT> 备案", "ts": "1.1", "channel": "C1"})
	<-started
	stopped := make(chan struct{})
	go func() { h.stop(); close(stopped) }()
	close(release)
	<-stopped
	if got := len(h.slack.recorded("chat.postMessage")); got != 1 {
		t.Errorf("%d posts after shutdown, want 1", got)
	}
	// After shutdown, new events are refused so Slack retries elsewhere.
	w := h.do("/slack/events", "application/json", eventBody("Ev2", "备案"))
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("event after shutdown: status %d, want 503", w.Code)
	}
}

// TestFollowUp: "check example.com" in a mention is acknowledged in the
// thread at once; the result then replaces the acknowledgement.
func TestFollowUp(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.resp.handle = func(_ context.Context, m bot.Message) bot.Reply {
		return bot.Reply{Outcome: bot.OutcomeCheck, Text: "正在检查 " + strings.TrimPrefix(m.Text, "check ") + "…",
			FollowUp: func(ctx context.Context) bot.Reply {
				return bot.Reply{Outcome: bot.OutcomeCheck, Text: "**example.com**: outside mainland"}
			}}
	}
	h.event(t, "Ev1", map[string]any{"type": "app_mention", "user": "U1",
		"text": "<@UBOT> check <http://example.com|example.com>", "ts": "1.1", "channel": "C1"})
	h.stop()
	if diff := cmp.Diff("check example.com", h.resp.messages()[0].Text); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
	calls := h.slack.recorded("chat.postMessage", "chat.update")
	var got [][3]string
	for _, c := range calls {
		got = append(got, [3]string{c.Method, c.Form.Get("ts") + c.Form.Get("thread_ts"), c.Form.Get("text")})
	}
	want := [][3]string{
		{"chat.postMessage", "1.1", "正在检查 example.com…"},
		{"chat.update", "1700000000.000001", "*example.com*: outside mainland"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

// TestSlashCommand: /beian is acknowledged with an empty 200 and answered
// only to the asker through response_url; a check acknowledges first and
// delivers its result after.
func TestSlashCommand(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.resp.handle = func(_ context.Context, m bot.Message) bot.Reply {
		if m.Command == "beian" && m.Args == "check example.com" {
			return bot.Reply{Outcome: bot.OutcomeCheck, Text: "checking example.com…",
				FollowUp: func(context.Context) bot.Reply {
					return bot.Reply{Outcome: bot.OutcomeCheck, Text: "example.com is outside mainland China"}
				}}
		}
		return bot.Reply{Outcome: bot.OutcomeHelp, Text: "help <text>"}
	}
	for _, text := range []string{"help", "check example.com"} {
		w := h.do("/slack/commands", "application/x-www-form-urlencoded", commandBody(text, h.slack.hookURL()))
		if w.Code != http.StatusOK || w.Body.Len() != 0 {
			t.Fatalf("%q: got %d %q, want an empty 200", text, w.Code, w.Body)
		}
	}
	h.stop()
	seen := h.resp.messages()
	var texts []string
	for _, m := range seen {
		if !m.Addressed || m.ChatID != "C1" || m.UserID != "U1" || m.Command != "beian" || m.Text != m.Args {
			t.Errorf("message %+v: want the beian command, addressed, from U1 in C1", m)
		}
		texts = append(texts, m.Args)
	}
	if diff := cmp.Diff([]string{"help", "check example.com"}, texts, cmpopts.SortSlices(lessString)); diff != "" {
		t.Errorf("texts (-want +got):\n%s", diff)
	}
	var got []string
	for _, c := range h.slack.recorded("response_url") {
		if c.JSON["response_type"] != "ephemeral" {
			t.Errorf("response_type %v, want ephemeral", c.JSON["response_type"])
		}
		got = append(got, c.JSON["text"].(string))
	}
	want := []string{"help &lt;text&gt;", "checking example.com…", "example.com is outside mainland China"}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(lessString)); diff != "" {
		t.Errorf("response_url posts (-want +got):\n%s", diff)
	}
	if got := h.slack.recorded("chat.postMessage"); len(got) != 0 {
		t.Errorf("slash command posted to the channel: %v", got)
	}
}

// TestResponseURLHosts: a slash command is answered through a response_url
// on any of Slack's hosts, GovSlack's included; one anywhere else is never
// contacted.
func TestResponseURLHosts(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	foreign := []string{"http://127.0.0.1:1/hooks/x", "https://hooks.slack.com.evil.example/x", "http://hooks.slack.com/x",
		"https://user@hooks.slack.com/x", "https://hooks.slack.com:8443/x", "file:///etc/passwd", "not a url",
		"https://evilslack.com/x", "https://slack.com.evil.example/x", "https://[::1]/x"}
	for _, u := range foreign {
		h.do("/slack/commands", "application/x-www-form-urlencoded", commandBody("help", u))
	}
	slackHosts := []string{"https://hooks.slack.com/commands/T1/1/abc", "https://HOOKS.slack.com/actions/T1/1/abc",
		"https://slack.com/x", "https://acme.enterprise.slack.com/x", "https://hooks.slack-gov.com/commands/T1/1/abc"}
	for i, u := range slackHosts {
		body := []byte(url.Values{"command": {"/beian"}, "text": {"help"}, "user_id": {"U1"}, "channel_id": {"C1"},
			"response_url": {u}, "trigger_id": {"trig" + strconv.Itoa(i)}}.Encode())
		h.do("/slack/commands", "application/x-www-form-urlencoded", body)
	}
	h.stop()
	if got := len(h.resp.messages()); got != len(slackHosts) {
		t.Errorf("%d commands handled, want the %d with Slack's response_urls", got, len(slackHosts))
	}
	var hosts []string
	for _, c := range h.slack.recorded("response_url") {
		hosts = append(hosts, c.Host)
	}
	want := []string{"HOOKS.slack.com", "acme.enterprise.slack.com", "hooks.slack-gov.com", "hooks.slack.com", "slack.com"}
	if diff := cmp.Diff(want, hosts, cmpopts.SortSlices(lessString)); diff != "" {
		t.Errorf("response_url hosts posted to (-want +got):\n%s", diff)
	}
}

// TestInteractions: pressing a suggestion posts that answer in the thread
// the suggestions were in; in an ephemeral message it replaces it.
func TestInteractions(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	const form = "application/x-www-form-urlencoded"
	inThread := interactionBody(t, map[string]any{"type": "block_actions",
		"user": map[string]any{"id": "U1"}, "channel": map[string]any{"id": "C1"},
		"container":    map[string]any{"type": "message", "message_ts": "1.2", "channel_id": "C1"},
		"message":      map[string]any{"ts": "1.2", "thread_ts": "1.1"},
		"response_url": h.slack.hookURL(),
		"actions":      []map[string]any{{"action_id": "suggest_1", "block_id": suggestBlockID, "value": "a|sec_1|zh"}}})
	ephemeral := interactionBody(t, map[string]any{"type": "block_actions",
		"user": map[string]any{"id": "U2"}, "channel": map[string]any{"id": "C2"},
		"container":    map[string]any{"type": "message", "message_ts": "1.3", "channel_id": "C2", "is_ephemeral": true},
		"response_url": h.slack.hookURL(),
		"actions":      []map[string]any{{"action_id": "suggest_0", "block_id": suggestBlockID, "value": "a|sec_2|en"}}})
	other := interactionBody(t, map[string]any{"type": "block_actions", "user": map[string]any{"id": "U1"},
		"actions": []map[string]any{{"action_id": "something_else", "value": "x"}}})
	for _, b := range [][]byte{inThread, ephemeral, other} {
		if w := h.do("/slack/interactions", form, b); w.Code != http.StatusOK {
			t.Fatalf("status %d, want 200", w.Code)
		}
	}
	h.stop()
	if diff := cmp.Diff([]string{"a|sec_1|zh", "a|sec_2|en"}, h.resp.pressed, cmpopts.SortSlices(lessString)); diff != "" {
		t.Errorf("pressed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]posted{{"C1", "1.1", "*pressed a|sec_1|zh*"}}, postsOf(h.slack.recorded("chat.postMessage"))); diff != "" {
		t.Errorf("posts (-want +got):\n%s", diff)
	}
	hooks := h.slack.recorded("response_url")
	if len(hooks) != 1 || hooks[0].JSON["replace_original"] != true || hooks[0].JSON["text"] != "*pressed a|sec_2|en*" {
		t.Errorf("response_url posts %v, want one replacing the ephemeral suggestions", hooks)
	}
}

func lessString(a, b string) bool { return a < b }

// TestBusy: with every worker busy and the queue full, an event gets 503
// (Slack retries it later) and a slash command a friendly ephemeral note;
// the queued work is still done.
func TestBusy(t *testing.T) {
	h := newHarness(t, harnessOpts{cfg: func(c *Config) { c.Workers, c.Queue = 1, 1 }})
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	h.resp.handle = func(_ context.Context, m bot.Message) bot.Reply {
		once.Do(func() { close(started) })
		<-release
		return answered(m.Text)
	}
	h.event(t, "Ev1", mention("1.1")) // taken by the one worker
	<-started
	h.event(t, "Ev2", mention("1.2")) // waits in the queue
	if w := h.do("/slack/events", "application/json", eventBody("Ev3", "备案")); w.Code != http.StatusServiceUnavailable {
		t.Errorf("event with a full queue: status %d, want 503", w.Code)
	}
	w := h.do("/slack/commands", "application/x-www-form-urlencoded", commandBody("help", h.slack.hookURL()))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"response_type":"ephemeral"`) || !strings.Contains(w.Body.String(), "busy") {
		t.Errorf("command with a full queue: %d %s, want 200 with an ephemeral busy note", w.Code, w.Body)
	}
	close(release)
	h.stop()
	if got := len(h.slack.recorded("chat.postMessage")); got != 2 {
		t.Errorf("%d posts, want 2 (the running and the queued event)", got)
	}
}
