package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/metrics"
	"github.com/beianbot/beianbot/internal/store"
	"github.com/beianbot/beianbot/internal/syncbuf"
)

const (
	testSecret  = "8f742231b10e8888abcd99yyyzzz85a5"
	testBotUser = "UBOT"
	testBotID   = "BBOT"
)

// apiCall is one request the fake Slack received.
type apiCall struct {
	Method string // Web API method, or "response_url"
	Form   url.Values
	JSON   map[string]any // response_url bodies
	Host   string         // the response_url's host
	Auth   string
}

// fakeSlack is a per-test fake of the Slack Web API and of response_url
// hooks that records what it was sent.
type fakeSlack struct {
	srv *httptest.Server

	mu        sync.Mutex
	calls     []apiCall
	ts        int
	limited   int               // chat.postMessage calls to answer 429 before succeeding
	fail      map[string]string // method -> Slack error it answers with
	down      bool              // every Web API call answers 503
	retryWait string            // Retry-After of those 429s
	wsURL     string            // apps.connections.open answer
	ws        http.HandlerFunc
	posted    chan apiCall
}

func newFakeSlack(t testing.TB) *fakeSlack {
	f := &fakeSlack{posted: make(chan apiCall, 1<<16), retryWait: "7", fail: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) apiURL() string { return f.srv.URL + "/api/" }

// hookURL is a response_url as Slack issues them; the harness's client
// takes it to the fake (see toFake).
func (f *fakeSlack) hookURL() string { return "https://hooks.slack.com/commands/T1/B1/xyz" }

// toFake is the harness's HTTP transport: requests to Slack's own hosts
// (response_urls) go to the fake instead, under /hooks/<host>, and nothing
// leaves the machine.
type toFake struct {
	fake *url.URL
	base http.RoundTripper
}

func (t toFake) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if r.URL.Host != t.fake.Host {
		r.URL.Path = "/hooks/" + r.URL.Host + r.URL.Path
		r.URL.Scheme, r.URL.Host, r.Host = t.fake.Scheme, t.fake.Host, ""
	}
	return t.base.RoundTrip(r)
}

// client is an HTTP client that reaches only the fake.
func (f *fakeSlack) client() *http.Client {
	u, _ := url.Parse(f.srv.URL)
	return &http.Client{Timeout: 5 * time.Second, Transport: toFake{fake: u, base: f.srv.Client().Transport}}
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/ws" {
		f.mu.Lock()
		ws := f.ws
		f.mu.Unlock()
		ws(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	call := apiCall{Auth: r.Header.Get("Authorization")}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/hooks/"); ok {
		call.Method = "response_url"
		call.Host, _, _ = strings.Cut(rest, "/")
		if err := json.Unmarshal(body, &call.JSON); err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		f.record(call)
		io.WriteString(w, "ok")
		return
	}
	call.Method = strings.TrimPrefix(r.URL.Path, "/api/")
	call.Form, _ = url.ParseQuery(string(body))
	f.mu.Lock()
	if errCode, ok := f.fail[call.Method]; ok {
		f.mu.Unlock()
		f.record(call)
		writeJSON(w, map[string]any{"ok": false, "error": errCode})
		return
	}
	if f.down && call.Method != "auth.test" {
		f.mu.Unlock()
		f.record(call)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	switch call.Method {
	case "auth.test":
		f.mu.Unlock()
		writeJSON(w, map[string]any{"ok": true, "user_id": testBotUser, "bot_id": testBotID, "team": "Test"})
		return
	case "apps.connections.open":
		u := f.wsURL
		f.mu.Unlock()
		if call.Auth != "Bearer xapp-test-token" {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		writeJSON(w, map[string]any{"ok": true, "url": u})
		return
	case "chat.postMessage":
		if f.limited > 0 {
			f.limited--
			wait := f.retryWait
			f.mu.Unlock()
			w.Header().Set("Retry-After", wait)
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
			return
		}
	}
	f.ts++
	ts := fmt.Sprintf("1700000000.%06d", f.ts)
	f.mu.Unlock()
	f.record(call)
	writeJSON(w, map[string]any{"ok": true, "channel": call.Form.Get("channel"), "ts": ts})
}

func (f *fakeSlack) record(c apiCall) {
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	f.posted <- c
}

// recorded returns the calls of the given methods (all when none given),
// excluding auth.test and apps.connections.open.
func (f *fakeSlack) recorded(methods ...string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if len(methods) == 0 || contains(methods, c.Method) {
			out = append(out, c)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// wait returns the next recorded call, failing the test after 5 s.
func (f *fakeSlack) wait(t testing.TB) apiCall {
	t.Helper()
	select {
	case c := <-f.posted:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("timed out waiting for a call to the fake Slack")
		return apiCall{}
	}
}

// The adapter's responder interface is what *bot.Responder provides.
var _ responder = (*bot.Responder)(nil)

// fakeResponder returns canned replies and records what it was asked.
type fakeResponder struct {
	mu      sync.Mutex
	handled []bot.Message
	pressed []string
	handle  func(ctx context.Context, m bot.Message) bot.Reply
}

// answered is the canned confident answer.
func answered(q string) bot.Reply {
	return bot.Reply{Outcome: bot.OutcomeAnswered, EntryID: "section_x", Score: 0.9, Lang: "zh",
		Text: "**" + q + "**\n\n需要。详见 [备案流程](https://help.aliyun.com/beian)。"}
}

// defaultHandle answers addressed messages and messages mentioning 备案;
// it declines everything else, as the core does with chatter.
func defaultHandle(_ context.Context, m bot.Message) bot.Reply {
	if strings.Contains(m.Text, "备案") || m.Addressed || m.Direct {
		return answered(m.Text)
	}
	return bot.Reply{Outcome: bot.OutcomeDeclined}
}

func (r *fakeResponder) Handle(ctx context.Context, m bot.Message) bot.Reply {
	r.mu.Lock()
	r.handled = append(r.handled, m)
	h := r.handle
	r.mu.Unlock()
	if h == nil {
		h = defaultHandle
	}
	return h(ctx, m)
}

func (r *fakeResponder) Press(_ context.Context, m bot.Message, value string) bot.Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handled = append(r.handled, m)
	r.pressed = append(r.pressed, value)
	return answered("pressed " + value)
}

func (r *fakeResponder) messages() []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Message(nil), r.handled...)
}

// harness is an adapter wired to a fake Slack and a fake responder, running
// until stop is called (or the test ends).
type harness struct {
	a       *Adapter
	slack   *fakeSlack
	resp    *fakeResponder
	metrics *metrics.Metrics
	handler http.Handler // all Routes on one mux
	logs    *syncbuf.Buffer
	sleeps  chan time.Duration
	stop    func() // cancels Run and waits for it to return
}

type harnessOpts struct {
	appToken bool
	before   func(f *fakeSlack) // runs before New (e.g. to set the websocket)
	cfg      func(c *Config)
}

func newHarness(t testing.TB, o harnessOpts) *harness {
	t.Helper()
	f := newFakeSlack(t)
	if o.before != nil {
		o.before(f)
	}
	h := &harness{slack: f, resp: &fakeResponder{}, metrics: metrics.New(), sleeps: make(chan time.Duration, 100), logs: &syncbuf.Buffer{}}
	cfg := Config{
		BotToken:      "xoxb-test-token",
		SigningSecret: testSecret,
		APIURL:        f.apiURL(),
		HTTPClient:    f.client(),
		Responder:     h.resp,
		Store:         store.NewMemory(),
		Metrics:       h.metrics,
		Logger:        slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if o.appToken {
		cfg.AppToken = "xapp-test-token"
	}
	if o.cfg != nil {
		o.cfg(&cfg)
	}
	a, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	// Waits are recorded, not slept, so tests stay fast and deterministic.
	a.sleep = func(ctx context.Context, d time.Duration) error {
		if d > 0 {
			select {
			case h.sleeps <- d:
			default:
			}
		}
		return ctx.Err()
	}
	h.a = a
	mux := http.NewServeMux()
	for p, hd := range a.Routes() {
		mux.Handle("POST "+p, hd)
	}
	h.handler = mux
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Error("Run did not return after its context ended")
			}
		})
	}
	t.Cleanup(h.stop)
	return h
}

// sign returns the v0 signature Slack would send for body at ts.
func sign(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%d:", ts)
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// signedRequest builds a request signed with secret at time at.
func signedRequest(path, contentType string, body []byte, secret string, at time.Time) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
	r.Header.Set("Content-Type", contentType)
	r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(at.Unix(), 10))
	r.Header.Set("X-Slack-Signature", sign(secret, at.Unix(), body))
	return r
}

// do serves a request signed now with the test secret.
func (h *harness) do(path, contentType string, body []byte, hdr ...string) *httptest.ResponseRecorder {
	r := signedRequest(path, contentType, body, testSecret, time.Now())
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.handler.ServeHTTP(w, r)
	return w
}

// event posts an event callback and expects 200.
func (h *harness) event(t testing.TB, eventID string, ev map[string]any, hdr ...string) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"type": "event_callback", "event_id": eventID, "team_id": "T1", "event": ev})
	if err != nil {
		t.Fatal(err)
	}
	if w := h.do("/slack/events", "application/json", body, hdr...); w.Code != http.StatusOK {
		t.Fatalf("POST /slack/events: status %d, want 200 (%s)", w.Code, w.Body)
	}
}

// counter reads a counter of the metrics registry with the given labels.
func counter(t testing.TB, m *metrics.Metrics, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, mt := range mf.GetMetric() {
			for _, lp := range mt.GetLabel() {
				if v, ok := labels[lp.GetName()]; ok && v != lp.GetValue() {
					continue next
				}
			}
			return mt.GetCounter().GetValue()
		}
	}
	return 0
}
