package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/metrics"
)

const (
	testToken = "123456:TEST-token_secret"
	botID     = 4242
	botName   = "beian_bot"
)

// apiCall is one request the fake Bot API received.
type apiCall struct {
	method string
	params url.Values
}

// fakeAPI is a per-test fake of the Bot API on loopback. It records every
// call; override replaces the answer to a method (n counts that method's
// calls from 0); queued getUpdates batches are served in order, after which
// getUpdates blocks like a long poll until the request is cancelled.
type fakeAPI struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	calls    []apiCall
	changed  chan struct{}
	override map[string]func(n int, p url.Values) (int, string)
	batches  [][]tgbotapi.Update
	nextMsg  int
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, changed: make(chan struct{}), override: map[string]func(int, url.Values) (int, string){}, nextMsg: 1000}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) endpoint() string { return f.srv.URL + "/bot%s/%s" }

// on sets the answer to method.
func (f *fakeAPI) on(method string, h func(n int, p url.Values) (int, string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.override[method] = h
}

// queue adds a batch for getUpdates to return.
func (f *fakeAPI) queue(ups ...tgbotapi.Update) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, ups)
	f.notify()
}

func (f *fakeAPI) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	prefix := "/bot" + testToken + "/"
	if !strings.HasPrefix(r.URL.Path, prefix) {
		http.Error(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`, http.StatusUnauthorized)
		return
	}
	method := strings.TrimPrefix(r.URL.Path, prefix)
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.PostForm.Get("entities") == "null" { // v5.5.1 always sends it; Telegram ignores it
		r.PostForm.Del("entities")
	}
	f.mu.Lock()
	n := 0
	for _, c := range f.calls {
		if c.method == method {
			n++
		}
	}
	f.calls = append(f.calls, apiCall{method: method, params: r.PostForm})
	f.notify()
	h := f.override[method]
	f.mu.Unlock()

	if h != nil {
		status, body := h(n, r.PostForm)
		w.WriteHeader(status)
		fmt.Fprint(w, body)
		return
	}
	switch method {
	case "getMe":
		fmt.Fprintf(w, `{"ok":true,"result":{"id":%d,"is_bot":true,"first_name":"Beian","username":%q}}`, botID, botName)
	case "getUpdates":
		f.serveUpdates(w, r)
	case "sendMessage", "editMessageText":
		f.mu.Lock()
		f.nextMsg++
		id := f.nextMsg
		f.mu.Unlock()
		if mid := r.PostForm.Get("message_id"); mid != "" {
			id, _ = strconv.Atoi(mid)
		}
		chat, _ := strconv.ParseInt(r.PostForm.Get("chat_id"), 10, 64)
		res, _ := json.Marshal(map[string]any{"message_id": id, "date": 1, "chat": map[string]any{"id": chat, "type": "private"}, "text": r.PostForm.Get("text")})
		fmt.Fprintf(w, `{"ok":true,"result":%s}`, res)
	default:
		fmt.Fprint(w, `{"ok":true,"result":true}`)
	}
}

// serveUpdates returns the next queued batch, or waits for one for the
// poll's timeout or until the request ends.
func (f *fakeAPI) serveUpdates(w http.ResponseWriter, r *http.Request) {
	secs, _ := strconv.Atoi(r.PostForm.Get("timeout"))
	poll := time.NewTimer(time.Duration(secs) * time.Second)
	defer poll.Stop()
	for {
		f.mu.Lock()
		if len(f.batches) > 0 {
			b := f.batches[0]
			f.batches = f.batches[1:]
			f.mu.Unlock()
			res, _ := json.Marshal(b)
			fmt.Fprintf(w, `{"ok":true,"result":%s}`, res)
			return
		}
		ch := f.changed
		f.mu.Unlock()
		select {
		case <-ch:
		case <-poll.C:
			fmt.Fprint(w, `{"ok":true,"result":[]}`)
			return
		case <-r.Context().Done():
			return
		}
	}
}

// get returns the recorded calls of method (all calls when method is "").
func (f *fakeAPI) get(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if method == "" || c.method == method {
			out = append(out, c)
		}
	}
	return out
}

// waitFor waits until method has been called n times and returns its calls.
func (f *fakeAPI) waitFor(method string, n int) []apiCall {
	f.t.Helper()
	deadline := time.NewTimer(5 * time.Second)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		ch := f.changed
		f.mu.Unlock()
		if got := f.get(method); len(got) >= n {
			return got
		}
		select {
		case <-ch:
		case <-deadline.C:
			f.t.Fatalf("%s called %d times, want %d; calls: %v", method, len(f.get(method)), n, f.methods())
		}
	}
}

func (f *fakeAPI) methods() []string {
	var out []string
	for _, c := range f.get("") {
		out = append(out, c.method)
	}
	return out
}

// fakeResponder returns canned replies and records what it was asked.
type fakeResponder struct {
	mu      sync.Mutex
	handled []bot.Message
	pressed []string
	reply   func(bot.Message) bot.Reply
}

func (r *fakeResponder) Handle(_ context.Context, msg bot.Message) bot.Reply {
	r.mu.Lock()
	r.handled = append(r.handled, msg)
	f := r.reply
	r.mu.Unlock()
	if f == nil {
		return bot.Reply{Outcome: bot.OutcomeAnswered, Text: "**Q**\n\nanswer to " + msg.Text}
	}
	return f(msg)
}

func (r *fakeResponder) Press(_ context.Context, msg bot.Message, value string) bot.Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pressed = append(r.pressed, value)
	r.handled = append(r.handled, msg)
	return bot.Reply{Outcome: bot.OutcomeAnswered, Text: "pressed " + value, EntryID: value}
}

func (r *fakeResponder) messages() []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Message(nil), r.handled...)
}

// sleeps records the waits the adapter asked for, without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		s.mu.Lock()
		s.d = append(s.d, d)
		s.mu.Unlock()
	}
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// testEnv is an adapter wired to a fake API and a fake responder.
type testEnv struct {
	api     *fakeAPI
	resp    *fakeResponder
	sleeps  *sleeps
	metrics *metrics.Metrics
	a       *Adapter
}

func newTestEnv(t *testing.T, edit func(*Config)) *testEnv {
	t.Helper()
	e := &testEnv{api: newFakeAPI(t), resp: &fakeResponder{}, sleeps: &sleeps{}, metrics: metrics.New()}
	cfg := Config{
		Token:       testToken,
		Endpoint:    e.api.endpoint(),
		HTTPClient:  &http.Client{Timeout: 20 * time.Second},
		Responder:   e.resp,
		Metrics:     e.metrics,
		Logger:      slog.New(slog.DiscardHandler),
		PollTimeout: 10 * time.Second,
		Sleep:       e.sleeps.sleep,
		Now:         func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
	}
	if edit != nil {
		edit(&cfg)
	}
	a, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.a = a
	return e
}

// counter returns the value of a counter with the given labels.
func (e *testEnv) counter(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := e.metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, lp := range m.GetLabel() {
					found = found || lp.GetName() == labels[i] && lp.GetValue() == labels[i+1]
				}
				if !found {
					continue next
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// Update builders.

func user(id int64) *tgbotapi.User { return &tgbotapi.User{ID: id, FirstName: "U"} }

func privateMsg(id int, text string) *tgbotapi.Message {
	return &tgbotapi.Message{MessageID: id, From: user(7), Chat: &tgbotapi.Chat{ID: 7, Type: "private"}, Text: text}
}

func groupMsg(id int, text string, ents ...tgbotapi.MessageEntity) *tgbotapi.Message {
	return &tgbotapi.Message{MessageID: id, From: user(8), Chat: &tgbotapi.Chat{ID: -100, Type: "supergroup"}, Text: text, Entities: ents}
}

func cmdEntity(text string) tgbotapi.MessageEntity {
	n, _, _ := strings.Cut(text, " ")
	return tgbotapi.MessageEntity{Type: "bot_command", Offset: 0, Length: len(n)}
}

// drain finishes the adapter's accepted work, as a shutdown does.
func (e *testEnv) drain(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if n := e.a.Drain(ctx); n != 0 {
		t.Errorf("Drain cut %d updates, want 0", n)
	}
}
