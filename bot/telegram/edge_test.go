package telegram

import (
	"context"
	"errors"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/clock"
	"github.com/beianbot/beianbot/internal/store"
)

// A malformed token is refused before any request is made, and neither
// the error nor a request URL that does not parse ever shows it.
func TestMalformedTokenNeverShown(t *testing.T) {
	const bad = "123456:ABC%zz"
	_, err := New(t.Context(), Config{Token: bad, Responder: &fakeResponder{}, Endpoint: "http://127.0.0.1:1/bot%s/%s"})
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("New with a malformed token: err = %v, want ErrConfig", err)
	}
	if strings.Contains(err.Error(), "ABC") {
		t.Errorf("error %q shows the token", err)
	}
	c := &client{endpoint: "http://127.0.0.1:1/bot%s/%s", token: bad, link: nil}
	_, err = c.do(t.Context(), "getMe", url.Values{})
	if err == nil || strings.Contains(err.Error(), "ABC") {
		t.Errorf("do with a URL that does not parse: err = %v, want an error that hides the token", err)
	}
}

// TestAddressIsLinear: a long update full of entities spanning the whole
// text costs work in proportion to its size, not to entities × size, and
// a cancelled context stops it.
func TestAddressIsLinear(t *testing.T) {
	text := strings.Repeat("备案问题 ", 40_000) // 200,000 characters
	n := len([]rune(text))
	ents := make([]tgbotapi.MessageEntity, 2000)
	for i := range ents {
		ents[i] = tgbotapi.MessageEntity{Type: "mention", Offset: 0, Length: n}
	}
	ents[0] = tgbotapi.MessageEntity{Type: "bot_command", Offset: 0, Length: n}
	me := identity{id: botID, username: botName}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	out, ignore := address(t.Context(), text, ents, me, true)
	runtime.ReadMemStats(&after)
	if ignore || out.text != "" {
		t.Errorf("address = %q, %v; want the whole-text mentions removed", out.text, ignore)
	}
	// The text as UTF-16 and its copy: a few bytes a character, once.
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(40*n); got > limit {
		t.Errorf("address allocated %d bytes for a %d-character text, want at most %d", got, n, limit)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, ignore := address(ctx, text, ents, me, true); !ignore {
		t.Error("address went on after its context ended")
	}
}

func BenchmarkAddress(b *testing.B) {
	text := strings.Repeat("备案问题 ", 40_000)
	n := len([]rune(text))
	ents := make([]tgbotapi.MessageEntity, 2000)
	for i := range ents {
		ents[i] = tgbotapi.MessageEntity{Type: "mention", Offset: 0, Length: n}
	}
	me := identity{id: botID, username: botName}
	b.ReportAllocs()
	for b.Loop() {
		address(context.Background(), text, ents, me, false)
	}
}

// TestRetryAfterPastBudgetIsQueued: a reply Telegram holds back for longer
// than its work may wait is kept and sent when the wait is over, not
// dropped.
func TestRetryAfterPastBudgetIsQueued(t *testing.T) {
	e := newTestEnv(t, func(c *Config) {
		c.WebhookSecret = testSecret
		c.WorkTimeout = 5 * time.Second
	})
	e.api.on("sendMessage", func(n int, p url.Values) (int, string) {
		if n == 0 {
			return 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 20","parameters":{"retry_after":20}}`
		}
		return 200, `{"ok":true,"result":{"message_id":9,"date":1,"chat":{"id":7,"type":"private"}}}`
	})
	stop := runAdapter(t, e.a)
	if got := postUpdate(e.a.Routes()[WebhookPath], testSecret, updateJSON(t, tgbotapi.Update{UpdateID: 1, Message: privateMsg(3, "hi")})).Code; got != 200 {
		t.Fatalf("status %d, want 200", got)
	}
	sent := e.api.waitFor("sendMessage", 2)
	stop()
	if sent[1].params.Get("text") != "<b>Q</b>\n\nanswer to hi" || quoted(t, sent[1].params) != 3 {
		t.Errorf("sent later: %v, want the answer quoting message 3", sent[1].params)
	}
	var waited bool
	for _, d := range e.sleeps.all() {
		waited = waited || d == 20*time.Second
	}
	if !waited {
		t.Errorf("waits %v, want the 20s Telegram asked for", e.sleeps.all())
	}
	if got := e.counter(t, "beianbot_replies_sent_total", "platform", "telegram"); got != 1 {
		t.Errorf("replies counted = %v, want 1", got)
	}
}

// TestDrainCutsAndTellsChats: an update accepted but not finished before
// the drain's deadline is cut, and its chat asked to ask again.
func TestDrainCutsAndTellsChats(t *testing.T) {
	e := webhookEnv(t)
	started := make(chan struct{})
	e.resp.reply = func(bot.Message) bot.Reply {
		return bot.Reply{Outcome: bot.OutcomeCheck, Text: "checking…", FollowUp: func(ctx context.Context) bot.Reply {
			close(started)
			<-ctx.Done()
			return bot.Reply{Outcome: bot.OutcomeDeclined}
		}}
	}
	h := e.a.Routes()[WebhookPath]
	postUpdate(h, testSecret, updateJSON(t, tgbotapi.Update{UpdateID: 1, Message: privateMsg(3, "/check a.cn")}))
	<-started
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if n := e.a.Drain(ctx); n != 1 {
		t.Errorf("Drain cut %d, want 1", n)
	}
	var texts []string
	for _, c := range e.api.get("sendMessage") {
		texts = append(texts, c.params.Get("text"))
	}
	if diff := cmp.Diff([]string{"checking…", bot.RestartingText}, texts); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
	if got := postUpdate(h, testSecret, updateJSON(t, tgbotapi.Update{UpdateID: 2, Message: privateMsg(4, "q")})).Code; got != 503 {
		t.Errorf("update after Drain: status %d, want 503", got)
	}
	if got := e.counter(t, "beianbot_work_cut_total", "platform", "telegram"); got != 1 {
		t.Errorf("cut counted = %v, want 1", got)
	}
}

// TestBackpressure: with every worker busy and no queue, the webhook
// refuses (Telegram redelivers) and polling asks for no more updates than
// there is room for.
func TestBackpressure(t *testing.T) {
	t.Run("webhook", func(t *testing.T) {
		e := newTestEnv(t, func(c *Config) { c.WebhookSecret, c.Concurrency, c.Queue, c.WebhookWait = testSecret, 1, -1, -1 })
		release := make(chan struct{})
		started := make(chan struct{})
		e.resp.reply = func(bot.Message) bot.Reply {
			close(started)
			<-release
			return bot.Reply{Outcome: bot.OutcomeAnswered, Text: "a"}
		}
		h := e.a.Routes()[WebhookPath]
		postUpdate(h, testSecret, updateJSON(t, tgbotapi.Update{UpdateID: 1, Message: privateMsg(1, "q")}))
		<-started
		if got := postUpdate(h, testSecret, updateJSON(t, tgbotapi.Update{UpdateID: 2, Message: privateMsg(2, "q")})).Code; got != 503 {
			t.Errorf("update with no room: status %d, want 503", got)
		}
		close(release)
		e.drain(t)
		if got := e.counter(t, "beianbot_work_refused_total", "platform", "telegram"); got != 1 {
			t.Errorf("refused counted = %v, want 1", got)
		}
	})
	t.Run("polling", func(t *testing.T) {
		e := newTestEnv(t, func(c *Config) { c.Concurrency, c.Queue = 2, -1 })
		e.api.queue(tgbotapi.Update{UpdateID: 1, Message: privateMsg(1, "q")})
		stop := runAdapter(t, e.a)
		polls := e.api.waitFor("getUpdates", 2)
		stop()
		if got := polls[0].params.Get("limit"); got != "2" {
			t.Errorf("getUpdates limit = %s, want 2 (the pool's room)", got)
		}
	})
}

// sharedStore is one store two replicas share, as Redis is: not the
// in-process *store.Memory, so the adapters pace and lease through it.
type sharedStore struct{ *store.Memory }

// droppedRelease is a replica's view of the shared store that loses its
// Release calls, as a replica that dies does.
type droppedRelease struct{ sharedStore }

func (droppedRelease) Release(context.Context, string, string) error { return nil }

// TestOnePollerAmongReplicas: with a shared store, exactly one replica
// long-polls; when it stops, another takes over (at once when it releases
// the lease, after the lease's TTL when it dies without releasing it).
func TestOnePollerAmongReplicas(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store func(s sharedStore) store.Store
	}{
		{"clean stop", func(s sharedStore) store.Store { return s }},
		{"death", func(s sharedStore) store.Store { return droppedRelease{s} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shared := sharedStore{store.NewMemory()}
			replica := func(st store.Store) *testEnv {
				return newTestEnv(t, func(c *Config) {
					c.Store, c.Sleep, c.LeaseTTL, c.PollTimeout = st, clock.Sleep, 300*time.Millisecond, time.Second
				})
			}
			a, b := replica(tc.store(shared)), replica(shared)
			stopA := runAdapter(t, a.a)
			a.api.waitFor("getUpdates", 1)
			stopB := runAdapter(t, b.a)
			defer stopB()
			// B stands by while A holds the lease: give it a few tries.
			time.Sleep(400 * time.Millisecond)
			if got := len(b.api.get("getUpdates")); got != 0 {
				t.Fatalf("the standby replica polled %d times while the other held the lease", got)
			}
			stopA()
			b.api.waitFor("getUpdates", 1)
		})
	}
}

// TestSharedPacing: two replicas answering one chat keep one schedule
// between them.
func TestSharedPacing(t *testing.T) {
	shared := sharedStore{store.NewMemory()}
	var mu sync.Mutex
	var envs []*testEnv
	for range 2 {
		e := newTestEnv(t, func(c *Config) { c.Store = shared })
		mu.Lock()
		envs = append(envs, e)
		mu.Unlock()
	}
	envs[0].process(t, tgbotapi.Update{UpdateID: 1, Message: privateMsg(1, "q")})
	envs[1].process(t, tgbotapi.Update{UpdateID: 2, Message: privateMsg(2, "q")})
	if got := envs[1].sleeps.all(); len(got) != 1 || got[0] <= 0 || got[0] > time.Second {
		t.Errorf("second replica waited %v, want one wait of up to 1s for the chat's next slot", got)
	}
}

// TestStatus: the adapter reports Telegram reachable after getMe, and
// unreachable, with the failing call and no token, while polling fails.
func TestStatus(t *testing.T) {
	e := newTestEnv(t, nil)
	if st := e.a.Status(); !st.Connected || st.Platform != bot.PlatformTelegram {
		t.Errorf("Status after New = %+v, want connected", st)
	}
	e.api.on("getUpdates", func(int, url.Values) (int, string) {
		return 502, `{"ok":false,"error_code":502,"description":"Bad Gateway"}`
	})
	stop := runAdapter(t, e.a)
	e.api.waitFor("getUpdates", 2)
	st := e.a.Status()
	stop()
	if st.Connected || !strings.Contains(st.LastError, "getUpdates") || strings.Contains(st.LastError, testToken) {
		t.Errorf("Status while polling fails = %+v, want not connected, naming getUpdates, without the token", st)
	}
}

// TestHandoffToAnotherReplica: updates a stopping replica accepted but had
// not started are handed off through the shared store and answered by
// another replica.
func TestHandoffToAnotherReplica(t *testing.T) {
	shared := sharedStore{store.NewMemory()}
	a := newTestEnv(t, func(c *Config) { c.Store, c.WebhookSecret, c.Concurrency = shared, testSecret, 1 })
	b := newTestEnv(t, func(c *Config) { c.Store, c.WebhookSecret = shared, testSecret })
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	a.resp.reply = func(m bot.Message) bot.Reply {
		once.Do(func() { close(started); <-release })
		return bot.Reply{Outcome: bot.OutcomeAnswered, Text: "A " + m.Text}
	}
	stopB := runAdapter(t, b.a)
	defer stopB()
	h := a.a.Routes()[WebhookPath]
	postUpdate(h, testSecret, updateJSON(t, tgbotapi.Update{UpdateID: 1, Message: privateMsg(1, "one")}))
	<-started
	postUpdate(h, testSecret, updateJSON(t, tgbotapi.Update{UpdateID: 2, Message: privateMsg(2, "two")}))
	postUpdate(h, testSecret, updateJSON(t, tgbotapi.Update{UpdateID: 3, Message: privateMsg(3, "three")}))
	drained := make(chan int, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
		defer cancel()
		drained <- a.a.Drain(ctx)
	}()
	sent := b.api.waitFor("sendMessage", 2)
	close(release)
	if n := <-drained; n != 0 {
		t.Errorf("Drain cut %d, want 0", n)
	}
	var got []string
	for _, c := range sent {
		got = append(got, c.params.Get("text"))
	}
	if diff := cmp.Diff([]string{"<b>Q</b>\n\nanswer to three", "<b>Q</b>\n\nanswer to two"}, got, cmpSorted()); diff != "" {
		t.Errorf("answered by the other replica (-want +got):\n%s", diff)
	}
	if sent := a.api.get("sendMessage"); len(sent) != 1 || sent[0].params.Get("text") != "A one" {
		t.Errorf("the stopping replica sent %v, want only its running update's answer", sent)
	}
}

// TestHeldBackReplyPastShutdown: a reply held back beyond the end of the
// stop window cannot be sent; it is counted and logged as cut, not lost
// without a word.
func TestHeldBackReplyPastShutdown(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.ChatInterval = -1 })
	e.api.on("sendMessage", func(int, url.Values) (int, string) {
		return 429, `{"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":3600}}`
	})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	e.a.process(ctx, tgbotapi.Update{UpdateID: 1, Message: privateMsg(3, "hi")}, func() {})
	dctx, dcancel := context.WithTimeout(t.Context(), time.Second)
	defer dcancel()
	if n := e.a.Drain(dctx); n != 1 {
		t.Errorf("Drain cut %d, want the 1 held-back reply", n)
	}
	if got := e.counter(t, "beianbot_work_cut_total", "platform", "telegram"); got != 1 {
		t.Errorf("cut counted = %v, want 1", got)
	}
}
