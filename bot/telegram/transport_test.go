package telegram

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/beianbot/beianbot/bot"
)

const testSecret = "hook_Secret-1"

func webhookEnv(t *testing.T) *testEnv {
	t.Helper()
	return newTestEnv(t, func(c *Config) { c.WebhookSecret = testSecret })
}

func postUpdate(h http.Handler, secret string, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, WebhookPath, strings.NewReader(body))
	if secret != "" {
		req.Header.Set(secretHeader, secret)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func updateJSON(t testing.TB, u tgbotapi.Update) string {
	t.Helper()
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWebhook(t *testing.T) {
	good := updateJSON(t, tgbotapi.Update{UpdateID: 10, Message: privateMsg(1, "hello")})
	for _, tc := range []struct {
		name   string
		secret string
		body   string
		want   int
		answer bool
	}{
		{name: "right secret", secret: testSecret, body: good, want: 200, answer: true},
		{name: "missing secret", body: good, want: 401},
		{name: "wrong secret", secret: "hook_Secret-2", body: good, want: 403},
		{name: "secret prefix", secret: testSecret[:5], body: good, want: 403},
		{name: "bad json", secret: testSecret, body: `{"update_id":`, want: 400},
		{name: "no update_id", secret: testSecret, body: `{"message":{"text":"hi"}}`, want: 400},
		{name: "too large", secret: testSecret, body: `{"update_id":1,"x":"` + strings.Repeat("a", maxWebhookBody) + `"}`, want: 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := webhookEnv(t)
			h := e.a.Routes()[WebhookPath]
			if got := postUpdate(h, tc.secret, tc.body).Code; got != tc.want {
				t.Errorf("status = %d, want %d", got, tc.want)
			}
			if tc.answer {
				sent := e.api.waitFor("sendMessage", 1)
				if got := sent[0].params.Get("chat_id"); got != "7" {
					t.Errorf("answered chat %q, want 7", got)
				}
			}
			e.drain(t) // all accepted work is done
			if got := len(e.resp.messages()); (got == 1) != tc.answer {
				t.Errorf("responder called %d times; want an answer: %v", got, tc.answer)
			}
		})
	}
}

func TestWebhookMethod(t *testing.T) {
	e := webhookEnv(t)
	req := httptest.NewRequest(http.MethodGet, WebhookPath, nil)
	req.Header.Set(secretHeader, testSecret)
	rec := httptest.NewRecorder()
	e.a.Routes()[WebhookPath].ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET status = %d, want 405", rec.Code)
	}
}

func TestWebhookDuplicateUpdate(t *testing.T) {
	e := webhookEnv(t)
	h := e.a.Routes()[WebhookPath]
	body := updateJSON(t, tgbotapi.Update{UpdateID: 77, Message: privateMsg(1, "hello")})
	for i := range 3 {
		if got := postUpdate(h, testSecret, body).Code; got != 200 {
			t.Fatalf("delivery %d: status %d, want 200", i, got)
		}
	}
	e.drain(t)
	if got := len(e.api.get("sendMessage")); got != 1 {
		t.Errorf("sendMessage called %d times, want 1", got)
	}
	if got := e.counter(t, "beianbot_dedup_hits_total", "platform", "telegram"); got != 2 {
		t.Errorf("dedup hits = %v, want 2", got)
	}
}

func TestWebhookAfterShutdown(t *testing.T) {
	e := webhookEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := e.a.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	body := updateJSON(t, tgbotapi.Update{UpdateID: 5, Message: privateMsg(1, "late")})
	if got := postUpdate(e.a.Routes()[WebhookPath], testSecret, body).Code; got != http.StatusServiceUnavailable {
		t.Errorf("status after Run returned = %d, want 503 so that Telegram redelivers", got)
	}
}

// runAdapter starts Run and returns a function that cancels it and waits
// for it to return.
func runAdapter(t *testing.T, a *Adapter) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	return func() {
		t.Helper()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return within 5s of its context ending")
		}
	}
}

func offsets(calls []apiCall) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.params.Get("offset"))
	}
	return out
}

func TestPollingDeliversAndConfirms(t *testing.T) {
	e := newTestEnv(t, nil)
	e.api.queue(
		tgbotapi.Update{UpdateID: 500, Message: privateMsg(1, "first")},
		tgbotapi.Update{UpdateID: 501, EditedMessage: privateMsg(1, "edited")},
		tgbotapi.Update{UpdateID: 502, Message: groupMsg(2, "/help@beian_bot", cmdEntity("/help@beian_bot"))},
	)
	stop := runAdapter(t, e.a)
	e.api.waitFor("sendMessage", 2)
	polls := e.api.waitFor("getUpdates", 2) // the second poll confirms the batch
	stop()

	if got := e.api.get("deleteWebhook"); len(got) != 1 {
		t.Errorf("deleteWebhook called %d times, want 1", len(got))
	}
	if diff := cmp.Diff([]string{"", "503"}, offsets(polls[:2])); diff != "" {
		t.Errorf("getUpdates offsets (-want +got):\n%s", diff)
	}
	p := polls[0].params
	if p.Get("timeout") != "10" || p.Get("allowed_updates") != `["message","callback_query"]` {
		t.Errorf("getUpdates params = %v, want timeout 10 and message, callback_query", p)
	}
	var chats []string
	for _, c := range e.api.get("sendMessage") {
		chats = append(chats, c.params.Get("chat_id"))
	}
	if diff := cmp.Diff([]string{"-100", "7"}, chats, cmpSorted()); diff != "" {
		t.Errorf("answered chats (-want +got):\n%s", diff)
	}
}

func cmpSorted() cmp.Option {
	return cmp.Transformer("sort", func(in []string) []string {
		out := append([]string(nil), in...)
		for i := range out {
			for j := i + 1; j < len(out); j++ {
				if out[j] < out[i] {
					out[i], out[j] = out[j], out[i]
				}
			}
		}
		return out
	})
}

func TestShutdownMidPoll(t *testing.T) {
	// A 10 s long poll: Run must not wait for it when its context ends.
	e := newTestEnv(t, nil)
	stop := runAdapter(t, e.a)
	e.api.waitFor("getUpdates", 1)
	stop()
}

func TestShutdownConfirmsHandledUpdates(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	e.resp.reply = func(m bot.Message) bot.Reply {
		cancel() // shutdown begins while the update is being handled
		return bot.Reply{Outcome: bot.OutcomeAnswered, Text: "still answered"}
	}
	e.api.queue(tgbotapi.Update{UpdateID: 900, Message: privateMsg(1, "q")})
	if err := e.a.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if sent := e.api.get("sendMessage"); len(sent) != 1 || sent[0].params.Get("text") != "still answered" {
		t.Errorf("sent %v, want the answer despite the shutdown", sent)
	}
	polls := e.api.get("getUpdates")
	if diff := cmp.Diff([]string{"", "901"}, offsets(polls)); diff != "" {
		t.Fatalf("getUpdates offsets (-want +got):\n%s", diff)
	}
	if last := polls[len(polls)-1].params; last.Get("timeout") != "" || last.Get("limit") != "1" {
		t.Errorf("confirming poll params = %v, want no timeout and limit 1", last)
	}
}

func TestPollingBacksOff(t *testing.T) {
	e := newTestEnv(t, nil)
	e.api.on("getUpdates", func(n int, _ url.Values) (int, string) {
		switch n {
		case 0, 1:
			return 502, `{"ok":false,"error_code":502,"description":"Bad Gateway"}`
		case 2:
			return 429, `{"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":7}}`
		case 3:
			return 200, `{"ok":true,"result":[{"update_id":3,"message":{"message_id":1,"from":{"id":7,"first_name":"U"},"chat":{"id":7,"type":"private"},"date":1,"text":"hi"}}]}`
		}
		return 200, `{"ok":true,"result":[]}`
	})
	stop := runAdapter(t, e.a)
	e.api.waitFor("sendMessage", 1)
	stop()
	want := []time.Duration{time.Second, 2 * time.Second, 7 * time.Second}
	if diff := cmp.Diff(want, e.sleeps.all()[:3]); diff != "" {
		t.Errorf("waits after errors (-want +got):\n%s", diff)
	}
}

// TestGroupPacing: sends to one group are spaced so that no minute holds
// more than GroupPerMinute of them; a private chat keeps one a second.
func TestGroupPacing(t *testing.T) {
	e := newTestEnv(t, nil)
	for i := range 3 {
		e.process(t, tgbotapi.Update{UpdateID: 10 + i, Message: groupMsg(i+1, "/help", cmdEntity("/help"))})
	}
	for i := range 2 {
		e.process(t, tgbotapi.Update{UpdateID: 20 + i, Message: privateMsg(i+1, "hi")})
	}
	every := time.Minute / 19
	want := []time.Duration{every, 2 * every, time.Second}
	if diff := cmp.Diff(want, e.sleeps.all()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestTranslate(t *testing.T) {
	me := identity{id: botID, username: botName}
	for _, tc := range []struct {
		name string
		msg  *tgbotapi.Message
		want *bot.Message // nil: ignored
	}{
		{"private", privateMsg(1, "要备案吗"), &bot.Message{Text: "要备案吗", Direct: true, Addressed: true}},
		{"private unknown command", privateMsg(1, "/foo bar"), &bot.Message{Text: "/foo bar", Direct: true, Addressed: true}},
		{"private sticker", privateMsg(1, ""), &bot.Message{Direct: true, Addressed: true}},
		{"group chatter", groupMsg(1, "hi all"), &bot.Message{Text: "hi all"}},
		{"group known bare command", groupMsg(1, "/check example.com", cmdEntity("/check")), &bot.Message{Text: "example.com", Command: "check", Args: "example.com", Addressed: true}},
		{"group unknown bare command", groupMsg(1, "/roll 6", cmdEntity("/roll")), nil},
		{"group command for us", groupMsg(1, "/start@BEIAN_BOT", cmdEntity("/start@BEIAN_BOT")), &bot.Message{Command: "start", Addressed: true}},
		{"private unknown command for us", func() *tgbotapi.Message {
			m := privateMsg(1, "/foo@beian_bot bar")
			m.Entities = []tgbotapi.MessageEntity{cmdEntity(m.Text)}
			return m
		}(), &bot.Message{Text: "/foo bar", Direct: true, Addressed: true}},
		{"command with a mention in its arguments", groupMsg(1, "/beian @alice 要备案吗", cmdEntity("/beian"), tgbotapi.MessageEntity{Type: "mention", Offset: 7, Length: 6}),
			&bot.Message{Text: "要备案吗", Command: "beian", Args: "要备案吗", Addressed: true}},
		{"group command for another bot", groupMsg(1, "/start@other_bot", cmdEntity("/start@other_bot")), nil},
		{"group without text", groupMsg(1, ""), nil},
		{"mention in the middle", groupMsg(1, "请问 @beian_bot 香港要备案吗", tgbotapi.MessageEntity{Type: "mention", Offset: 3, Length: 10}),
			&bot.Message{Text: "请问 香港要备案吗", Addressed: true}},
		{"mention after an emoji (UTF-16 offsets)", groupMsg(1, "👋 @beian_bot hk?", tgbotapi.MessageEntity{Type: "mention", Offset: 3, Length: 10}),
			&bot.Message{Text: "👋 hk?", Addressed: true}},
		{"mention of someone else is stripped", groupMsg(1, "@alice hk?", tgbotapi.MessageEntity{Type: "mention", Offset: 0, Length: 6}), &bot.Message{Text: "hk?"}},
		{"text mention of the bot", groupMsg(1, "Beian hk?", tgbotapi.MessageEntity{Type: "text_mention", Offset: 0, Length: 5, User: &tgbotapi.User{ID: botID}}),
			&bot.Message{Text: "hk?", Addressed: true}},
		{"entity out of range", groupMsg(1, "hi", tgbotapi.MessageEntity{Type: "mention", Offset: 1, Length: 50}), &bot.Message{Text: "hi"}},
		{"caption with mention", func() *tgbotapi.Message {
			m := groupMsg(1, "")
			m.Caption, m.CaptionEntities = "@beian_bot what is this", []tgbotapi.MessageEntity{{Type: "mention", Offset: 0, Length: 10}}
			return m
		}(), &bot.Message{Text: "what is this", Addressed: true}},
		{"no sender", &tgbotapi.Message{Chat: &tgbotapi.Chat{ID: 1, Type: "private"}, Text: "x"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, ok := translate(t.Context(), tc.msg, me)
			if tc.want == nil {
				if ok {
					t.Errorf("translate = %+v, want ignored", in.msg)
				}
				return
			}
			want := *tc.want
			want.Platform = "telegram"
			want.ChatID = strconv.FormatInt(tc.msg.Chat.ID, 10)
			want.UserID = strconv.FormatInt(tc.msg.From.ID, 10)
			if !ok {
				t.Fatalf("translate ignored the message, want %+v", want)
			}
			if diff := cmp.Diff(want, in.msg); diff != "" {
				t.Errorf("translate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunFinishesAcceptedWork(t *testing.T) {
	e := webhookEnv(t)
	release := make(chan struct{})
	started := make(chan struct{})
	e.resp.reply = func(bot.Message) bot.Reply {
		close(started)
		<-release
		return bot.Reply{Outcome: bot.OutcomeAnswered, Text: "late but sent"}
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.a.Run(ctx) }()
	body := updateJSON(t, tgbotapi.Update{UpdateID: 1, Message: privateMsg(1, "q")})
	if got := postUpdate(e.a.Routes()[WebhookPath], testSecret, body).Code; got != 200 {
		t.Fatalf("status %d, want 200", got)
	}
	<-started
	cancel()
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := len(e.api.get("sendMessage")); got != 1 {
		t.Errorf("Run returned with %d answers sent, want 1: accepted work must finish first", got)
	}
}

func TestRunCancelsWorkAfterGrace(t *testing.T) {
	e := newTestEnv(t, func(c *Config) {
		c.WebhookSecret = testSecret
		c.ShutdownGrace = time.Millisecond
		c.FollowUpTimeout = time.Hour
		c.WorkTimeout = time.Hour
	})
	started := make(chan struct{})
	e.resp.reply = func(bot.Message) bot.Reply {
		return bot.Reply{Outcome: bot.OutcomeCheck, Text: "checking…", FollowUp: func(ctx context.Context) bot.Reply {
			close(started)
			<-ctx.Done() // a check that would never end on its own
			return bot.Reply{Outcome: bot.OutcomeCheck, Text: "cut short"}
		}}
	}
	ctx, cancel := context.WithCancel(t.Context())
	stopped := make(chan error, 1)
	go func() { stopped <- e.a.Run(ctx) }()
	body := updateJSON(t, tgbotapi.Update{UpdateID: 1, Message: privateMsg(1, "/check a.cn")})
	postUpdate(e.a.Routes()[WebhookPath], testSecret, body)
	<-started
	cancel()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run still waiting for work 5s after the grace period")
	}
}

func TestFollowUpHasDeadline(t *testing.T) {
	e := newTestEnv(t, nil)
	var left time.Duration
	e.resp.reply = func(bot.Message) bot.Reply {
		return bot.Reply{Outcome: bot.OutcomeCheck, Text: "checking…", FollowUp: func(ctx context.Context) bot.Reply {
			dl, ok := ctx.Deadline()
			if ok {
				left = time.Until(dl)
			}
			return bot.Reply{Outcome: bot.OutcomeCheck, Text: "done"}
		}}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 9*time.Second)
	defer cancel()
	e.a.process(ctx, tgbotapi.Update{UpdateID: 1, Message: privateMsg(1, "/check a.cn")}, func() {})
	if left <= 0 || left > 8*time.Second {
		t.Errorf("follow-up had %v left, want a deadline within 8s (a second before the work's)", left)
	}
}

func TestPanicEndsOnlyThatUpdate(t *testing.T) {
	e := webhookEnv(t)
	e.resp.reply = func(m bot.Message) bot.Reply {
		if m.Text == "boom" {
			panic("responder bug")
		}
		return bot.Reply{Outcome: bot.OutcomeAnswered, Text: "fine"}
	}
	h := e.a.Routes()[WebhookPath]
	postUpdate(h, testSecret, updateJSON(t, tgbotapi.Update{UpdateID: 1, Message: privateMsg(1, "boom")}))
	postUpdate(h, testSecret, updateJSON(t, tgbotapi.Update{UpdateID: 2, Message: privateMsg(2, "ok")}))
	e.drain(t)
	if sent := e.api.get("sendMessage"); len(sent) != 1 || sent[0].params.Get("text") != "fine" {
		t.Errorf("sent %v, want only the second update's answer", sent)
	}
}
