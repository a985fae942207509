package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// tgFakeAPI is a fake Bot API: getUpdates hands out one private message,
// then long-polls until the request ends; sendMessage calls are recorded.
type tgFakeAPI struct {
	mu      sync.Mutex
	served  bool
	methods []string
	sent    chan url.Values
}

func (f *tgFakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	if !strings.HasPrefix(r.URL.Path, "/bot1234:e2e-token/") {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
		return
	}
	f.mu.Lock()
	f.methods = append(f.methods, method)
	first := !f.served && method == "getUpdates"
	if first {
		f.served = true
	}
	f.mu.Unlock()
	switch method {
	case "getMe":
		fmt.Fprint(w, `{"ok":true,"result":{"id":99,"is_bot":true,"first_name":"Beian","username":"beian_e2e_bot"}}`)
	case "getUpdates":
		if first {
			fmt.Fprint(w, `{"ok":true,"result":[{"update_id":700,"message":{"message_id":5,"date":1,`+
				`"from":{"id":31337,"first_name":"U"},"chat":{"id":31337,"type":"private"},"text":"香港服务器需要备案吗"}}]}`)
			return
		}
		if r.PostForm.Get("timeout") == "" {
			fmt.Fprint(w, `{"ok":true,"result":[]}`)
			return
		}
		<-r.Context().Done() // a long poll with nothing to deliver
	case "sendMessage":
		f.sent <- r.PostForm
		res, _ := json.Marshal(map[string]any{"message_id": 6, "date": 1, "chat": map[string]any{"id": 31337, "type": "private"}})
		fmt.Fprintf(w, `{"ok":true,"result":%s}`, res)
	default:
		fmt.Fprint(w, `{"ok":true,"result":true}`)
	}
}

func TestTelegramEndToEnd(t *testing.T) {
	fake := &tgFakeAPI{sent: make(chan url.Values, 4)}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	getenv := env(map[string]string{
		"TELEGRAM_BOT_TOKEN":    "1234:e2e-token",
		"TELEGRAM_API_ENDPOINT": srv.URL + "/bot%s/%s",
		"BEIANBOT_HTTP_ADDR":    freeAddr(t),
		"BEIANBOT_LOG_LEVEL":    "warn",
	})
	r := startRun(t, getenv)

	select {
	case p := <-fake.sent:
		if got := p.Get("chat_id"); got != "31337" {
			t.Errorf("answered chat %q, want 31337", got)
		}
		if strings.TrimSpace(p.Get("text")) == "" {
			t.Error("answer has no text")
		}
		if got := p.Get("reply_parameters"); !strings.Contains(got, `"message_id":5`) {
			t.Errorf("reply_parameters = %q, want message 5 (quoting the question)", got)
		}
	case code := <-r.done:
		t.Fatalf("run returned %d before answering; log:\n%s", code, r.stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatalf("no sendMessage within 10s; log:\n%s", r.stderr.String())
	}

	r.stop(t)
	fake.mu.Lock()
	defer fake.mu.Unlock()
	for _, m := range []string{"getMe", "setMyCommands", "deleteWebhook", "getUpdates"} {
		if !strings.Contains(strings.Join(fake.methods, " "), m) {
			t.Errorf("%s never called; calls: %v", m, fake.methods)
		}
	}
}

func TestTelegramWebhookEndToEnd(t *testing.T) {
	fake := &tgFakeAPI{sent: make(chan url.Values, 4), served: true}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	addr := freeAddr(t)
	getenv := env(map[string]string{
		"TELEGRAM_BOT_TOKEN":      "1234:e2e-token",
		"TELEGRAM_API_ENDPOINT":   srv.URL + "/bot%s/%s",
		"TELEGRAM_WEBHOOK_SECRET": "e2e_secret",
		"TELEGRAM_WEBHOOK_URL":    "https://bot.example.com/telegram/webhook",
		"BEIANBOT_HTTP_ADDR":      addr,
		"BEIANBOT_LOG_LEVEL":      "warn",
	})
	r := startRun(t, getenv)

	update := `{"update_id":800,"message":{"message_id":9,"date":1,"from":{"id":555,"first_name":"U"},` +
		`"chat":{"id":555,"type":"private"},"text":"/help"}}`
	client := &http.Client{Timeout: 5 * time.Second}
	post := func(secret string) (int, error) {
		req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/telegram/webhook", strings.NewReader(update))
		if err != nil {
			return 0, err
		}
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, err := post("wrong")
		if err == nil {
			if code != http.StatusForbidden {
				t.Fatalf("wrong secret: status %d, want 403", code)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("webhook not reachable: %v; log:\n%s", err, r.stderr.String())
		}
		time.Sleep(20 * time.Millisecond) // polling for the server to listen
	}
	if code, err := post("e2e_secret"); err != nil || code != http.StatusOK {
		t.Fatalf("right secret: status %d, %v; want 200", code, err)
	}
	select {
	case p := <-fake.sent:
		if p.Get("chat_id") != "555" || strings.TrimSpace(p.Get("text")) == "" {
			t.Errorf("sendMessage %v, want a non-empty answer to chat 555", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no sendMessage within 10s; log:\n%s", r.stderr.String())
	}
	r.stop(t)
	fake.mu.Lock()
	defer fake.mu.Unlock()
	calls := strings.Join(fake.methods, " ")
	if !strings.Contains(calls, "setWebhook") || strings.Contains(calls, "getUpdates") {
		t.Errorf("calls %v: want setWebhook and no polling", fake.methods)
	}
}

func TestTelegramConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"bad endpoint", map[string]string{"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_API_ENDPOINT": "http://127.0.0.1:1/bot"}, "two %s"},
		{"bad webhook secret", map[string]string{"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_WEBHOOK_SECRET": "has space"}, "webhook secret"},
		{"malformed token", map[string]string{"TELEGRAM_BOT_TOKEN": "123456:ABC%zz"}, "TELEGRAM_BOT_TOKEN is not a bot token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.env["BEIANBOT_RELOAD_INTERVAL"] = "off"
			tc.env["BEIANBOT_HTTP_ADDR"] = "127.0.0.1:0"
			code, _, stderr := runCLI(t, env(tc.env), "", "run")
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tc.want)
			}
			if strings.Contains(stderr, "ABC%zz") || strings.Contains(stderr, "%zz") {
				t.Errorf("stderr shows the token: %q", stderr)
			}
		})
	}
}

func TestRedactedError(t *testing.T) {
	const token = "123456:ABC%zz"
	inner := fmt.Errorf("telegram getMe: %w", &url.Error{Op: "parse", URL: "https://api.telegram.org/bot" + token + "/getMe", Err: errors.New("invalid URL escape")})
	err := redactedError{inner, token}
	if strings.Contains(err.Error(), "ABC") {
		t.Errorf("error shows the token: %q", err)
	}
	if !strings.Contains(err.Error(), "bot[redacted]/getMe") {
		t.Errorf("error %q lost its context", err)
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Error("the redacted error no longer unwraps to the cause")
	}
}
