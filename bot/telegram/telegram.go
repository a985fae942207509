// Package telegram connects beianbot to Telegram through the Bot API. It
// receives updates by long polling or by webhook, turns them into
// bot.Message values, asks the responder, and sends the bot.Reply back as
// an HTML message with an inline keyboard of suggestions, paced to
// Telegram's limits and retried on 429.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/beianbot/beianbot/internal/clock"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/metrics"
	"github.com/beianbot/beianbot/internal/secret"
	"github.com/beianbot/beianbot/internal/store"
)

// DefaultEndpoint is the Bot API endpoint format: token, then method.
const DefaultEndpoint = "https://api.telegram.org/bot%s/%s"

// WebhookPath is where the webhook handler is mounted.
const WebhookPath = "/telegram/webhook"

// ErrConfig is wrapped by the errors New returns for a bad Config.
var ErrConfig = errors.New("bad telegram configuration")

// responder is what the adapter needs from the bot core (*bot.Responder).
type responder interface {
	Handle(ctx context.Context, msg bot.Message) bot.Reply
	Press(ctx context.Context, msg bot.Message, value string) bot.Reply
}

// Config configures an Adapter. Zero durations and counts take the defaults
// given; a negative pacing value turns that pacing off.
type Config struct {
	// Token is the bot token from @BotFather. Required.
	Token secret.String
	// Endpoint is the Bot API endpoint format with two %s (token, method);
	// default DefaultEndpoint.
	Endpoint string
	// HTTPClient makes the API calls. Its Timeout, if set, must exceed
	// PollTimeout. Default: a client with a timeout of PollTimeout + 15 s.
	HTTPClient *http.Client
	// Responder answers messages. Required.
	Responder responder
	// Store deduplicates updates; default in memory.
	Store store.Store
	// Metrics and Logger may be nil.
	Metrics *metrics.Metrics
	Logger  *slog.Logger

	// WebhookSecret switches to webhook mode: requests to WebhookPath must
	// carry it in X-Telegram-Bot-Api-Secret-Token.
	WebhookSecret secret.String
	// WebhookURL, with WebhookSecret, is registered with setWebhook by New.
	WebhookURL string

	// PollTimeout is the getUpdates long-poll timeout (default 30 s).
	PollTimeout time.Duration
	// ChatInterval is the least time between two sends to one chat
	// (default 1 s).
	ChatInterval time.Duration
	// GroupPerMinute caps sends to one group per minute (default 20).
	GroupPerMinute int
	// MaxRetries bounds retries of one API call (default 3).
	MaxRetries int
	// Concurrency bounds updates handled at once (default 64).
	Concurrency int
	// WorkTimeout bounds the handling of one update, from its acceptance to
	// its last answer, so that it ends within the process's shutdown budget
	// (default 9 s). FollowUpTimeout bounds a domain check within it
	// (default 8 s), keeping at least a second to deliver the result.
	WorkTimeout     time.Duration
	FollowUpTimeout time.Duration
	// ShutdownGrace is how long Run lets accepted work finish after its
	// context ends before cancelling it (default 7.5 s).
	ShutdownGrace time.Duration
	// Sleep waits for d or until ctx ends; tests make it instant.
	// Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Adapter is the Telegram side of the bot. Create it with New, then call Run;
// in webhook mode, also mount Routes.
type Adapter struct {
	api             *client
	self            tgbotapi.User
	resp            responder
	store           store.Store
	metrics         *metrics.Metrics
	logger          *slog.Logger
	secret          secret.String
	pollEvery       time.Duration
	grace           time.Duration
	followUpTimeout time.Duration
	pace            *pacer
	work            *workers
	sleep           func(ctx context.Context, d time.Duration) error
	now             func() time.Time
}

// New checks cfg, fetches the bot's own user (getMe), publishes the command
// list (setMyCommands, in Chinese and English) and, when WebhookURL and
// WebhookSecret are set, registers the webhook (setWebhook).
func New(ctx context.Context, cfg Config) (*Adapter, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	a := &Adapter{
		resp:            cfg.Responder,
		store:           cfg.Store,
		metrics:         cfg.Metrics,
		logger:          cfg.Logger,
		secret:          cfg.WebhookSecret,
		pollEvery:       cfg.PollTimeout,
		grace:           cfg.ShutdownGrace,
		followUpTimeout: cfg.FollowUpTimeout,
		pace:            newPacer(cfg.ChatInterval, cfg.GroupPerMinute),
		work:            newWorkers(cfg.Concurrency, cfg.WorkTimeout, cfg.Logger),
		sleep:           cfg.Sleep,
		now:             cfg.Now,
	}
	token := cfg.Token.Reveal()
	base, err := tgbotapi.NewBotAPIWithClient(token, cfg.Endpoint, ctxDoer{ctx: ctx, hc: cfg.HTTPClient, token: token})
	if err != nil {
		cfg.Metrics.APIError(bot.PlatformTelegram, "getMe")
		return nil, fmt.Errorf("telegram getMe (is the bot token right?): %w", err)
	}
	if base.Self.UserName == "" || !base.Self.IsBot {
		return nil, fmt.Errorf("telegram getMe: the token does not belong to a bot")
	}
	a.self = base.Self
	base.Client = nil
	a.api = &client{
		base:    *base,
		hc:      cfg.HTTPClient,
		token:   token,
		retries: cfg.MaxRetries,
		sleep:   cfg.Sleep,
		metrics: cfg.Metrics,
	}
	a.logger = a.logger.With("bot", "@"+a.self.UserName)
	if err := a.setCommands(ctx); err != nil {
		a.logger.Warn("telegram commands not published", "err", err)
	}
	if cfg.WebhookSecret != "" && cfg.WebhookURL != "" {
		if err := a.setWebhook(ctx, cfg.WebhookURL); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// fill checks cfg and sets its defaults.
func (c *Config) fill() error {
	if c.Token == "" {
		return fmt.Errorf("%w: no bot token", ErrConfig)
	}
	if c.Responder == nil {
		return fmt.Errorf("%w: no responder", ErrConfig)
	}
	if c.Endpoint == "" {
		c.Endpoint = DefaultEndpoint
	}
	if strings.Count(c.Endpoint, "%s") != 2 || strings.Contains(fmt.Sprintf(c.Endpoint, "t", "m"), "%!") {
		return fmt.Errorf("%w: API endpoint %q must contain exactly two %%s (token, method)", ErrConfig, c.Endpoint)
	}
	if s := c.WebhookSecret.Reveal(); s != "" && !validSecret(s) {
		return fmt.Errorf("%w: webhook secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -", ErrConfig)
	}
	if c.WebhookURL != "" {
		u, err := url.Parse(c.WebhookURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("%w: webhook URL %q must be an absolute https URL", ErrConfig, c.WebhookURL)
		}
	}
	if c.PollTimeout <= 0 {
		c.PollTimeout = 30 * time.Second
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: c.PollTimeout + 15*time.Second}
	}
	if t := c.HTTPClient.Timeout; t != 0 && t <= c.PollTimeout {
		return fmt.Errorf("%w: HTTP client timeout %s must exceed the poll timeout %s", ErrConfig, t, c.PollTimeout)
	}
	if c.Store == nil {
		c.Store = store.NewMemory()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.ChatInterval = orDefault(c.ChatInterval, time.Second)
	c.GroupPerMinute = orDefault(c.GroupPerMinute, 20)
	c.MaxRetries = orDefault(c.MaxRetries, 3)
	c.Concurrency = orDefault(c.Concurrency, 64)
	c.WorkTimeout = orDefault(c.WorkTimeout, 9*time.Second)
	c.FollowUpTimeout = orDefault(c.FollowUpTimeout, 8*time.Second)
	c.ShutdownGrace = orDefault(c.ShutdownGrace, 7500*time.Millisecond)
	if c.Sleep == nil {
		c.Sleep = clock.Sleep
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// orDefault returns def for zero, 0 for negative (off), v otherwise.
func orDefault[T int | time.Duration](v, def T) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

func validSecret(s string) bool {
	if len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// Username returns the bot's username, without "@".
func (a *Adapter) Username() string { return a.self.UserName }

// Routes returns the webhook handler in webhook mode, nil otherwise.
func (a *Adapter) Routes() map[string]http.Handler {
	if a.secret == "" {
		return nil
	}
	return map[string]http.Handler{WebhookPath: http.HandlerFunc(a.serveWebhook)}
}

// Run serves until ctx ends: it long-polls for updates, or in webhook mode
// waits while the handler receives them. Then it lets accepted updates
// finish (cancelling them after the grace period), confirms the handled
// ones to Telegram when polling, and returns.
func (a *Adapter) Run(ctx context.Context) error {
	a.logger.Info("telegram adapter running", "mode", a.mode())
	var p *poller
	if a.secret == "" {
		p = &poller{a: a}
		p.run(ctx)
	} else {
		<-ctx.Done()
	}
	if n := a.work.shutdown(a.grace); n > 0 {
		a.logger.Warn("telegram updates cancelled at shutdown", "count", n)
	}
	if p != nil {
		p.confirm(context.WithoutCancel(ctx))
	}
	a.logger.Info("telegram adapter stopped")
	return nil
}

func (a *Adapter) mode() string {
	if a.secret == "" {
		return "polling"
	}
	return "webhook"
}

// commands are published with setMyCommands, per language.
func commands(lang string) []tgbotapi.BotCommand {
	if lang == "zh" {
		return []tgbotapi.BotCommand{
			{Command: "beian", Description: "提问备案问题，或 /beian check <域名> 检查域名"},
			{Command: "check", Description: "检查域名的解析、服务器地区和备案拦截情况"},
			{Command: "help", Description: "查看用法"},
			{Command: "start", Description: "开始使用备案助手"},
		}
	}
	return []tgbotapi.BotCommand{
		{Command: "beian", Description: "Ask an ICP filing question, or /beian check <domain>"},
		{Command: "check", Description: "Check a domain's DNS, server region and filing interception"},
		{Command: "help", Description: "Show how to use the bot"},
		{Command: "start", Description: "Start the ICP filing assistant"},
	}
}

// setCommands publishes the command list: English by default, Chinese for
// users whose app is in Chinese.
func (a *Adapter) setCommands(ctx context.Context) error {
	for _, lang := range []string{"", "en", "zh"} {
		cfg := tgbotapi.NewSetMyCommands(commands(lang)...)
		cfg.LanguageCode = lang
		_, err := a.api.call(ctx, "setMyCommands", a.api.retries, func(b *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
			return b.Request(cfg)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// setWebhook registers url with the secret token. The library's
// WebhookConfig has no secret_token, so this uses the raw request.
func (a *Adapter) setWebhook(ctx context.Context, url string) error {
	p := tgbotapi.Params{"url": url, "secret_token": a.secret.Reveal()}
	if err := p.AddInterface("allowed_updates", allowedUpdates()); err != nil {
		return fmt.Errorf("telegram setWebhook: %w", err)
	}
	if err := a.api.raw(ctx, "setWebhook", p); err != nil {
		return err
	}
	a.logger.Info("telegram webhook registered", "url", url)
	return nil
}
