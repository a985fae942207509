package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beianbot/beianbot/internal/loadstat"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/store"
)

// benchResponder answers every message at once with a canned reply.
type benchResponder struct{}

func (benchResponder) Handle(context.Context, bot.Message) bot.Reply {
	return answered("备案要多久")
}
func (benchResponder) Press(context.Context, bot.Message, string) bot.Reply {
	return answered("备案要多久")
}

// BenchmarkEventsEndpoint sends signed app_mention events (pre-signed, with
// distinct event ids and channels) to /slack/events over loopback HTTP and
// measures events acknowledged per second and the time to answer each
// (scheduled send → chat.postMessage received by the fake Web API).
//
// rate=2000 offers a steady 2,000 events/s (open loop: latency counts from
// the scheduled send time, so a slow server cannot hide its queue);
// rate=max sends as fast as 32 senders can, which shows the ceiling of
// acknowledgements; its answer times then include the queue that builds up
// behind them.
func BenchmarkEventsEndpoint(b *testing.B) {
	b.Run("rate=2000", func(b *testing.B) { benchEvents(b, 2000) })
	b.Run("rate=max", func(b *testing.B) { benchEvents(b, 0) })
}

// benchEvents runs b.N events at rate per second (0: unpaced).
func benchEvents(b *testing.B, rate int) {
	n := b.N
	sched := make([]atomic.Int64, n) // unix nanos at which event i is due
	lat := make([]time.Duration, n)
	var answeredN atomic.Int64
	allAnswered := make(chan struct{})
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/auth.test":
			io.WriteString(w, `{"ok":true,"user_id":"UBOT","bot_id":"BBOT"}`)
		case "/api/chat.postMessage":
			form, _ := url.ParseQuery(string(body))
			i, err := strconv.Atoi(strings.TrimPrefix(form.Get("channel"), "C"))
			if err == nil && i >= 0 && i < n {
				lat[i] = time.Duration(time.Now().UnixNano() - sched[i].Load())
				if answeredN.Add(1) == int64(n) {
					close(allAnswered)
				}
			}
			io.WriteString(w, `{"ok":true,"channel":"C","ts":"1.1"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer api.Close()
	transport := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 128, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	client := &http.Client{Timeout: 10 * time.Second, Transport: transport}
	a, err := New(context.Background(), Config{
		BotToken: "xoxb-bench", SigningSecret: testSecret, APIURL: api.URL + "/api/",
		HTTPClient: client, Responder: benchResponder{}, Store: store.NewMemory(),
	})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	for p, h := range a.Routes() {
		mux.Handle("POST "+p, h)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()

	type signed struct {
		body    []byte
		ts, sig string
	}
	reqs := make([]signed, n)
	now := time.Now().Unix()
	for i := range reqs {
		body, _ := json.Marshal(map[string]any{"type": "event_callback", "event_id": fmt.Sprintf("Ev%d", i),
			"event": map[string]any{"type": "app_mention", "user": "U1", "text": "<@UBOT> 备案要多久",
				"ts": "1700000000.000100", "channel": fmt.Sprintf("C%d", i)}})
		reqs[i] = signed{body, strconv.FormatInt(now, 10), sign(testSecret, now, body)}
	}
	due := make(chan int, n)
	var failed atomic.Int64
	before := loadstat.Take()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	go func() { // the schedule: event i is due at start + i/rate
		defer close(due)
		for i := range n {
			at := start
			if rate > 0 {
				at = start.Add(time.Duration(i) * time.Second / time.Duration(rate))
				if d := time.Until(at); d > 0 {
					time.Sleep(d)
				}
			}
			sched[i].Store(at.UnixNano())
			due <- i
		}
	}()
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for i := range due {
				if rate == 0 {
					sched[i].Store(time.Now().UnixNano())
				}
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/slack/events", bytes.NewReader(reqs[i].body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Slack-Request-Timestamp", reqs[i].ts)
				req.Header.Set("X-Slack-Signature", reqs[i].sig)
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	acked := time.Since(start)
	select {
	case <-allAnswered:
	case <-time.After(30 * time.Second):
		b.Errorf("%d of %d events answered", answeredN.Load(), n)
	}
	b.StopTimer()
	cancel()
	<-done
	if f := failed.Load(); f > 0 {
		b.Errorf("%d of %d requests not acknowledged with 200", f, n)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(n)/acked.Seconds(), "events/s")
	b.ReportMetric(float64(lat[n/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[min(n-1, n*99/100)].Microseconds())/1000, "p99-ms")
	client.CloseIdleConnections()
	reqs = nil // the benchmark's own request bodies are not the server's memory
	loadstat.Report(b, before, 2*time.Second)
}
