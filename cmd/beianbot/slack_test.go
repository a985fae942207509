package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/beianbot/beianbot/internal/syncbuf"

	"github.com/beianbot/beianbot/bot"
)

// slackWebFake is a fake Slack Web API that records chat.postMessage calls.
type slackWebFake struct {
	srv   *httptest.Server
	posts chan url.Values
}

func newSlackWebFake(t *testing.T) *slackWebFake {
	f := &slackWebFake{posts: make(chan url.Values, 16)}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/auth.test":
			if r.Header.Get("Authorization") != "Bearer xoxb-e2e-token" && form.Get("token") != "xoxb-e2e-token" {
				io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
				return
			}
			io.WriteString(w, `{"ok":true,"user_id":"UE2E","bot_id":"BE2E","team":"E2E"}`)
		case "/api/chat.postMessage":
			f.posts <- form
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000001.000100"}`, form.Get("channel"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// TestSlackEndToEnd starts the whole program with Slack in HTTP mode against
// a fake Web API, sends a signed app_mention over HTTP, sees the threaded
// answer posted, then stops the program.
func TestSlackEndToEnd(t *testing.T) {
	fake := newSlackWebFake(t)
	addr := freeAddr(t)
	const signing = "e2e-signing-secret"
	getenv := env(map[string]string{
		"SLACK_BOT_TOKEN":          "xoxb-e2e-token",
		"SLACK_SIGNING_SECRET":     signing,
		"SLACK_API_URL":            fake.srv.URL + "/api/",
		"BEIANBOT_HTTP_ADDR":       addr,
		"BEIANBOT_RELOAD_INTERVAL": "off",
	})
	r := startRun(t, getenv)

	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case code := <-r.done:
			t.Fatalf("run returned %d before serving; stderr:\n%s", code, r.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not up at %s; stderr:\n%s", addr, r.stderr.String())
		}
		time.Sleep(20 * time.Millisecond) // polling the server coming up
	}

	body, _ := json.Marshal(map[string]any{"type": "event_callback", "event_id": "EvE2E", "event": map[string]any{
		"type": "app_mention", "user": "U1", "text": "<@UE2E> help", "ts": "1700000000.000200", "channel": "C9"}})
	ts := time.Now().Unix()
	mac := hmac.New(sha256.New, []byte(signing))
	fmt.Fprintf(mac, "v0:%d:", ts)
	mac.Write(body)
	send := func(sig string) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/slack/events", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
		req.Header.Set("X-Slack-Signature", sig)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("POST /slack/events: %v", err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := send("v0=" + strings.Repeat("0", 64)); code != http.StatusUnauthorized {
		t.Errorf("forged event: status %d, want 401", code)
	}
	if code := send("v0=" + hex.EncodeToString(mac.Sum(nil))); code != http.StatusOK {
		t.Fatalf("signed event: status %d, want 200", code)
	}
	select {
	case post := <-fake.posts:
		if post.Get("channel") != "C9" || post.Get("thread_ts") != "1700000000.000200" {
			t.Errorf("posted to %s thread %q, want C9 thread 1700000000.000200", post.Get("channel"), post.Get("thread_ts"))
		}
		if !strings.Contains(post.Get("blocks"), "/beian") {
			t.Errorf("help answer blocks %s do not mention /beian", post.Get("blocks"))
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no answer posted; stderr:\n%s", r.stderr.String())
	}
	r.stop(t)
}

// TestSlackConfigErrors: bad Slack settings stop start-up with exit code 2
// and a message naming the variable.
func TestSlackConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"user token", map[string]string{"SLACK_BOT_TOKEN": "xoxp-1", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN must be the bot token, starting with xoxb-"},
		{"app token in bot slot", map[string]string{"SLACK_BOT_TOKEN": "xapp-1", "SLACK_APP_TOKEN": "xapp-1"}, "starting with xoxb-"},
		{"bot token in app slot", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN must be an app-level token, starting with xapp-"},
		{"no transport", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, "neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET"},
		{"bad api url", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["BEIANBOT_HTTP_ADDR"] = "127.0.0.1:0"
			tt.env["BEIANBOT_RELOAD_INTERVAL"] = "off"
			var stdout, stderr syncbuf.Buffer
			code := run(context.Background(), []string{"run"}, env(tt.env), strings.NewReader(""), &stdout, &stderr)
			if code != exitUsage || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr.String(), exitUsage, tt.want)
			}
			if strings.Contains(stderr.String(), "xoxp-1") || strings.Contains(stderr.String(), "xapp-1") {
				t.Errorf("stderr shows a token: %q", stderr.String())
			}
		})
	}
}

func TestSlackAuthFailure(t *testing.T) {
	fake := newSlackWebFake(t)
	var stdout, stderr syncbuf.Buffer
	code := run(context.Background(), []string{"run"}, env(map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-wrong", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": fake.srv.URL + "/api/",
		"BEIANBOT_HTTP_ADDR": "127.0.0.1:0", "BEIANBOT_RELOAD_INTERVAL": "off",
	}), strings.NewReader(""), &stdout, &stderr)
	if code != exitError || !strings.Contains(stderr.String(), "slack auth.test: invalid_auth") {
		t.Errorf("exit %d, stderr %q; want exit %d and the auth.test error", code, stderr.String(), exitError)
	}
	if strings.Contains(stderr.String(), "xoxb-wrong") {
		t.Errorf("stderr shows the token: %q", stderr.String())
	}
}

// TestSlackManifest checks that the app manifest users create the app from
// matches the adapter: its HTTP paths, the events and scopes it relies on,
// the /beian command, interactivity and Socket Mode.
func TestSlackManifest(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "deploy", "slack-app-manifest.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	manifest := string(raw)
	fake := newSlackWebFake(t)
	cfg := mustConfig(t, map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-e2e-token", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": fake.srv.URL + "/api/",
	})
	a, err := newSlack(context.Background(), cfg.Slack, deps{responder: bot.New(bot.Config{})})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for path := range a.Routes() {
		want = append(want, "https://beianbot.example.com"+path)
	}
	if len(want) != 3 {
		t.Errorf("adapter serves %d paths, want 3", len(want))
	}
	want = append(want,
		"command: /beian",
		"- app_mentions:read", "- channels:history", "- groups:history", "- im:history", "- chat:write", "- commands",
		"- app_mention", "- message.channels", "- message.groups", "- message.im",
		"interactivity:\n    is_enabled: true",
		"socket_mode_enabled: true",
		"messages_tab_enabled: true",
	)
	for _, w := range want {
		if !strings.Contains(manifest, w) {
			t.Errorf("manifest lacks %q", w)
		}
	}
}
