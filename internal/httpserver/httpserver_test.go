package httpserver

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/beianbot/beianbot/internal/metrics"
)

type response struct {
	Status int
	Body   string
}

func get(t *testing.T, h http.Handler, method, path string) response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return response{rec.Code, rec.Body.String()}
}

func TestHealthzFollowsTheLifecycle(t *testing.T) {
	s := New(Config{})
	h := s.Handler()
	var got []response
	got = append(got, get(t, h, http.MethodGet, "/healthz"))
	s.SetReady()
	got = append(got, get(t, h, http.MethodGet, "/healthz"))
	s.Drain()
	got = append(got, get(t, h, http.MethodGet, "/healthz"))
	s.SetReady() // too late: shutdown has begun
	got = append(got, get(t, h, http.MethodGet, "/healthz"))
	want := []response{
		{503, "starting\n"},
		{200, "ok\n"},
		{503, "shutting down\n"},
		{503, "shutting down\n"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("/healthz through start, ready, drain (-want +got):\n%s", diff)
	}
}

func TestRoutes(t *testing.T) {
	m := metrics.New()
	m.Reply("slack", "answered")
	m.FAQLoaded(42, time.Unix(1_700_000_000, 0))
	s := New(Config{Metrics: m})
	s.Mount(map[string]http.Handler{
		"/slack/events": http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "event") }),
	})
	s.SetReady()
	h := s.Handler()

	tests := []struct {
		method, path string
		status       int
		bodyHas      []string
	}{
		{"POST", "/slack/events", 200, []string{"event"}},
		{"GET", "/slack/events", 405, nil},
		{"GET", "/nothing", 404, nil},
		{"POST", "/healthz", 405, nil},
		{"HEAD", "/healthz", 200, nil},
		{"GET", "/metrics", 200, []string{
			`beianbot_replies_sent_total{outcome="answered",platform="slack"} 1`,
			"beianbot_faq_entries 42",
			"beianbot_faq_last_reload_timestamp_seconds 1.7e+09",
			"go_goroutines",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			got := get(t, h, tt.method, tt.path)
			if got.Status != tt.status {
				t.Errorf("status = %d, want %d; body %q", got.Status, tt.status, got.Body)
			}
			for _, s := range tt.bodyHas {
				if !strings.Contains(got.Body, s) {
					t.Errorf("body lacks %q:\n%s", s, got.Body)
				}
			}
		})
	}
}

func TestShutdownLetsRequestsInProgressFinish(t *testing.T) {
	s := New(Config{})
	entered, release := make(chan struct{}), make(chan struct{})
	s.Mount(map[string]http.Handler{
		"/slow": http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			close(entered)
			<-release
			io.WriteString(w, "acknowledged")
		}),
	})
	s.SetReady()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()

	type result struct {
		body string
		err  error
	}
	answered := make(chan result, 1)
	go func() {
		client := &http.Client{Timeout: 10 * time.Second}
		resp, err := client.Post("http://"+ln.Addr().String()+"/slow", "text/plain", nil)
		if err != nil {
			answered <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		answered <- result{string(b), err}
	}()
	<-entered

	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	// Shutdown has begun once health says so; the request is still open.
	waitFor(t, func() bool { return get(t, s.Handler(), "GET", "/healthz").Status == 503 })
	close(release)

	if r := <-answered; r.err != nil || r.body != "acknowledged" {
		t.Errorf("request in progress during shutdown got %q, %v; want its answer", r.body, r.err)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve after Shutdown: %v", err)
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Error("the server still accepts connections after Shutdown")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(time.Millisecond)
	}
}
