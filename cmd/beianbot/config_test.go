package main

import (
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/beianbot/beianbot/bot"
)

// mustConfig is loadConfig over m, failing the test on an error.
func mustConfig(t *testing.T, m map[string]string) config {
	t.Helper()
	c, err := loadConfig(env(m))
	if err != nil {
		t.Fatalf("loadConfig(%v): %v", m, err)
	}
	return c
}

func TestConfigDefaults(t *testing.T) {
	c := mustConfig(t, nil)
	type view struct {
		HTTPAddr                  string
		MaxConns                  int
		Drain, DownAfter, Reload  time.Duration
		MemoryBytes               int64
		AnswerAt, ChannelAnswerAt float64
		LogFormat                 string
		SlackOn, TelegramOn       bool
	}
	got := view{c.HTTPAddr, c.MaxConns, c.ShutdownDrain, c.PlatformDownAfter, c.ReloadInterval, c.MemoryStoreBytes,
		c.AnswerAt, c.ChannelAnswerAt, c.LogFormat, c.Slack.BotToken != "", c.Telegram.Token != ""}
	want := view{":8080", 1024, 0, 5 * time.Minute, 0, 64 << 20, 0.5, 0.7, "json", false, false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestConfigValues(t *testing.T) {
	c := mustConfig(t, map[string]string{
		"BEIANBOT_FAQ":                 " a.md, ,docs/ ",
		"BEIANBOT_HTTP_ADDR":           "127.0.0.1:9090",
		"BEIANBOT_MAX_CONNECTIONS":     "50",
		"BEIANBOT_SHUTDOWN_DRAIN":      "1500ms",
		"BEIANBOT_PLATFORM_DOWN_AFTER": "90s",
		"BEIANBOT_RELOAD_INTERVAL":     "off",
		"BEIANBOT_MEMORY_STORE_MB":     "8",
		"BEIANBOT_ANSWER_AT":           "0.6",
		"BEIANBOT_CHANNEL_ANSWER_AT":   "0.6",
		"BEIANBOT_LOG_LEVEL":           "debug",
		"SLACK_BOT_TOKEN":              "xoxb-1",
		"SLACK_APP_TOKEN":              "xapp-1",
		"TELEGRAM_BOT_TOKEN":           "123456:AA-b_c",
	})
	type view struct {
		FAQ                       []string
		HTTPAddr                  string
		MaxConns                  int
		Drain, DownAfter, Reload  time.Duration
		MemoryBytes               int64
		AnswerAt, ChannelAnswerAt float64
		Level                     slog.Leveler
		SlackAPI                  string
		Telegram                  string
	}
	got := view{c.FAQ.Paths, c.HTTPAddr, c.MaxConns, c.ShutdownDrain, c.PlatformDownAfter, c.ReloadInterval,
		c.MemoryStoreBytes, c.AnswerAt, c.ChannelAnswerAt, c.LogLevel, c.Slack.APIURL, c.Telegram.Token.Reveal()}
	want := view{[]string{"a.md", "docs/"}, "127.0.0.1:9090", 50, 1500 * time.Millisecond, 90 * time.Second, -1,
		8 << 20, 0.6, 0.6, slog.LevelDebug, "https://slack.com/api/", "123456:AA-b_c"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

// TestConfigErrors runs the program with each bad setting: exit 2, one line
// on stderr naming the variable, no secret shown.
func TestConfigErrors(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"BEIANBOT_LOG_LEVEL": "loud"}, "BEIANBOT_LOG_LEVEL"},
		{map[string]string{"BEIANBOT_LOG_FORMAT": "xml"}, "BEIANBOT_LOG_FORMAT"},
		{map[string]string{"BEIANBOT_RELOAD_INTERVAL": "often"}, "BEIANBOT_RELOAD_INTERVAL"},
		{map[string]string{"BEIANBOT_RELOAD_INTERVAL": "-2s"}, "BEIANBOT_RELOAD_INTERVAL"},
		{map[string]string{"BEIANBOT_HTTP_ADDR": "8080"}, "BEIANBOT_HTTP_ADDR"},
		{map[string]string{"BEIANBOT_MAX_CONNECTIONS": "0"}, "BEIANBOT_MAX_CONNECTIONS"},
		{map[string]string{"BEIANBOT_MAX_CONNECTIONS": "lots"}, "BEIANBOT_MAX_CONNECTIONS"},
		{map[string]string{"BEIANBOT_SHUTDOWN_DRAIN": "6s"}, "BEIANBOT_SHUTDOWN_DRAIN"},
		{map[string]string{"BEIANBOT_SHUTDOWN_DRAIN": "-1s"}, "BEIANBOT_SHUTDOWN_DRAIN"},
		{map[string]string{"BEIANBOT_PLATFORM_DOWN_AFTER": "0s"}, "BEIANBOT_PLATFORM_DOWN_AFTER"},
		{map[string]string{"BEIANBOT_MEMORY_STORE_MB": "0"}, "BEIANBOT_MEMORY_STORE_MB"},
		{map[string]string{"BEIANBOT_ANSWER_AT": "1.5"}, "BEIANBOT_ANSWER_AT"},
		{map[string]string{"BEIANBOT_ANSWER_AT": "-0.1"}, "BEIANBOT_ANSWER_AT"},
		{map[string]string{"BEIANBOT_ANSWER_AT": "high"}, "BEIANBOT_ANSWER_AT"},
		{map[string]string{"BEIANBOT_CHANNEL_ANSWER_AT": "2"}, "BEIANBOT_CHANNEL_ANSWER_AT"},
		{map[string]string{"BEIANBOT_ANSWER_AT": "0.8"}, "BEIANBOT_CHANNEL_ANSWER_AT 0.7 is below BEIANBOT_ANSWER_AT 0.8"},
		{map[string]string{"BEIANBOT_REDIS_URL": "redis://127.0.0.1:6379/0?pool_size=-1"}, "BEIANBOT_REDIS_URL"},
		{map[string]string{"BEIANBOT_REDIS_URL": "http://u:hunter2@127.0.0.1/"}, "BEIANBOT_REDIS_URL"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": "123456:ABC%zz"}, "TELEGRAM_BOT_TOKEN"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": "not a token"}, "TELEGRAM_BOT_TOKEN"},
		{map[string]string{"SLACK_BOT_TOKEN": "xoxp-1", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"},
	}
	for _, tt := range tests {
		name := ""
		for k, v := range tt.env {
			name += k + "=" + v
		}
		t.Run(name, func(t *testing.T) {
			for _, cmd := range []string{"run", "ask"} {
				code, _, stderr := runCLI(t, env(tt.env), "", cmd, "q")
				if cmd == "run" {
					code, _, stderr = runCLI(t, env(tt.env), "", cmd)
				}
				if code != exitUsage || !strings.Contains(stderr, tt.want) {
					t.Errorf("%s: exit %d, stderr %q; want exit 2 naming %q", cmd, code, stderr, tt.want)
				}
				if n := strings.Count(strings.TrimSpace(stderr), "\n"); n > 0 {
					t.Errorf("%s: stderr is %d lines, want one: %q", cmd, n+1, stderr)
				}
				for _, secret := range []string{"hunter2", "%zz", "xoxp-1"} {
					if strings.Contains(stderr, secret) {
						t.Errorf("%s: stderr shows a secret: %q", cmd, stderr)
					}
				}
			}
		})
	}
}

func TestAnswerThresholdsReachTheBot(t *testing.T) {
	const q = "香港服务器要备案吗"
	dm := bot.Message{Platform: bot.PlatformConsole, ChatID: "c", UserID: "u", Direct: true, Text: q}
	channel := bot.Message{Platform: bot.PlatformSlack, ChatID: "C1", UserID: "u", Text: q}
	base, err := mustConfig(t, nil).FAQ.load(nil)
	if err != nil {
		t.Fatal(err)
	}
	score := base.Match(q).Best.Score
	if score < 0.7 || score > 0.999 {
		t.Fatalf("%q scores %.3f; the test needs a score between the default channel bar and 1", q, score)
	}
	// Thresholds just above the question's score.
	above := strconv.FormatFloat(score+(1-score)/3, 'f', 6, 64)
	further := strconv.FormatFloat(score+2*(1-score)/3, 'f', 6, 64)
	tests := []struct {
		env         map[string]string
		dm, channel bot.Outcome
	}{
		{nil, bot.OutcomeAnswered, bot.OutcomeAnswered},
		{map[string]string{"BEIANBOT_CHANNEL_ANSWER_AT": above}, bot.OutcomeAnswered, bot.OutcomeDeclined},
		{map[string]string{"BEIANBOT_ANSWER_AT": above, "BEIANBOT_CHANNEL_ANSWER_AT": further}, bot.OutcomeSuggested, bot.OutcomeDeclined},
	}
	for _, tt := range tests {
		cfg := mustConfig(t, tt.env)
		ix, err := cfg.FAQ.load(nil)
		if err != nil {
			t.Fatal(err)
		}
		r := newResponder(cfg, ix, nil, deps{})
		got := []bot.Outcome{r.Handle(t.Context(), dm).Outcome, r.Handle(t.Context(), channel).Outcome}
		if diff := cmp.Diff([]bot.Outcome{tt.dm, tt.channel}, got); diff != "" {
			t.Errorf("%v: outcomes of a direct message and a channel message (-want +got):\n%s", tt.env, diff)
		}
	}
}
