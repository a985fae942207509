package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/beianbot/beianbot/bot/slack"
	"github.com/beianbot/beianbot/faq"
	"github.com/beianbot/beianbot/internal/secret"
	"github.com/beianbot/beianbot/internal/store"
)

// defaultHTTPAddr is where the HTTP server listens without BEIANBOT_HTTP_ADDR.
const defaultHTTPAddr = ":8080"

// Limits of the settings, stated once for parsing and for messages.
const (
	// maxDrain bounds BEIANBOT_SHUTDOWN_DRAIN, leaving most of the stop
	// window to finishing acknowledged work.
	maxDrain = 5 * time.Second
	// defaultMaxConns is the HTTP server's connection cap without
	// BEIANBOT_MAX_CONNECTIONS.
	defaultMaxConns = 1024
	// defaultPlatformDownAfter is how long an adapter may fail to reach its
	// platform before /healthz says 503.
	defaultPlatformDownAfter = 5 * time.Minute
	// defaultMemoryStoreMB caps the in-memory store.
	defaultMemoryStoreMB = 64
)

// config is every setting beianbot reads from its environment, parsed and
// validated once by loadConfig; the wiring takes its values from here.
type config struct {
	// FAQ holds what loading the FAQ needs.
	FAQ faqConfig
	// ReloadInterval is how often the FAQ files are polled: 0 for the
	// watcher's default, negative for "SIGHUP only".
	ReloadInterval time.Duration

	// LogLevel is nil when BEIANBOT_LOG_LEVEL is unset (the command's
	// default applies). LogFormat is "json" or "text".
	LogLevel  slog.Leveler
	LogFormat string

	// HTTPAddr is the HTTP server's listen address.
	HTTPAddr string
	// MaxConns caps the HTTP server's open connections.
	MaxConns int
	// ShutdownDrain is how long /healthz says 503 before the server stops
	// accepting.
	ShutdownDrain time.Duration
	// PlatformDownAfter is how long an adapter may be unable to reach its
	// platform before /healthz answers 503.
	PlatformDownAfter time.Duration

	// RedisURL is the shared store's URL; empty for memory only.
	RedisURL string
	// MemoryStoreBytes caps the in-memory store (and the Redis fallback's
	// memory).
	MemoryStoreBytes int64
	// DNSServer is BEIANBOT_DNS_SERVER as given; the check resolves it.
	DNSServer string

	// AnswerAt is the least score at which a direct question or mention is
	// answered; ChannelAnswerAt the least for an unaddressed channel or
	// group message (never below AnswerAt).
	AnswerAt, ChannelAnswerAt float64

	Slack    slackConfig
	Telegram telegramConfig
	// Learn is the learning loop's settings (learn.go).
	Learn learnSettings
}

// faqConfig is where the FAQ comes from.
type faqConfig struct {
	// Paths are BEIANBOT_FAQ's files and folders; none for the embedded FAQ.
	Paths []string
	// Options are the loader's options (docs base URL, extra lexicon files).
	Options faq.Options
}

// slackConfig is Slack's settings; BotToken is empty when Slack is off.
type slackConfig struct {
	BotToken, AppToken, SigningSecret secret.String
	APIURL                            string
}

// telegramConfig is Telegram's settings; Token is empty when Telegram is off.
type telegramConfig struct {
	Token         secret.String
	Endpoint      string
	WebhookSecret secret.String
	WebhookURL    string
}

// Defaults of the answer thresholds (CONTRACT.md).
const (
	defaultAnswerAt        = 0.5
	defaultChannelAnswerAt = 0.7
)

// telegramToken is the shape of a Bot API token: the bot's numeric id, a
// colon and a URL-safe secret.
var telegramToken = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)

// loadConfig reads and validates the whole environment. Its errors are
// usage errors of one line naming the variable.
func loadConfig(getenv func(string) string) (config, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	c := config{
		FAQ: faqConfig{
			Paths: splitList(get("BEIANBOT_FAQ")),
			Options: faq.Options{
				DocsBaseURL: get("BEIANBOT_DOCS_BASE_URL"),
				Lexicon:     splitList(get("BEIANBOT_LEXICON")),
			},
		},
		HTTPAddr:          defaultHTTPAddr,
		MaxConns:          defaultMaxConns,
		PlatformDownAfter: defaultPlatformDownAfter,
		MemoryStoreBytes:  defaultMemoryStoreMB << 20,
		RedisURL:          get("BEIANBOT_REDIS_URL"),
		DNSServer:         get("BEIANBOT_DNS_SERVER"),
		AnswerAt:          defaultAnswerAt,
		ChannelAnswerAt:   defaultChannelAnswerAt,
	}

	switch s := get("BEIANBOT_RELOAD_INTERVAL"); s {
	case "":
	case "0", "off":
		c.ReloadInterval = -1
	default:
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return c, usagef("BEIANBOT_RELOAD_INTERVAL %q: want a duration such as 2s, or off", s)
		}
		c.ReloadInterval = d
	}

	if s := get("BEIANBOT_LOG_LEVEL"); s != "" {
		var l slog.Level
		if err := l.UnmarshalText([]byte(s)); err != nil {
			return c, usagef("BEIANBOT_LOG_LEVEL %q: want debug, info, warn or error", s)
		}
		c.LogLevel = l
	}
	switch f := strings.ToLower(get("BEIANBOT_LOG_FORMAT")); f {
	case "", "json":
		c.LogFormat = "json"
	case "text":
		c.LogFormat = "text"
	default:
		return c, usagef("BEIANBOT_LOG_FORMAT %q: want json or text", f)
	}

	if s := get("BEIANBOT_HTTP_ADDR"); s != "" {
		if _, _, err := net.SplitHostPort(s); err != nil {
			return c, usagef("BEIANBOT_HTTP_ADDR %q: want host:port or :port", s)
		}
		c.HTTPAddr = s
	}
	if s := get("BEIANBOT_MAX_CONNECTIONS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return c, usagef("BEIANBOT_MAX_CONNECTIONS %q: want a whole number of at least 1", s)
		}
		c.MaxConns = n
	}
	if s := get("BEIANBOT_SHUTDOWN_DRAIN"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 || d > maxDrain {
			return c, usagef("BEIANBOT_SHUTDOWN_DRAIN %q: want a duration from 0s to %v", s, maxDrain)
		}
		c.ShutdownDrain = d
	}
	if s := get("BEIANBOT_PLATFORM_DOWN_AFTER"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return c, usagef("BEIANBOT_PLATFORM_DOWN_AFTER %q: want a duration such as 5m", s)
		}
		c.PlatformDownAfter = d
	}
	if s := get("BEIANBOT_MEMORY_STORE_MB"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1<<20 {
			return c, usagef("BEIANBOT_MEMORY_STORE_MB %q: want a whole number of megabytes, at least 1", s)
		}
		c.MemoryStoreBytes = int64(n) << 20
	}

	if c.RedisURL != "" {
		// Checked here with the rest; openStore connects later.
		r, err := store.NewRedis(c.RedisURL)
		if err != nil {
			return c, usagef("BEIANBOT_REDIS_URL: %v", err)
		}
		r.Close()
	}

	var err error
	if c.AnswerAt, err = score("BEIANBOT_ANSWER_AT", get("BEIANBOT_ANSWER_AT"), defaultAnswerAt); err != nil {
		return c, err
	}
	if c.ChannelAnswerAt, err = score("BEIANBOT_CHANNEL_ANSWER_AT", get("BEIANBOT_CHANNEL_ANSWER_AT"), defaultChannelAnswerAt); err != nil {
		return c, err
	}
	if c.ChannelAnswerAt < c.AnswerAt {
		return c, usagef("BEIANBOT_CHANNEL_ANSWER_AT %v is below BEIANBOT_ANSWER_AT %v: an unaddressed message needs at least the score of a direct question",
			c.ChannelAnswerAt, c.AnswerAt)
	}

	if c.Slack, err = loadSlack(get); err != nil {
		return c, err
	}
	if c.Telegram, err = loadTelegram(get); err != nil {
		return c, err
	}
	if c.Learn, err = learnSettingsFrom(getenv); err != nil {
		return c, err
	}
	return c, nil
}

// score parses a threshold in [0, 1]; empty means def.
func score(name, s string, def float64) (float64, error) {
	if s == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1 {
		return 0, usagef("%s %q: want a score from 0 to 1, such as %v", name, s, def)
	}
	return f, nil
}

// loadSlack validates the Slack settings. Slack is off (a zero
// slackConfig) without SLACK_BOT_TOKEN.
func loadSlack(get func(string) string) (slackConfig, error) {
	c := slackConfig{
		BotToken:      secret.String(get("SLACK_BOT_TOKEN")),
		AppToken:      secret.String(get("SLACK_APP_TOKEN")),
		SigningSecret: secret.String(get("SLACK_SIGNING_SECRET")),
		APIURL:        get("SLACK_API_URL"),
	}
	if c.BotToken == "" {
		return slackConfig{}, nil
	}
	if !strings.HasPrefix(c.BotToken.Reveal(), "xoxb-") {
		return c, usagef("SLACK_BOT_TOKEN must be the bot token, starting with xoxb- " +
			"(Slack app settings → OAuth & Permissions → Bot User OAuth Token)")
	}
	if c.AppToken != "" && !strings.HasPrefix(c.AppToken.Reveal(), "xapp-") {
		return c, usagef("SLACK_APP_TOKEN must be an app-level token, starting with xapp- " +
			"(Slack app settings → Basic Information → App-Level Tokens, scope connections:write)")
	}
	if c.AppToken == "" && c.SigningSecret == "" {
		return c, usagef("SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) " +
			"nor SLACK_SIGNING_SECRET (HTTP endpoints) is; set one or both")
	}
	if c.APIURL == "" {
		c.APIURL = slack.DefaultAPIURL
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return c, usagef("SLACK_API_URL %q: want an absolute http(s) URL such as %s", c.APIURL, slack.DefaultAPIURL)
	}
	return c, nil
}

// loadTelegram validates the Telegram settings. Telegram is off (a zero
// telegramConfig) without TELEGRAM_BOT_TOKEN. A malformed token is refused
// here, before anything builds a URL from it, and never printed.
func loadTelegram(get func(string) string) (telegramConfig, error) {
	c := telegramConfig{
		Token:         secret.String(get("TELEGRAM_BOT_TOKEN")),
		Endpoint:      get("TELEGRAM_API_ENDPOINT"),
		WebhookSecret: secret.String(get("TELEGRAM_WEBHOOK_SECRET")),
		WebhookURL:    get("TELEGRAM_WEBHOOK_URL"),
	}
	if c.Token == "" {
		return telegramConfig{}, nil
	}
	if !telegramToken.MatchString(c.Token.Reveal()) {
		return c, usagef("TELEGRAM_BOT_TOKEN is not a bot token (digits, a colon, then letters, digits, _ or -, as @BotFather gives it)")
	}
	return c, nil
}

// load loads the FAQ from paths, or from the configured paths when none
// are given, or the embedded FAQ when neither names any.
func (c faqConfig) load(paths []string) (*faq.Index, error) {
	if len(paths) == 0 {
		paths = c.Paths
	}
	if len(paths) == 0 {
		ix, err := faq.LoadEmbedded(c.Options)
		if err != nil {
			return nil, fmt.Errorf("load embedded faq: %w", err)
		}
		return ix, nil
	}
	return faq.Load(paths, c.Options)
}

// splitList splits a comma-separated setting, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
