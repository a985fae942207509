package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/beianbot/beianbot/internal/clock"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/beianbot/beianbot/bot"
)

// process runs one update through the adapter synchronously.
func (e *testEnv) process(t *testing.T, u tgbotapi.Update) {
	t.Helper()
	e.a.process(t.Context(), u, func() {})
}

func TestStartup(t *testing.T) {
	e := newTestEnv(t, func(c *Config) {
		c.WebhookSecret = "s3cret_-"
		c.WebhookURL = "https://bot.example.com/telegram/webhook"
	})
	if got := e.a.Username(); got != botName {
		t.Errorf("Username() = %q, want %q", got, botName)
	}
	var langs []string
	for _, c := range e.api.get("setMyCommands") {
		langs = append(langs, c.params.Get("language_code"))
		var cmds []tgbotapi.BotCommand
		if err := json.Unmarshal([]byte(c.params.Get("commands")), &cmds); err != nil {
			t.Fatalf("commands %q: %v", c.params.Get("commands"), err)
		}
		var names []string
		for _, c := range cmds {
			names = append(names, c.Command)
		}
		if diff := cmp.Diff([]string{"beian", "check", "help", "start"}, names); diff != "" {
			t.Errorf("commands (-want +got):\n%s", diff)
		}
		if lang := c.params.Get("language_code"); lang == "zh" && !strings.Contains(cmds[0].Description, "备案") {
			t.Errorf("zh description %q is not Chinese", cmds[0].Description)
		}
	}
	if diff := cmp.Diff([]string{"", "en", "zh"}, langs); diff != "" {
		t.Errorf("setMyCommands languages (-want +got):\n%s", diff)
	}
	hooks := e.api.get("setWebhook")
	if len(hooks) != 1 {
		t.Fatalf("setWebhook called %d times, want 1", len(hooks))
	}
	want := url.Values{
		"url":             {"https://bot.example.com/telegram/webhook"},
		"secret_token":    {"s3cret_-"},
		"allowed_updates": {`["message","callback_query"]`},
	}
	if diff := cmp.Diff(want, hooks[0].params); diff != "" {
		t.Errorf("setWebhook params (-want +got):\n%s", diff)
	}
	if got := e.a.Routes(); got[WebhookPath] == nil {
		t.Errorf("Routes() = %v, want the webhook handler", got)
	}
}

func TestStartupFailures(t *testing.T) {
	f := newFakeAPI(t)
	f.on("getMe", func(int, url.Values) (int, string) {
		return 401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`
	})
	_, err := New(t.Context(), Config{Token: testToken, Endpoint: f.endpoint(), Responder: &fakeResponder{}})
	if err == nil || !strings.Contains(err.Error(), "Unauthorized") {
		t.Errorf("New with a bad token: err = %v, want Unauthorized", err)
	}
	if err != nil && strings.Contains(err.Error(), testToken) {
		t.Errorf("error %q reveals the token", err)
	}

	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"no token", Config{Responder: &fakeResponder{}}},
		{"no responder", Config{Token: testToken}},
		{"endpoint without %s", Config{Token: testToken, Responder: &fakeResponder{}, Endpoint: "http://127.0.0.1/bot"}},
		{"endpoint with a third verb", Config{Token: testToken, Responder: &fakeResponder{}, Endpoint: "http://127.0.0.1/%d/bot%s/%s"}},
		{"bad secret", Config{Token: testToken, Responder: &fakeResponder{}, WebhookSecret: "no spaces allowed"}},
		{"http webhook", Config{Token: testToken, Responder: &fakeResponder{}, WebhookSecret: "abc", WebhookURL: "http://x.example/hook"}},
		{"client timeout too short", Config{Token: testToken, Responder: &fakeResponder{}, HTTPClient: &http.Client{Timeout: time.Second}}},
		{"timeout turned off", Config{Token: testToken, Responder: &fakeResponder{}, WorkTimeout: -1}},
		{"malformed token", Config{Token: "123456:ABC%zz", Responder: &fakeResponder{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(t.Context(), tc.cfg); !errors.Is(err, ErrConfig) {
				t.Errorf("New: err = %v, want ErrConfig", err)
			}
		})
	}
}

func TestTransportErrorHidesToken(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.MaxRetries = -1 })
	e.api.srv.Close()
	_, err := e.a.api.sendMessage(t.Context(), outgoing{chatID: 1, text: "x"})
	if err == nil {
		t.Fatal("sendMessage to a closed server succeeded")
	}
	if strings.Contains(err.Error(), testToken) || !strings.Contains(err.Error(), "sendMessage") {
		t.Errorf("error %q: want the method named and the token hidden", err)
	}
}

func TestPrivateMessage(t *testing.T) {
	e := newTestEnv(t, nil)
	e.process(t, tgbotapi.Update{UpdateID: 1, Message: privateMsg(55, "香港服务器要备案吗")})

	want := []bot.Message{{Platform: "telegram", ChatID: "7", UserID: "7", Text: "香港服务器要备案吗", Direct: true, Addressed: true}}
	if diff := cmp.Diff(want, e.resp.messages()); diff != "" {
		t.Errorf("responder got (-want +got):\n%s", diff)
	}
	sent := e.api.get("sendMessage")
	if len(sent) != 1 {
		t.Fatalf("sendMessage called %d times, want 1", len(sent))
	}
	wantParams := url.Values{
		"chat_id":              {"7"},
		"text":                 {"<b>Q</b>\n\nanswer to 香港服务器要备案吗"},
		"parse_mode":           {"HTML"},
		"reply_parameters":     {`{"message_id":55,"allow_sending_without_reply":true}`},
		"link_preview_options": {`{"is_disabled":true}`},
	}
	if diff := cmp.Diff(wantParams, sent[0].params); diff != "" {
		t.Errorf("sendMessage params (-want +got):\n%s", diff)
	}
	if got := e.counter(t, "beianbot_replies_sent_total", "platform", "telegram", "outcome", "answered"); got != 1 {
		t.Errorf("replies counted = %v, want 1", got)
	}
}

func TestGroupMessages(t *testing.T) {
	silentChatter := func(m bot.Message) bot.Reply {
		if !m.Addressed {
			return bot.Reply{Outcome: bot.OutcomeDeclined}
		}
		return bot.Reply{Outcome: bot.OutcomeAnswered, Text: "A: " + m.Text}
	}
	for _, tc := range []struct {
		name     string
		msg      *tgbotapi.Message
		wantMsg  []bot.Message // what the responder sees
		wantSent []string      // texts sent
	}{
		{
			name:    "chatter gets nothing",
			msg:     groupMsg(1, "lunch anyone?"),
			wantMsg: []bot.Message{{Platform: "telegram", ChatID: "-100", UserID: "8", Text: "lunch anyone?"}},
		},
		{
			name:     "mention is stripped and addresses the bot",
			msg:      groupMsg(2, "@Beian_Bot 香港服务器要备案吗", tgbotapi.MessageEntity{Type: "mention", Offset: 0, Length: 10}),
			wantMsg:  []bot.Message{{Platform: "telegram", ChatID: "-100", UserID: "8", Text: "香港服务器要备案吗", Addressed: true}},
			wantSent: []string{"A: 香港服务器要备案吗"},
		},
		{
			name:     "command for this bot",
			msg:      groupMsg(3, "/beian@beian_bot 要备案吗", cmdEntity("/beian@beian_bot")),
			wantMsg:  []bot.Message{{Platform: "telegram", ChatID: "-100", UserID: "8", Text: "要备案吗", Command: "beian", Args: "要备案吗", Addressed: true}},
			wantSent: []string{"A: 要备案吗"},
		},
		{
			name: "command for another bot is ignored",
			msg:  groupMsg(4, "/beian@other_bot 要备案吗", cmdEntity("/beian@other_bot")),
		},
		{
			name: "reply to the bot",
			msg: func() *tgbotapi.Message {
				m := groupMsg(5, "and for Macau?")
				m.ReplyToMessage = &tgbotapi.Message{MessageID: 4, From: &tgbotapi.User{ID: botID, IsBot: true}}
				return m
			}(),
			wantMsg:  []bot.Message{{Platform: "telegram", ChatID: "-100", UserID: "8", Text: "and for Macau?", Addressed: true}},
			wantSent: []string{"A: and for Macau?"},
		},
		{
			name: "other bots are never answered",
			msg: func() *tgbotapi.Message {
				m := groupMsg(6, "@beian_bot hi", tgbotapi.MessageEntity{Type: "mention", Offset: 0, Length: 10})
				m.From.IsBot = true
				return m
			}(),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, nil)
			e.resp.reply = silentChatter
			e.process(t, tgbotapi.Update{UpdateID: 1, Message: tc.msg})
			if diff := cmp.Diff(tc.wantMsg, e.resp.messages()); diff != "" {
				t.Errorf("responder got (-want +got):\n%s", diff)
			}
			var sent []string
			for _, c := range e.api.get("sendMessage") {
				sent = append(sent, c.params.Get("text"))
				if got := quoted(t, c.params); tc.msg.MessageID == 5 && got != 5 {
					t.Errorf("quoted message %d, want 5", got)
				}
			}
			if diff := cmp.Diff(tc.wantSent, sent); diff != "" {
				t.Errorf("sent (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIgnoredUpdates(t *testing.T) {
	e := newTestEnv(t, nil)
	channel := &tgbotapi.Message{MessageID: 1, Chat: &tgbotapi.Chat{ID: -5, Type: "channel"}, Text: "/beian hi"}
	for _, u := range []tgbotapi.Update{
		{UpdateID: 1, EditedMessage: privateMsg(1, "edited")},
		{UpdateID: 2, ChannelPost: channel},
		{UpdateID: 3, Message: channel},
		{UpdateID: 4, CallbackQuery: &tgbotapi.CallbackQuery{ID: "q", From: &tgbotapi.User{ID: 9, IsBot: true}, Data: "a|x|zh"}},
	} {
		e.process(t, u)
	}
	if got := e.resp.messages(); len(got) != 0 {
		t.Errorf("responder asked about %v, want nothing", got)
	}
	if got := e.api.get("sendMessage"); len(got) != 0 {
		t.Errorf("sent %d messages, want none", len(got))
	}
}

func TestSuggestionsKeyboard(t *testing.T) {
	e := newTestEnv(t, nil)
	long := "a|" + strings.Repeat("x", 60) + "|备案"
	e.resp.reply = func(bot.Message) bot.Reply {
		return bot.Reply{Outcome: bot.OutcomeSuggested, Text: "Did you mean:", Buttons: []bot.Button{
			{Label: "香港服务器需要备案吗？", Value: "a|section_cym|zh"},
			{Label: "Long value", Value: long},
			{Label: "", Value: "a|empty-label|en"},
		}}
	}
	e.process(t, tgbotapi.Update{UpdateID: 1, Message: privateMsg(3, "hk?")})
	sent := e.api.waitFor("sendMessage", 1)
	var kb tgbotapi.InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(sent[0].params.Get("reply_markup")), &kb); err != nil {
		t.Fatalf("reply_markup %q: %v", sent[0].params.Get("reply_markup"), err)
	}
	var got [][2]string
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			got = append(got, [2]string{b.Text, *b.CallbackData})
		}
	}
	want := [][2]string{
		{"香港服务器需要备案吗？", "a|section_cym|zh"},
		{"Long value", long[:63]}, // "备" would straddle byte 64: cut before it
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keyboard (-want +got):\n%s", diff)
	}
}

func TestCallbackPress(t *testing.T) {
	e := newTestEnv(t, nil)
	question := groupMsg(10, "/beian hk", cmdEntity("/beian"))
	suggestions := &tgbotapi.Message{MessageID: 11, From: &tgbotapi.User{ID: botID, IsBot: true}, Chat: question.Chat, ReplyToMessage: question}
	e.process(t, tgbotapi.Update{UpdateID: 1, CallbackQuery: &tgbotapi.CallbackQuery{
		ID: "cb-1", From: user(8), Message: suggestions, Data: "a|section_cym|zh",
	}})
	if diff := cmp.Diff([]string{"answerCallbackQuery", "sendMessage"}, e.api.methods()[4:]); diff != "" {
		t.Errorf("calls after start-up (-want +got):\n%s", diff)
	}
	if got := e.api.get("answerCallbackQuery")[0].params.Get("callback_query_id"); got != "cb-1" {
		t.Errorf("callback_query_id = %q, want cb-1", got)
	}
	if diff := cmp.Diff([]string{"a|section_cym|zh"}, e.resp.pressed); diff != "" {
		t.Errorf("pressed (-want +got):\n%s", diff)
	}
	want := []bot.Message{{Platform: "telegram", ChatID: "-100", UserID: "8", Addressed: true}}
	if diff := cmp.Diff(want, e.resp.messages()); diff != "" {
		t.Errorf("press message (-want +got):\n%s", diff)
	}
	sent := e.api.get("sendMessage")[0].params
	if sent.Get("text") != "pressed a|section_cym|zh" || quoted(t, sent) != 10 {
		t.Errorf("answer = %q quoting %d, want the pressed answer quoting message 10", sent.Get("text"), quoted(t, sent))
	}
}

func checkReply(result string) func(bot.Message) bot.Reply {
	return func(bot.Message) bot.Reply {
		return bot.Reply{Outcome: bot.OutcomeCheck, Text: "checking…", FollowUp: func(context.Context) bot.Reply {
			return bot.Reply{Outcome: bot.OutcomeCheck, Text: result}
		}}
	}
}

func TestCheckEditsAcknowledgement(t *testing.T) {
	e := newTestEnv(t, nil)
	e.resp.reply = checkReply("example.com: **outside_mainland**")
	e.process(t, tgbotapi.Update{UpdateID: 1, Message: privateMsg(3, "/check example.com")})
	sent := e.api.get("sendMessage")
	edits := e.api.get("editMessageText")
	if len(sent) != 1 || len(edits) != 1 {
		t.Fatalf("sent %d, edited %d; want 1 and 1", len(sent), len(edits))
	}
	if got := sent[0].params.Get("text"); got != "checking…" {
		t.Errorf("acknowledgement = %q", got)
	}
	want := url.Values{"chat_id": {"7"}, "message_id": {"1001"}, "text": {"example.com: <b>outside_mainland</b>"},
		"parse_mode": {"HTML"}, "link_preview_options": {`{"is_disabled":true}`}}
	if diff := cmp.Diff(want, edits[0].params); diff != "" {
		t.Errorf("edit (-want +got):\n%s", diff)
	}
}

func TestCheckFallsBackToNewMessage(t *testing.T) {
	e := newTestEnv(t, nil)
	e.resp.reply = checkReply("result")
	e.api.on("editMessageText", func(int, url.Values) (int, string) {
		return 400, `{"ok":false,"error_code":400,"description":"Bad Request: message to edit not found"}`
	})
	e.process(t, tgbotapi.Update{UpdateID: 1, Message: privateMsg(3, "/check example.com")})
	var texts []string
	for _, c := range e.api.get("sendMessage") {
		texts = append(texts, c.params.Get("text"))
	}
	if diff := cmp.Diff([]string{"checking…", "result"}, texts); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
}

func TestRetryAfter(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.ChatInterval = -1 })
	e.api.on("sendMessage", func(n int, p url.Values) (int, string) {
		if n < 2 {
			return 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`
		}
		return 200, `{"ok":true,"result":{"message_id":9,"date":1,"chat":{"id":7,"type":"private"}}}`
	})
	e.process(t, tgbotapi.Update{UpdateID: 1, Message: privateMsg(3, "hi")})
	if got := len(e.api.get("sendMessage")); got != 3 {
		t.Errorf("sendMessage attempts = %d, want 3", got)
	}
	if diff := cmp.Diff([]time.Duration{time.Second, time.Second}, e.sleeps.all()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if got := e.counter(t, "beianbot_platform_api_retries_total", "platform", "telegram"); got != 2 {
		t.Errorf("retries counted = %v, want 2", got)
	}
	if got := e.counter(t, "beianbot_replies_sent_total", "platform", "telegram"); got != 1 {
		t.Errorf("replies counted = %v, want 1", got)
	}
}

func TestRetryAfterIsBounded(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.ChatInterval = -1; c.MaxRetries = 2 })
	e.api.on("sendMessage", func(int, url.Values) (int, string) {
		return 429, `{"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":1}}`
	})
	e.process(t, tgbotapi.Update{UpdateID: 1, Message: privateMsg(3, "hi")})
	if got := len(e.api.get("sendMessage")); got != 3 {
		t.Errorf("sendMessage attempts = %d, want 3 (1 + 2 retries)", got)
	}
	if got := e.counter(t, "beianbot_platform_api_errors_total", "platform", "telegram", "method", "sendMessage"); got != 3 {
		t.Errorf("API errors counted = %v, want 3", got)
	}
	if got := e.counter(t, "beianbot_replies_sent_total", "platform", "telegram"); got != 0 {
		t.Errorf("replies counted = %v, want 0", got)
	}
}

func TestRetryRespectsContext(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.ChatInterval = -1; c.Sleep = clock.Sleep })
	e.api.on("sendMessage", func(int, url.Values) (int, string) {
		return 429, `{"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":3600}}`
	})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	_, err := e.a.api.sendMessage(ctx, outgoing{chatID: 7, text: "x"})
	if err == nil || !strings.Contains(err.Error(), "past the deadline") {
		t.Errorf("err = %v, want a give-up because retry_after is past the deadline", err)
	}
}

func TestEntitiesRefusedFallsBackToPlainText(t *testing.T) {
	e := newTestEnv(t, nil)
	e.resp.reply = func(bot.Message) bot.Reply {
		return bot.Reply{Outcome: bot.OutcomeAnswered, Text: "**Q**\n\nsee [docs](https://help.aliyun.com/x) & more"}
	}
	e.api.on("sendMessage", func(n int, p url.Values) (int, string) {
		if p.Get("parse_mode") == "HTML" {
			return 400, `{"ok":false,"error_code":400,"description":"Bad Request: can't parse entities: unsupported start tag"}`
		}
		return 200, `{"ok":true,"result":{"message_id":9,"date":1,"chat":{"id":7,"type":"private"}}}`
	})
	e.process(t, tgbotapi.Update{UpdateID: 1, Message: privateMsg(3, "q")})
	sent := e.api.get("sendMessage")
	if len(sent) != 2 {
		t.Fatalf("sendMessage called %d times, want 2", len(sent))
	}
	want := url.Values{"chat_id": {"7"}, "text": {"Q\n\nsee docs (https://help.aliyun.com/x) & more"},
		"reply_parameters": {`{"message_id":3,"allow_sending_without_reply":true}`}, "link_preview_options": {`{"is_disabled":true}`}}
	if diff := cmp.Diff(want, sent[1].params); diff != "" {
		t.Errorf("plain retry (-want +got):\n%s", diff)
	}
}

func TestLongReplyIsSplit(t *testing.T) {
	e := newTestEnv(t, nil)
	para := strings.Repeat("备案", 1500) // 3000 characters
	e.resp.reply = func(bot.Message) bot.Reply {
		return bot.Reply{Outcome: bot.OutcomeSuggested, Text: "**" + para + "**\n\n" + para,
			Buttons: []bot.Button{{Label: "L", Value: "a|x|zh"}}}
	}
	e.process(t, tgbotapi.Update{UpdateID: 1, Message: privateMsg(3, "q")})
	sent := e.api.get("sendMessage")
	if len(sent) != 2 {
		t.Fatalf("sendMessage called %d times, want 2", len(sent))
	}
	if got := sent[0].params.Get("text"); got != "<b>"+para+"</b>" {
		t.Errorf("first part = %.40q…, want the bold paragraph", got)
	}
	if quoted(t, sent[0].params) != 3 || quoted(t, sent[1].params) != 0 {
		t.Errorf("only the first part should quote the question")
	}
	if sent[0].params.Get("reply_markup") != "" || sent[1].params.Get("reply_markup") == "" {
		t.Errorf("only the last part should carry the keyboard")
	}
	if got := e.sleeps.all(); len(got) != 1 || got[0] != time.Second {
		t.Errorf("waits = %v, want one 1s wait between the parts (pacing)", got)
	}
}

func TestGroupMigrated(t *testing.T) {
	e := newTestEnv(t, nil)
	e.api.on("sendMessage", func(n int, p url.Values) (int, string) {
		if p.Get("chat_id") == "-100" {
			return 400, `{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1009}}`
		}
		return 200, `{"ok":true,"result":{"message_id":9,"date":1,"chat":{"id":-1009,"type":"supergroup"}}}`
	})
	e.process(t, tgbotapi.Update{UpdateID: 1, Message: groupMsg(3, "/help", cmdEntity("/help"))})
	var chats []string
	for _, c := range e.api.get("sendMessage") {
		chats = append(chats, c.params.Get("chat_id"))
	}
	if diff := cmp.Diff([]string{"-100", "-1009"}, chats); diff != "" {
		t.Errorf("sendMessage chats (-want +got):\n%s", diff)
	}
}

// quoted returns the message a send quotes (reply_parameters), 0 for none.
func quoted(t *testing.T, p url.Values) int {
	t.Helper()
	raw := p.Get("reply_parameters")
	if raw == "" {
		return 0
	}
	var rp struct {
		MessageID int  `json:"message_id"`
		Allow     bool `json:"allow_sending_without_reply"`
	}
	if err := json.Unmarshal([]byte(raw), &rp); err != nil || !rp.Allow {
		t.Fatalf("reply_parameters %q: %v; want a message_id, allowed without the reply", raw, err)
	}
	return rp.MessageID
}
