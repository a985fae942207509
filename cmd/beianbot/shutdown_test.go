package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/metrics"
)

// TestStopWindow checks the budgets against each other: work acknowledged
// just before SIGTERM (a domain check and the delivery of its result) fits
// in the stop window, and the window in the 10 s the process has.
func TestStopWindow(t *testing.T) {
	if followUpBudget >= workBudget {
		t.Errorf("followUpBudget %v leaves nothing of workBudget %v to deliver the result", followUpBudget, workBudget)
	}
	if workBudget > stopWindow {
		t.Errorf("workBudget %v exceeds the stop window %v: a check acknowledged before SIGTERM would be cut", workBudget, stopWindow)
	}
	if stopWindow > 10*time.Second-500*time.Millisecond {
		t.Errorf("stop window %v leaves under 0.5 s of the 10 s to close the store and exit", stopWindow)
	}
	if httpDrainBudget >= stopWindow {
		t.Errorf("httpDrainBudget %v is not shorter than the stop window %v", httpDrainBudget, stopWindow)
	}
}

func TestShutdownCutsASlowBodyWithoutFailing(t *testing.T) {
	m := metrics.New()
	fa := newFakeAdapter(m)
	close(fa.release)
	fa.reading = make(chan struct{})
	r := startServe(t, m, []adapter{fa}, serveOptions{httpDrain: 100 * time.Millisecond})

	c, err := net.Dial("tcp", strings.TrimPrefix(r.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /fake/events HTTP/1.1\r\nHost: bot\r\nContent-Length: 100000\r\n\r\nonly the start")
	<-fa.reading

	r.stop()
	if err := r.wait(); err != nil {
		t.Errorf("serveOn with one slow unauthenticated body = %v, want nil (nothing acknowledged was lost)", err)
	}
	logs := r.logs.String()
	if !strings.Contains(logs, "cut http requests") || !strings.Contains(logs, `"requests":1`) {
		t.Errorf("the cut request is not logged:\n%s", logs)
	}
	if !strings.Contains(logs, `"msg":"shutdown complete"`) {
		t.Errorf("no clean shutdown line:\n%s", logs)
	}
}

func TestShutdownNamesWhatItCut(t *testing.T) {
	m := metrics.New()
	fa := newFakeAdapter(m) // release stays open: the replies never get out
	t.Cleanup(func() { close(fa.release) })
	r := startServe(t, m, []adapter{fa}, serveOptions{stop: 200 * time.Millisecond})
	for _, q := range []string{"q1", "q2"} {
		if code, _, err := r.do("POST", "/fake/events", q); err != nil || code != 200 {
			t.Fatalf("POST = %d, %v", code, err)
		}
	}
	r.stop()
	err := r.wait()
	const want = "*main.fakeAdapter: 2 acknowledged replies not delivered within 200ms"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("serveOn = %v, want an error saying %q", err, want)
	}
	if !strings.Contains(r.logs.String(), "acknowledged work cut") {
		t.Errorf("the cut is not logged:\n%s", r.logs)
	}
}

// statusAdapter is a fakeAdapter that reports its platform link.
type statusAdapter struct {
	*fakeAdapter
	mu     sync.Mutex
	status bot.Status
}

func (s *statusAdapter) Status() bot.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

func (s *statusAdapter) set(st bot.Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = st
}

func TestHealthzFollowsTheAdapters(t *testing.T) {
	m := metrics.New()
	fa := &statusAdapter{fakeAdapter: newFakeAdapter(m)}
	close(fa.release)
	fa.set(bot.Status{Platform: "telegram", Connected: true, Since: time.Now().Add(-time.Hour)})
	r := startServe(t, m, []adapter{fa}, serveOptions{downAfter: 5 * time.Minute})
	waitUntil(t, "/healthz to answer 200", func() bool {
		code, _, _ := r.do("GET", "/healthz", "")
		return code == 200
	})
	for _, tc := range []struct {
		status   bot.Status
		code     int
		body     string
		gaugeSet string
	}{
		{bot.Status{Platform: "telegram", Connected: true, Since: time.Now()}, 200, `"connected":true`,
			`beianbot_adapter_connected{platform="telegram"} 1`},
		{bot.Status{Platform: "telegram", Since: time.Now().Add(-time.Minute), LastError: "getUpdates: 502 Bad Gateway"}, 200,
			`"last_error":"getUpdates: 502 Bad Gateway"`, `beianbot_adapter_connected{platform="telegram"} 0`},
		{bot.Status{Platform: "telegram", Since: time.Now().Add(-6 * time.Minute), LastError: "getUpdates: 502 Bad Gateway"}, 503,
			`"status":"platform unreachable"`, `beianbot_adapter_connected{platform="telegram"} 0`},
	} {
		fa.set(tc.status)
		code, body, err := r.do("GET", "/healthz", "")
		if err != nil || code != tc.code || !strings.Contains(body, tc.body) || !strings.Contains(body, `"platform":"telegram"`) {
			t.Errorf("%+v: /healthz = %d %s, %v; want %d with %s", tc.status, code, body, err, tc.code, tc.body)
		}
		if _, metricsBody, _ := r.do("GET", "/metrics", ""); !strings.Contains(metricsBody, tc.gaugeSet) {
			t.Errorf("%+v: /metrics lacks %s", tc.status, tc.gaugeSet)
		}
	}
}

func TestConnectionCap(t *testing.T) {
	ln, err := listen(mustConfig(t, map[string]string{"BEIANBOT_HTTP_ADDR": "127.0.0.1:0", "BEIANBOT_MAX_CONNECTIONS": "2"}))
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New()
	fa := newFakeAdapter(m)
	close(fa.release)
	r := startServeOn(t, ln, m, []adapter{fa}, serveOptions{})
	addr := strings.TrimPrefix(r.url, "http://")

	// Two keep-alive connections take both places.
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("held connection: %v", err)
		}
		resp.Body.Close()
		held = append(held, c)
	}
	third := make(chan error, 1)
	go func() {
		c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := c.Get(r.url + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		third <- err
	}()
	select {
	case err := <-third:
		t.Fatalf("a third connection was served (%v) while two were open, cap 2", err)
	case <-time.After(300 * time.Millisecond):
	}
	held[0].Close()
	if err := <-third; err != nil {
		t.Errorf("the third connection, once a place was free: %v", err)
	}
}

// drainingAdapter is a fakeAdapter that drains on request, as the Slack
// adapter does, and cuts what it was told to.
type drainingAdapter struct {
	*fakeAdapter
	cut     int
	drained chan struct{}
}

func (d *drainingAdapter) Drain(context.Context) int {
	close(d.drained)
	return d.cut
}

func (d *drainingAdapter) Status() bot.Status { return bot.Status{Platform: "slack", Connected: true} }

func TestShutdownReportsWhatADrainCut(t *testing.T) {
	m := metrics.New()
	da := &drainingAdapter{fakeAdapter: newFakeAdapter(m), cut: 3, drained: make(chan struct{})}
	close(da.release)
	r := startServe(t, m, []adapter{da}, serveOptions{})
	r.stop()
	err := r.wait()
	const want = "shutdown: slack: 3 acknowledged replies cut at the end of the 9.5s stop window; their askers were told to ask again"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("serveOn = %v, want an error saying %q", err, want)
	}
	select {
	case <-da.drained:
	default:
		t.Error("the adapter was not drained")
	}
}

// pollingAdapter has no webhooks: it stops when its context ends.
type pollingAdapter struct{ stopped chan struct{} }

func (p *pollingAdapter) Routes() map[string]http.Handler { return nil }

func (p *pollingAdapter) Run(ctx context.Context) error {
	<-ctx.Done()
	close(p.stopped)
	return nil
}

func TestShutdownStopsPollingAtOnce(t *testing.T) {
	m := metrics.New()
	hooks := newFakeAdapter(m)
	close(hooks.release)
	hooks.entered, hooks.ack = make(chan struct{}), make(chan struct{})
	poll := &pollingAdapter{stopped: make(chan struct{})}
	r := startServe(t, m, []adapter{hooks, poll}, serveOptions{})
	posted := make(chan int, 1)
	go func() {
		code, _, _ := r.do("POST", "/fake/events", "in flight")
		posted <- code
	}()
	<-hooks.entered
	r.stop()
	// The webhook is still being handled, and polling has stopped already:
	// it takes nothing new while the HTTP server drains.
	<-poll.stopped
	close(hooks.ack)
	if code := <-posted; code != 200 {
		t.Errorf("webhook in progress at SIGTERM got %d, want 200", code)
	}
	if err := r.wait(); err != nil {
		t.Errorf("serveOn = %v, want nil", err)
	}
}
