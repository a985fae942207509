package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beianbot/beianbot/internal/loadstat"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/beianbot/beianbot/bot"
)

// BenchmarkWebhook posts b.N distinct updates, each from its own private
// chat (so per-chat pacing never delays them), to the webhook handler, and
// waits until the fake Bot API on loopback has received every answer. It
// reports updates acknowledged per second and the p50/p99 time from the
// webhook request to the answer's sendMessage arriving.
func BenchmarkWebhook(b *testing.B) {
	var (
		answered atomic.Int64
		all      = make(chan struct{})
		n        = int64(b.N)
		start    = make([]time.Time, b.N+1)
		done     = make([]time.Time, b.N+1)
	)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
		switch method {
		case "getMe":
			fmt.Fprintf(w, `{"ok":true,"result":{"id":%d,"is_bot":true,"first_name":"B","username":%q}}`, botID, botName)
		case "sendMessage":
			chat, _ := strconv.Atoi(r.PostFormValue("chat_id"))
			if chat > 0 && chat < len(done) {
				done[chat] = time.Now()
			}
			fmt.Fprintf(w, `{"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"}}}`, chat)
			if answered.Add(1) == n {
				close(all)
			}
		default:
			fmt.Fprint(w, `{"ok":true,"result":true}`)
		}
	}))
	defer api.Close()

	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute,
	}}
	a, err := New(context.Background(), Config{
		Token:         testToken,
		Endpoint:      api.URL + "/bot%s/%s",
		HTTPClient:    client,
		Responder:     &fakeResponder{reply: benchReply},
		Logger:        slog.New(slog.DiscardHandler),
		WebhookSecret: testSecret,
		// No queue: a full pool makes the webhook wait, as Telegram's own
		// bound on concurrent requests (max_connections, at most 100) does.
		Queue: -1,
	})
	if err != nil {
		b.Fatal(err)
	}
	h := a.Routes()[WebhookPath]
	bodies := make([]string, b.N+1)
	for i := 1; i <= b.N; i++ {
		bodies[i] = updateJSON(b, tgbotapi.Update{UpdateID: i, Message: &tgbotapi.Message{
			MessageID: i, From: &tgbotapi.User{ID: int64(i)}, Chat: &tgbotapi.Chat{ID: int64(i), Type: "private"}, Text: "香港服务器需要备案吗",
		}})
	}
	var next atomic.Int64
	before := loadstat.Take()
	b.ReportAllocs()
	b.ResetTimer()
	t0 := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			req := httptest.NewRequest(http.MethodPost, WebhookPath, strings.NewReader(bodies[i]))
			req.Header.Set(secretHeader, testSecret)
			rec := httptest.NewRecorder()
			start[i] = time.Now()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Errorf("update %d: status %d", i, rec.Code)
			}
		}
	})
	acked := time.Since(t0)
	select {
	case <-all:
	case <-time.After(time.Minute):
		b.Fatalf("only %d of %d updates answered", answered.Load(), b.N)
	}
	b.StopTimer()
	var lat []time.Duration
	for i := 1; i <= b.N; i++ {
		lat = append(lat, done[i].Sub(start[i]))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/acked.Seconds(), "acks/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	dctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	a.Drain(dctx)
	cancel()
	client.CloseIdleConnections()
	bodies = nil // the benchmark's own request bodies are not the server's memory
	loadstat.Report(b, before, 2*time.Second)
}

func benchReply(m bot.Message) bot.Reply {
	return bot.Reply{Outcome: bot.OutcomeAnswered, Text: "**我的网站域名指向的是香港地区节点服务器，需要备案吗？**\n\n不需要。详见 [备案概述](https://help.aliyun.com/zh/icp-filing/)。"}
}
