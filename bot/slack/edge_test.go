package slack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/store"
)

// TestReplaysAnsweredOnce: a slash command or button press replayed
// (the same signed request, within its 5 minutes), and an event without an
// event_id delivered again, are answered once.
func TestReplaysAnsweredOnce(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	command := func(trigger string) []byte {
		return []byte(url.Values{"command": {"/beian"}, "text": {"check example.com"}, "user_id": {"U1"}, "channel_id": {"C1"},
			"response_url": {"https://hooks.slack.com/commands/T1/1/abc"}, "trigger_id": {trigger}}.Encode())
	}
	press := func(t *testing.T, trigger string) []byte {
		return interactionBody(t, map[string]any{"type": "block_actions", "trigger_id": trigger,
			"user": map[string]any{"id": "U1"}, "channel": map[string]any{"id": "C1"},
			"container": map[string]any{"type": "message", "message_ts": "1.2", "channel_id": "C1"},
			"message":   map[string]any{"ts": "1.2", "thread_ts": "1.1"},
			"actions":   []map[string]any{{"action_id": "suggest_0", "block_id": suggestBlockID, "value": "a|x|zh", "action_ts": "1.3"}}})
	}
	noID := []byte(`{"type":"event_callback","event":{"type":"app_mention","user":"U1","text":"<@UBOT> 备案","ts":"1.1","channel":"C1"}}`)
	tests := []struct {
		name     string
		path     string
		ctype    string
		bodies   func(t *testing.T) [][]byte
		answered int
	}{
		{"slash command replayed 7 times", "/slack/commands", form, func(*testing.T) [][]byte {
			var out [][]byte
			for range 7 {
				out = append(out, command("trig-1"))
			}
			return append(out, command("trig-2"))
		}, 2},
		{"button press replayed", "/slack/interactions", form, func(t *testing.T) [][]byte {
			return [][]byte{press(t, "trig-1"), press(t, "trig-1"), press(t, "trig-1"), press(t, "trig-2")}
		}, 2},
		{"button press without trigger_id replayed", "/slack/interactions", form, func(t *testing.T) [][]byte {
			return [][]byte{press(t, ""), press(t, "")}
		}, 1},
		{"event without event_id redelivered", "/slack/events", "application/json", func(*testing.T) [][]byte {
			return [][]byte{noID, noID, noID}
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{})
			bodies := tt.bodies(t)
			for _, b := range bodies {
				if w := h.do(tt.path, tt.ctype, b); w.Code != http.StatusOK {
					t.Fatalf("status %d, want 200", w.Code)
				}
			}
			h.stop()
			if got := len(h.resp.messages()); got != tt.answered {
				t.Errorf("answered %d times, want %d", got, tt.answered)
			}
			if got := counter(t, h.metrics, "beianbot_dedup_hits_total", map[string]string{"platform": "slack"}); int(got) != len(bodies)-tt.answered {
				t.Errorf("dedup hits %v, want %d", got, len(bodies)-tt.answered)
			}
		})
	}
}

// TestUpdateFailsPostsResult: when the "checking…" message cannot be
// edited into the result, the result is posted as a new message in the
// thread instead of being lost.
func TestUpdateFailsPostsResult(t *testing.T) {
	h := newHarness(t, harnessOpts{before: func(f *fakeSlack) { f.fail["chat.update"] = "message_not_found" }})
	h.resp.handle = func(context.Context, bot.Message) bot.Reply {
		return bot.Reply{Outcome: bot.OutcomeCheck, Text: "checking example.com…",
			FollowUp: func(context.Context) bot.Reply {
				return bot.Reply{Outcome: bot.OutcomeCheck, Text: "example.com is outside mainland China"}
			}}
	}
	h.event(t, "Ev1", mention("1.1"))
	h.stop()
	var got [][2]string
	for _, c := range h.slack.recorded("chat.postMessage", "chat.update") {
		got = append(got, [2]string{c.Method, c.Form.Get("text")})
	}
	want := [][2]string{
		{"chat.postMessage", "checking example.com…"},
		{"chat.update", "example.com is outside mainland China"},
		{"chat.postMessage", "example.com is outside mainland China"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if posts := h.slack.recorded("chat.postMessage"); posts[1].Form.Get("thread_ts") != "1.1" {
		t.Errorf("result posted in thread %q, want 1.1", posts[1].Form.Get("thread_ts"))
	}
}

// TestLongAnswerSplit: an answer longer than one message may hold is
// posted as several messages in the thread, each under Slack's limit.
func TestLongAnswerSplit(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	long := strings.Repeat(strings.Repeat("字", 2999)+"\n\n", 5)
	h.resp.handle = func(context.Context, bot.Message) bot.Reply {
		return bot.Reply{Outcome: bot.OutcomeAnswered, Text: long}
	}
	h.event(t, "Ev1", mention("1.1"))
	h.stop()
	posts := h.slack.recorded("chat.postMessage")
	if len(posts) != 2 {
		t.Fatalf("%d posts, want 2", len(posts))
	}
	for i, p := range posts {
		if p.Form.Get("thread_ts") != "1.1" {
			t.Errorf("post %d in thread %q, want 1.1", i, p.Form.Get("thread_ts"))
		}
		if n := strings.Count(p.Form.Get("blocks"), "字"); n > maxMessageText {
			t.Errorf("post %d holds %d characters, want ≤ %d", i, n, maxMessageText)
		}
	}
	if got := counter(t, h.metrics, "beianbot_replies_sent_total", map[string]string{"platform": "slack"}); got != 1 {
		t.Errorf("replies counted %v, want 1", got)
	}
}

// TestSignatureFailuresWarned: requests with a bad signature are counted
// and warned about, at most once a minute, naming the setting to check.
func TestSignatureFailuresWarned(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	for range 5 {
		w := serve(h, signedRequest("/slack/events", "application/json", eventBody("Ev1", "备案"), "wrong-secret", time.Now()))
		if w != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", w)
		}
	}
	if got := counter(t, h.metrics, "beianbot_slack_signature_failures_total", nil); got != 5 {
		t.Errorf("signature failures counted %v, want 5", got)
	}
	logs := h.logs.String()
	if n := strings.Count(logs, `"level":"WARN","msg":"slack request rejected: bad signature (is SLACK_SIGNING_SECRET right?)"`); n != 1 {
		t.Errorf("%d warnings about bad signatures, want 1 (rate-limited):\n%s", n, logs)
	}
}

// TestRetryWaitLogged: the wait before a retry is logged in a unit people
// read ("7s"), not in nanoseconds.
func TestRetryWaitLogged(t *testing.T) {
	h := newHarness(t, harnessOpts{before: func(f *fakeSlack) { f.limited = 1 }})
	h.event(t, "Ev1", mention("1.1"))
	h.stop()
	if logs := h.logs.String(); !strings.Contains(logs, `"wait":"7s"`) {
		t.Errorf("retry log lacks \"wait\":\"7s\":\n%s", logs)
	}
}

// TestDrainCutsAndTellsAskers: work that cannot finish before the drain's
// deadline is cut, and each asker is told to ask again; chatter that was
// never addressed gets nothing; new events are refused so Slack retries.
func TestDrainCutsAndTellsAskers(t *testing.T) {
	h := newHarness(t, harnessOpts{cfg: func(c *Config) { c.Workers, c.Queue = 1, 10 }})
	started := make(chan struct{}, 10)
	h.resp.handle = func(ctx context.Context, m bot.Message) bot.Reply {
		started <- struct{}{}
		<-ctx.Done()
		return bot.Reply{Outcome: bot.OutcomeDeclined}
	}
	h.event(t, "Ev1", mention("1.1"))
	<-started
	h.event(t, "Ev2", mention("1.2"))
	h.event(t, "Ev3", map[string]any{"type": "message", "user": "U1", "text": "lunch?", "ts": "1.3", "channel": "C1", "channel_type": "channel"})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if n := h.a.Drain(ctx); n != 3 {
		t.Errorf("Drain cut %d, want 3", n)
	}
	if w := h.do("/slack/events", "application/json", eventBody("Ev4", "备案")); w.Code != http.StatusServiceUnavailable {
		t.Errorf("event after Drain: status %d, want 503", w.Code)
	}
	h.stop()
	var got []posted
	for _, p := range postsOf(h.slack.recorded("chat.postMessage")) {
		p.Text = strings.ReplaceAll(p.Text, "&#39;", "'")
		got = append(got, p)
	}
	want := []posted{{"C1", "1.1", bot.RestartingText}, {"C1", "1.2", bot.RestartingText}}
	if diff := cmp.Diff(want, got, cmpSortPosted); diff != "" {
		t.Errorf("posts (-want +got):\n%s", diff)
	}
	if got := counter(t, h.metrics, "beianbot_work_cut_total", map[string]string{"platform": "slack"}); got != 3 {
		t.Errorf("cut counted %v, want 3", got)
	}
}

// TestStatus: the adapter reports Slack reachable after auth.test, and
// unreachable, with the reason, once its API calls fail.
func TestStatus(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	if st := h.a.Status(); !st.Connected || st.Platform != bot.PlatformSlack || st.LastError != "" {
		t.Errorf("Status after New = %+v, want connected", st)
	}
	h.slack.mu.Lock()
	h.slack.down = true
	h.slack.mu.Unlock()
	h.event(t, "Ev1", mention("1.1"))
	h.stop()
	st := h.a.Status()
	if st.Connected || !strings.Contains(st.LastError, "chat.postMessage") {
		t.Errorf("Status after failed posts = %+v, want not connected, naming chat.postMessage", st)
	}
	if strings.Contains(st.LastError, "xoxb-") {
		t.Errorf("LastError %q holds the token", st.LastError)
	}
}

// serve serves r on the harness and returns the status.
func serve(h *harness, r *http.Request) int {
	w := httptest.NewRecorder()
	h.handler.ServeHTTP(w, r)
	return w.Code
}

var cmpSortPosted = cmpopts.SortSlices(func(a, b posted) bool { return a.ThreadTS < b.ThreadTS })

// sharedStore is one store two replicas share, as Redis is: not the
// in-process *store.Memory, so the adapters hand work off through it.
type sharedStore struct{ *store.Memory }

// TestHandoffToAnotherReplica: work a stopping replica acknowledged but
// had not started is handed off through the shared store, and another
// replica answers it; what was running is finished where it was.
func TestHandoffToAnotherReplica(t *testing.T) {
	shared := sharedStore{store.NewMemory()}
	a := newHarness(t, harnessOpts{cfg: func(c *Config) { c.Store, c.Workers = shared, 1 }})
	b := newHarness(t, harnessOpts{cfg: func(c *Config) { c.Store = shared }})
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	a.resp.handle = func(_ context.Context, m bot.Message) bot.Reply {
		once.Do(func() { close(started); <-release })
		return answered(m.Text)
	}
	a.event(t, "Ev1", mention("1.1"))
	<-started
	a.event(t, "Ev2", mention("1.2"))
	a.event(t, "Ev3", mention("1.3"))
	drained := make(chan int, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
		defer cancel()
		drained <- a.a.Drain(ctx)
	}()
	var threads []string
	for range 2 {
		threads = append(threads, b.slack.wait(t).Form.Get("thread_ts"))
	}
	close(release)
	if n := <-drained; n != 0 {
		t.Errorf("Drain cut %d, want 0", n)
	}
	if diff := cmp.Diff([]string{"1.2", "1.3"}, threads, cmpopts.SortSlices(lessString)); diff != "" {
		t.Errorf("threads the other replica answered (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]posted{{"C1", "1.1", "*备案*"}}, postsOf(a.slack.recorded("chat.postMessage"))); diff != "" {
		t.Errorf("posts of the stopping replica (-want +got):\n%s", diff)
	}
}

// TestConfigOff: a negative setting turns off what can be off and is
// refused where off makes no sense.
func TestConfigOff(t *testing.T) {
	f := newFakeSlack(t)
	base := Config{BotToken: "xoxb-test-token", SigningSecret: testSecret, APIURL: f.apiURL(), HTTPClient: f.client(), Responder: &fakeResponder{}}
	for _, tc := range []struct {
		name string
		edit func(c *Config)
		ok   bool
	}{
		{"pacing off", func(c *Config) { c.PaceInterval = -1 }, true},
		{"queue off", func(c *Config) { c.Queue = -1 }, true},
		{"no workers", func(c *Config) { c.Workers = -1 }, false},
		{"no work timeout", func(c *Config) { c.WorkTimeout = -1 }, false},
		{"no follow-up timeout", func(c *Config) { c.FollowUpTimeout = -1 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.edit(&cfg)
			if _, err := New(context.Background(), cfg); (err == nil) != tc.ok {
				t.Errorf("New: err = %v, want ok: %v", err, tc.ok)
			}
		})
	}
}
