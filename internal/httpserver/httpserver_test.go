package httpserver

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

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
		{503, `{"status":"starting","adapters":[]}` + "\n"},
		{200, `{"status":"ok","adapters":[]}` + "\n"},
		{503, `{"status":"shutting down","adapters":[]}` + "\n"},
		{503, `{"status":"shutting down","adapters":[]}` + "\n"},
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
	ln, served := serve(t, s)

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

	shut := make(chan int, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	// Shutdown has begun once health says so; the request is still open.
	waitFor(t, func() bool { return get(t, s.Handler(), "GET", "/healthz").Status == 503 })
	close(release)

	if r := <-answered; r.err != nil || r.body != "acknowledged" {
		t.Errorf("request in progress during shutdown got %q, %v; want its answer", r.body, r.err)
	}
	if cut := <-shut; cut != 0 {
		t.Errorf("Shutdown cut %d connections, want 0", cut)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve after Shutdown: %v", err)
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Error("the server still accepts connections after Shutdown")
	}
}

// serve makes s ready and serves it on a loopback port; served receives
// Serve's result.
func serve(t *testing.T, s *Server) (net.Listener, <-chan error) {
	t.Helper()
	s.SetReady()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	return ln, served
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

func TestHealthzReportsAdapters(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name       string
		adapters   []AdapterState
		wantStatus int
		want       string
	}{
		{"connected", []AdapterState{{Platform: "slack", Connected: true, Since: now.Add(-time.Hour)}}, 200, StatusOK},
		{"briefly down", []AdapterState{
			{Platform: "slack", Connected: true, Since: now.Add(-time.Hour)},
			{Platform: "telegram", Connected: false, Since: now.Add(-time.Minute), LastError: "getUpdates: 502"},
		}, 200, StatusOK},
		{"down too long", []AdapterState{
			{Platform: "slack", Connected: true, Since: now.Add(-time.Hour)},
			{Platform: "telegram", Connected: false, Since: now.Add(-10 * time.Minute), LastError: "getUpdates: 502"},
		}, 503, StatusUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Config{DownAfter: 5 * time.Minute, Adapters: func() []AdapterState { return tt.adapters }})
			s.SetReady()
			got := get(t, s.Handler(), "GET", "/healthz")
			if got.Status != tt.wantStatus {
				t.Errorf("status = %d, want %d; body %s", got.Status, tt.wantStatus, got.Body)
			}
			var h health
			if err := json.Unmarshal([]byte(got.Body), &h); err != nil {
				t.Fatalf("body %q: %v", got.Body, err)
			}
			// Times round-trip through JSON without their monotonic reading.
			for i := range tt.adapters {
				tt.adapters[i].Since = tt.adapters[i].Since.Round(0)
			}
			if diff := cmp.Diff(health{Status: tt.want, Adapters: tt.adapters}, h, cmpopts.EquateApproxTime(time.Microsecond)); diff != "" {
				t.Errorf("/healthz body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShutdownCutsARequestThatNeverEnds(t *testing.T) {
	s := New(Config{})
	reading := make(chan struct{})
	s.Mount(map[string]http.Handler{"/slack/events": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(reading)
		io.ReadAll(r.Body)
	})})
	ln, served := serve(t, s)
	// A body announced and never sent: an unauthenticated, slow client.
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\npartial")
	<-reading
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if cut := s.Shutdown(ctx); cut != 1 {
		t.Errorf("Shutdown cut %d connections, want 1", cut)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve after Shutdown: %v", err)
	}
}
