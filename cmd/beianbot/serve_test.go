package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/beianbot/beianbot/internal/syncbuf"

	"github.com/google/go-cmp/cmp"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/faq"
	"github.com/beianbot/beianbot/internal/httpserver"
	"github.com/beianbot/beianbot/internal/metrics"
	"github.com/beianbot/beianbot/internal/store"
)

// fakeAdapter acknowledges each POST to /fake/events at once and answers it
// later, when release is closed, the way the Slack and Telegram adapters
// answer an acknowledged webhook.
type fakeAdapter struct {
	metrics *metrics.Metrics
	release chan struct{}
	// entered, when not nil, is closed when a request starts, and the
	// acknowledgement waits for ack to be closed.
	entered, ack chan struct{}
	// reading, when not nil, is closed before the request's body is read.
	reading chan struct{}
	runErr  error
	pending atomic.Int32

	wg       sync.WaitGroup
	mu       sync.Mutex
	answered []string
}

func newFakeAdapter(m *metrics.Metrics) *fakeAdapter {
	return &fakeAdapter{metrics: m, release: make(chan struct{})}
}

func (f *fakeAdapter) Routes() map[string]http.Handler {
	return map[string]http.Handler{"/fake/events": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.reading != nil {
			close(f.reading)
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		if f.entered != nil {
			close(f.entered)
			<-f.ack
		}
		ctx := context.WithoutCancel(r.Context())
		f.pending.Add(1)
		f.wg.Go(func() {
			defer f.pending.Add(-1)
			ctx, cancel := context.WithTimeout(ctx, 9*time.Second)
			defer cancel()
			select {
			case <-f.release:
			case <-ctx.Done():
				return
			}
			f.metrics.Reply("fake", "answered")
			f.mu.Lock()
			f.answered = append(f.answered, string(body))
			f.mu.Unlock()
		})
		io.WriteString(w, "ok")
	})}
}

func (f *fakeAdapter) Run(ctx context.Context) error {
	if f.runErr != nil {
		return f.runErr
	}
	<-ctx.Done()
	f.wg.Wait()
	return nil
}

// Pending counts the acknowledged events not answered yet.
func (f *fakeAdapter) Pending() int { return int(f.pending.Load()) }

func (f *fakeAdapter) answers() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.answered...)
}

// running is serveOn running in the background on a loopback port.
type running struct {
	t    *testing.T
	url  string
	logs *syncbuf.Buffer
	stop context.CancelFunc
	done chan struct{}
	err  error // serveOn's result, once done is closed
}

// wait waits for serveOn to return and gives its result.
func (r *running) wait() error {
	select {
	case <-r.done:
		return r.err
	case <-time.After(15 * time.Second):
		r.t.Fatal("serveOn did not return within 15s")
		return nil
	}
}

func startServe(t *testing.T, m *metrics.Metrics, adapters []adapter, opts serveOptions) *running {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return startServeOn(t, ln, m, adapters, opts)
}

func startServeOn(t *testing.T, ln net.Listener, m *metrics.Metrics, adapters []adapter, opts serveOptions) *running {
	t.Helper()
	logs := &syncbuf.Buffer{}
	d := deps{logger: slog.New(slog.NewJSONHandler(logs, nil)), metrics: m, store: store.NewMemory()}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{t: t, url: "http://" + ln.Addr().String(), logs: logs, stop: cancel, done: make(chan struct{})}
	go func() {
		r.err = serveOn(ctx, ln, d, adapters, opts)
		close(r.done)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(15 * time.Second):
			t.Error("serveOn did not return within 15s of cancellation")
		}
	})
	return r
}

var testClient = &http.Client{Timeout: 10 * time.Second}

func (r *running) do(method, path, body string) (int, string, error) {
	req, err := http.NewRequest(method, r.url+path, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	resp, err := testClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// waitUntil polls cond until it holds or 10 s pass.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestServeShutdownFinishesAcknowledgedWork(t *testing.T) {
	m := metrics.New()
	fa := newFakeAdapter(m)
	r := startServe(t, m, []adapter{fa}, serveOptions{drain: 2 * time.Second})

	waitUntil(t, "/healthz to answer 200", func() bool {
		code, _, _ := r.do("GET", "/healthz", "")
		return code == 200
	})
	for _, q := range []string{"q1", "q2"} {
		if code, body, err := r.do("POST", "/fake/events", q); err != nil || code != 200 {
			t.Fatalf("POST /fake/events = %d %q, %v; want 200", code, body, err)
		}
	}

	r.stop() // SIGTERM
	waitUntil(t, "/healthz to say shutting down", func() bool {
		code, body, _ := r.do("GET", "/healthz", "")
		return code == 503 && strings.Contains(body, `"status":"shutting down"`)
	})
	select {
	case <-r.done:
		t.Fatalf("serveOn returned (%v) before the acknowledged work was answered", r.err)
	default:
	}
	close(fa.release)
	if err := r.wait(); err != nil {
		t.Errorf("serveOn after SIGTERM = %v, want nil", err)
	}

	if diff := cmp.Diff([]string{"q1", "q2"}, slices.Sorted(slices.Values(fa.answers()))); diff != "" {
		t.Errorf("answered after shutdown began (-want +got):\n%s", diff)
	}
	if _, err := net.Dial("tcp", strings.TrimPrefix(r.url, "http://")); err == nil {
		t.Error("still accepting connections after serveOn returned")
	}
	if !strings.Contains(r.logs.String(), `"msg":"shutdown complete"`) {
		t.Errorf("no shutdown line in the log:\n%s", r.logs)
	}
}

func TestServeAnswersRequestInProgressAtShutdown(t *testing.T) {
	m := metrics.New()
	fa := newFakeAdapter(m)
	fa.entered, fa.ack = make(chan struct{}), make(chan struct{})
	close(fa.release)
	r := startServe(t, m, []adapter{fa}, serveOptions{})

	type result struct {
		code int
		err  error
	}
	posted := make(chan result, 1)
	go func() {
		code, _, err := r.do("POST", "/fake/events", "in flight")
		posted <- result{code, err}
	}()
	<-fa.entered
	r.stop()
	waitUntil(t, "shutdown to begin", func() bool {
		return strings.Contains(r.logs.String(), "shutting down")
	})
	close(fa.ack)
	if res := <-posted; res.err != nil || res.code != 200 {
		t.Errorf("webhook in progress when SIGTERM came got %d, %v; want 200", res.code, res.err)
	}
	if err := r.wait(); err != nil {
		t.Errorf("serveOn = %v, want nil", err)
	}
	if diff := cmp.Diff([]string{"in flight"}, fa.answers()); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
}

func TestServeMetrics(t *testing.T) {
	m := metrics.New()
	m.FAQLoaded(12, time.Now())
	fa := newFakeAdapter(m)
	close(fa.release)
	r := startServe(t, m, []adapter{fa}, serveOptions{})
	waitUntil(t, "/healthz to answer 200", func() bool {
		code, _, _ := r.do("GET", "/healthz", "")
		return code == 200
	})
	if code, _, err := r.do("POST", "/fake/events", "q"); err != nil || code != 200 {
		t.Fatalf("POST /fake/events = %d, %v", code, err)
	}
	waitUntil(t, "the reply to be counted", func() bool {
		_, body, _ := r.do("GET", "/metrics", "")
		return strings.Contains(body, `beianbot_replies_sent_total{outcome="answered",platform="fake"} 1`)
	})
	code, body, err := r.do("GET", "/metrics", "")
	if err != nil || code != 200 {
		t.Fatalf("GET /metrics = %d, %v", code, err)
	}
	for _, name := range []string{
		"beianbot_faq_entries 12",
		"beianbot_faq_last_reload_timestamp_seconds",
		"beianbot_faq_reload_failures_total 0",
		"beianbot_match_score_bucket",
		"beianbot_match_duration_seconds_bucket",
		"beianbot_check_duration_seconds_bucket",
		"process_resident_memory_bytes",
		"go_goroutines",
	} {
		if !strings.Contains(body, name) {
			t.Errorf("/metrics lacks %q", name)
		}
	}
}

func TestServeStopsWhenAnAdapterFails(t *testing.T) {
	m := metrics.New()
	fa := newFakeAdapter(m)
	fa.runErr = errors.New("telegram: getMe: unauthorized")
	r := startServe(t, m, []adapter{fa}, serveOptions{})
	if err := r.wait(); err == nil || !strings.Contains(err.Error(), "unauthorized") {
		t.Errorf("serveOn = %v, want the adapter's error", err)
	}
}

func TestServeReloadsOnSIGHUP(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "faq.md")
	writeFAQ(t, path, goodFAQ)
	cfg := mustConfig(t, map[string]string{"BEIANBOT_FAQ": path, "BEIANBOT_RELOAD_INTERVAL": "off"})

	m := metrics.New()
	var responder *bot.Responder
	w := newFAQWatcher(cfg, slog.New(slog.DiscardHandler), m, func(ix *faq.Index) { responder.SetIndex(ix) })
	ix, err := cfg.FAQ.load(nil)
	if err != nil {
		t.Fatalf("load the test FAQ: %v", err)
	}
	responder = bot.New(bot.Config{Index: ix})
	if got := len(responder.Index().Entries()); got != 1 {
		t.Fatalf("test FAQ has %d entries, want 1", got)
	}

	hup := make(chan os.Signal)
	fa := newFakeAdapter(m)
	close(fa.release)
	startServe(t, m, []adapter{fa}, serveOptions{watcher: w, hup: hup})

	writeFAQ(t, path, goodFAQ+secondEntry)
	hup <- syscall.SIGHUP
	waitUntil(t, "the reload to swap in 2 entries", func() bool { return len(responder.Index().Entries()) == 2 })

	// A duplicate is skipped and the rest served.
	writeFAQ(t, path, goodFAQ+secondEntry+duplicateEntry)
	old := responder.Index()
	hup <- syscall.SIGHUP
	waitUntil(t, "the reload with a duplicate to swap in", func() bool { return responder.Index() != old })
	if got := len(responder.Index().Entries()); got != 2 {
		t.Errorf("after a reload with a duplicate: %d entries, want 2", got)
	}
	// A page with nothing sound left keeps the FAQ in service.
	writeFAQ(t, path, brokenFAQ)
	old = responder.Index()
	hup <- syscall.SIGHUP
	waitUntil(t, "the broken reload to be counted", func() bool {
		return strings.Contains(gather(t, m), "beianbot_faq_reload_failures_total 1")
	})
	if responder.Index() != old {
		t.Error("a broken FAQ replaced the index in service")
	}
}

const goodFAQ = `# 网站访问 {#concept_test .concept}

## 服务器在海外需要备案吗？ {#section_aaa .section}

不需要备案。
`

const secondEntry = `
## 如何查看备案进度？ {#section_bbb .section}

登录控制台查看。
`

const brokenFAQ = "# 网站访问 {#concept_test .concept}\n\n```\n## 服务器在海外需要备案吗？ {#section_aaa .section}\n"

const duplicateEntry = `
## 重复的问题？ {#section_bbb .section}

答案。
`

func writeFAQ(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func gather(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	httpserver.New(httpserver.Config{Metrics: m}).Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

func TestNewLogger(t *testing.T) {
	tests := []struct {
		env   map[string]string
		json  bool
		debug bool
	}{
		{env: nil, json: true},
		{env: map[string]string{"BEIANBOT_LOG_FORMAT": "text"}},
		{env: map[string]string{"BEIANBOT_LOG_FORMAT": "JSON", "BEIANBOT_LOG_LEVEL": "debug"}, json: true, debug: true},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		logger := newLogger(mustConfig(t, tt.env), &buf, slog.LevelInfo)
		logger.Debug("detail")
		logger.Info("hello", "k", "v")
		out := buf.String()
		if got := strings.Contains(out, "detail"); got != tt.debug {
			t.Errorf("%v: debug line logged = %v, want %v", tt.env, got, tt.debug)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		var rec map[string]any
		isJSON := json.Unmarshal([]byte(lines[len(lines)-1]), &rec) == nil
		if isJSON != tt.json {
			t.Errorf("%v: JSON = %v, want %v: %s", tt.env, isJSON, tt.json, out)
		}
	}
}

func TestHealthURL(t *testing.T) {
	tests := []struct{ addr, want string }{
		{defaultHTTPAddr, "http://127.0.0.1:8080/healthz"},
		{":9090", "http://127.0.0.1:9090/healthz"},
		{"0.0.0.0:8080", "http://127.0.0.1:8080/healthz"},
		{"[::]:8080", "http://127.0.0.1:8080/healthz"},
		{"10.1.2.3:8080", "http://10.1.2.3:8080/healthz"},
		{"[::1]:8080", "http://[::1]:8080/healthz"},
		{"localhost:80", "http://localhost:80/healthz"},
	}
	for _, tt := range tests {
		got, err := healthURL(tt.addr)
		if err != nil || got != tt.want {
			t.Errorf("healthURL(%q) = %q, %v; want %q", tt.addr, got, err, tt.want)
		}
	}
	if _, err := healthURL("8080"); !errors.As(err, new(usageError)) {
		t.Errorf("healthURL(8080) error = %v, want a usage error", err)
	}
}

func TestHealthcheck(t *testing.T) {
	var code int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		w.WriteHeader(code)
		io.WriteString(w, http.StatusText(code))
	}))
	defer srv.Close()
	cfg := mustConfig(t, map[string]string{"BEIANBOT_HTTP_ADDR": strings.TrimPrefix(srv.URL, "http://")})
	for _, tt := range []struct {
		code   int
		wantOK bool
	}{{200, true}, {503, false}, {404, false}} {
		mu.Lock()
		code = tt.code
		mu.Unlock()
		var out bytes.Buffer
		err := cmdHealthcheck(context.Background(), nil, cfg, &out)
		if (err == nil) != tt.wantOK {
			t.Errorf("healthcheck with /healthz answering %d: err = %v, want ok %v", tt.code, err, tt.wantOK)
		}
	}
	// Nothing listening: a failure, not a hang.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String() + "/healthz"
	ln.Close()
	if err := cmdHealthcheck(context.Background(), []string{dead}, cfg, io.Discard); err == nil {
		t.Error("healthcheck of a closed port succeeded")
	}
	for _, args := range [][]string{{"a", "b"}, {"notaurl"}, {"ftp://127.0.0.1/healthz"}} {
		if err := cmdHealthcheck(context.Background(), args, cfg, io.Discard); !errors.As(err, new(usageError)) {
			t.Errorf("healthcheck %q: %v, want a usage error", args, err)
		}
	}
}

func TestOpenStore(t *testing.T) {
	ctx := context.Background()
	logger := slog.New(slog.DiscardHandler)
	st, closeStore, err := openStore(ctx, mustConfig(t, nil), logger, nil)
	if err != nil {
		t.Fatal(err)
	}
	closeStore()
	if _, ok := st.(*store.Memory); !ok {
		t.Errorf("without BEIANBOT_REDIS_URL the store is %T, want *store.Memory", st)
	}

	// Redis down at start-up: no wait, and the store answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "redis://:hunter2@" + ln.Addr().String() + "/0"
	ln.Close()
	var logs syncbuf.Buffer
	st, closeStore, err = openStore(ctx, mustConfig(t, map[string]string{"BEIANBOT_REDIS_URL": url}), slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), metrics.New())
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	fb, ok := st.(*store.Fallback)
	if !ok {
		t.Fatalf("with BEIANBOT_REDIS_URL the store is %T, want *store.Fallback", st)
	}
	if first, err := fb.FirstSeen(ctx, "slack:Ev1", time.Minute); err != nil || !first {
		t.Errorf("FirstSeen with Redis down = %v, %v; want true from memory", first, err)
	}
	if second, _ := fb.FirstSeen(ctx, "slack:Ev1", time.Minute); second {
		t.Error("a repeated event was new again with Redis down")
	}
	waitUntil(t, "the outage to be logged", func() bool {
		return strings.Contains(logs.String(), "shared store unreachable")
	})
	if strings.Contains(logs.String(), "hunter2") {
		t.Errorf("the Redis password is in the log:\n%s", logs.String())
	}
}
