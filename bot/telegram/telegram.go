// Package telegram connects beianbot to Telegram through the Bot API. It
// receives updates by long polling or by webhook, turns them into
// bot.Message values, asks the responder, and sends the bot.Reply back as
// an HTML message with an inline keyboard of suggestions, paced to
// Telegram's limits and retried on 429.
package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/clock"
	"github.com/beianbot/beianbot/internal/metrics"
	"github.com/beianbot/beianbot/internal/secret"
	"github.com/beianbot/beianbot/internal/store"
	"github.com/beianbot/beianbot/internal/work"
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
// given; a negative one turns that setting off (work.Default) where it can
// be off (the queue, pacing, retries, the webhook's wait), and is refused
// for the workers, the timeouts and the lease.
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
	// Store deduplicates updates; default in memory. When it is shared
	// between replicas (Redis), it also paces sends to each chat for all of
	// them and elects the one replica that long-polls (a lease).
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
	// Concurrency bounds updates handled at once (default 64); Queue is how
	// many accepted ones may wait for a worker (default 256). When both are
	// full, the webhook answers 503 and polling stops taking updates, so
	// that Telegram keeps them.
	Concurrency int
	Queue       int
	// WebhookWait bounds how long a webhook request waits for room while
	// the pool is full before it is refused with 503 (default 5 s).
	WebhookWait time.Duration
	// Later bounds the replies kept to be sent after a long retry_after
	// (default 1000).
	Later int
	// WorkTimeout bounds the handling of one update, from its acceptance to
	// its last answer, so that it ends within the process's shutdown budget
	// (default 9 s). FollowUpTimeout bounds a domain check within it
	// (default 8 s), keeping at least a second to deliver the result.
	WorkTimeout     time.Duration
	FollowUpTimeout time.Duration
	// ShutdownGrace is how long Run lets accepted work finish after its
	// context ends, when nobody called Drain with a tighter deadline
	// (default 9 s).
	ShutdownGrace time.Duration
	// LeaseTTL is how long the polling lease lasts unless renewed (default
	// 6 s); it is renewed every third of that, and a standby replica tries
	// to take it as often, so one takes over within about LeaseTTL of the
	// poller's death.
	LeaseTTL time.Duration
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
	leaser          store.Leaser // nil: this process is the only poller
	metrics         *metrics.Metrics
	logger          *slog.Logger
	secret          secret.String
	pollEvery       time.Duration
	grace           time.Duration
	webhookWait     time.Duration
	leaseTTL        time.Duration
	followUpTimeout time.Duration
	chatInterval    time.Duration
	groupPerMinute  int
	pacer           *work.Pacer
	pool            *work.Pool
	handoff         *work.Handoff // nil without a shared store
	dedup           work.Dedup
	later           *laterQueue
	link            *work.Link
	sleep           func(ctx context.Context, d time.Duration) error
	now             func() time.Time

	cuts   work.Tally
	handed work.Tally
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
		webhookWait:     cfg.WebhookWait,
		leaseTTL:        cfg.LeaseTTL,
		followUpTimeout: cfg.FollowUpTimeout,
		chatInterval:    cfg.ChatInterval,
		groupPerMinute:  cfg.GroupPerMinute,
		pacer:           work.NewPacer(cfg.Store, cfg.Now, cfg.Logger),
		dedup:           work.Dedup{Store: cfg.Store, TTL: time.Hour, Platform: bot.PlatformTelegram, Metrics: cfg.Metrics, Logger: cfg.Logger},
		later:           newLaterQueue(cfg.Later),
		link:            work.NewLink(cfg.Now),
		sleep:           cfg.Sleep,
		now:             cfg.Now,
	}
	if _, inProcess := cfg.Store.(*store.Memory); !inProcess {
		a.leaser, _ = cfg.Store.(store.Leaser)
	}
	pc := work.PoolConfig{
		Workers: cfg.Concurrency,
		Queue:   cfg.Queue,
		Timeout: cfg.WorkTimeout,
		Logger:  cfg.Logger,
	}
	if h, ok := work.SharedHandoff(cfg.Store, bot.PlatformTelegram); ok {
		a.handoff, pc.Handoff = &h, h.Hand
	}
	a.pool = work.NewPool(pc)
	a.api = &client{
		endpoint: cfg.Endpoint,
		token:    cfg.Token.Reveal(),
		hc:       cfg.HTTPClient,
		retries:  cfg.MaxRetries,
		sleep:    cfg.Sleep,
		metrics:  cfg.Metrics,
		link:     a.link,
	}
	self, err := a.api.getMe(ctx)
	if err != nil {
		return nil, fmt.Errorf("telegram getMe (is the bot token right?): %w", err)
	}
	if self.UserName == "" || !self.IsBot {
		return nil, fmt.Errorf("telegram getMe: the token does not belong to a bot")
	}
	a.self = self
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
	if !validToken(c.Token.Reveal()) {
		// The token is not quoted: a malformed one is still a secret.
		return fmt.Errorf("%w: the bot token is malformed (want <digits>:<letters, digits, _ and ->, as @BotFather gives it)", ErrConfig)
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
	if c.Concurrency < 0 || c.WorkTimeout < 0 || c.FollowUpTimeout < 0 || c.ShutdownGrace < 0 || c.LeaseTTL < 0 || c.PollTimeout < 0 {
		return fmt.Errorf("%w: Concurrency, the timeouts and the lease cannot be turned off", ErrConfig)
	}
	if c.PollTimeout == 0 {
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
	c.ChatInterval = work.Default(c.ChatInterval, time.Second)
	c.GroupPerMinute = work.Default(c.GroupPerMinute, 20)
	c.MaxRetries = work.Default(c.MaxRetries, 3)
	// Concurrency, Queue and WorkTimeout are the pool's to default.
	if c.Queue == 0 {
		c.Queue = 256
	}
	c.Later = work.Default(c.Later, 1000)
	c.WebhookWait = work.Default(c.WebhookWait, 5*time.Second)
	c.FollowUpTimeout = work.Default(c.FollowUpTimeout, 8*time.Second)
	c.ShutdownGrace = work.Default(c.ShutdownGrace, 9*time.Second)
	c.LeaseTTL = work.Default(c.LeaseTTL, 6*time.Second)
	if c.Sleep == nil {
		c.Sleep = clock.Sleep
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// validToken reports whether s has the shape of a bot token:
// "<digits>:<letters, digits, _ and ->".
func validToken(s string) bool {
	id, key, ok := strings.Cut(s, ":")
	if !ok || id == "" || key == "" || len(s) > 256 {
		return false
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return false
		}
	}
	return validSecret(key)
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

// Run serves until ctx ends: it long-polls for updates (holding the
// polling lease when replicas share a store), or in webhook mode waits
// while the handler receives them; meanwhile it sends the replies that had
// to wait for a long retry_after. Then it drains (see Drain) within
// ShutdownGrace, confirms the handled updates to Telegram when polling,
// and returns.
func (a *Adapter) Run(ctx context.Context) error {
	a.logger.Info("telegram adapter running", "mode", a.mode(), "shared_lease", a.leaser != nil)
	var wg sync.WaitGroup
	wg.Go(func() { a.runLater(ctx) })
	if a.handoff != nil {
		wg.Go(func() { a.handoff.TakeOver(ctx, a.pool, time.Second, a.takeOver, a.logger) })
	}
	var p *poller
	if a.secret == "" {
		p = &poller{a: a}
		a.poll(ctx, p)
	} else {
		a.link.Up() // Telegram reaches us; setWebhook, if any, succeeded
		<-ctx.Done()
	}
	wg.Wait()
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.grace)
	defer cancel()
	a.Drain(dctx)
	if p != nil {
		p.confirm(context.WithoutCancel(ctx))
		a.releaseLease(context.WithoutCancel(ctx), p)
	}
	a.logger.Info("telegram adapter stopped")
	return nil
}

// Drain stops taking updates (the webhook answers 503, so that Telegram
// redelivers them), hands those it has not started to the other replicas
// through a shared store, and finishes the rest of the accepted ones; what cannot be finished
// before ctx's deadline is cut and its chat told to ask again. Replies
// still waiting for a long retry_after are sent if their time comes before
// the deadline, and counted as cut otherwise. It returns how many were
// cut; it may be called more than once, and Run calls it too.
func (a *Adapter) Drain(ctx context.Context) int {
	n := a.pool.Drain(ctx) + a.later.flush(ctx, a)
	if h := a.pool.Handed(); a.handed.Add(h) > 0 {
		a.logger.Info("telegram updates handed off to the other replicas", "count", h)
	}
	if added := a.cuts.Add(n); added > 0 {
		a.metrics.WorkCut(bot.PlatformTelegram, added)
		a.logger.Warn("telegram work cut at shutdown; chats told to ask again", "count", added)
	}
	return n
}

// Pending returns how many accepted updates are not finished yet.
func (a *Adapter) Pending() int { return a.pool.Pending() }

// Status implements bot.StatusReporter: whether the last exchange with the
// Bot API (getMe, a poll, a send) worked.
func (a *Adapter) Status() bot.Status {
	c, since, last := a.link.State()
	return bot.Status{Platform: bot.PlatformTelegram, Connected: c, Since: since, LastError: last}
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
		cmds, err := json.Marshal(commands(lang))
		if err != nil {
			return fmt.Errorf("telegram setMyCommands: %w", err)
		}
		p := url.Values{"commands": {string(cmds)}}
		if lang != "" {
			p.Set("language_code", lang)
		}
		if err := a.api.raw(ctx, "setMyCommands", p); err != nil {
			return err
		}
	}
	return nil
}

// setWebhook registers url with the secret token.
func (a *Adapter) setWebhook(ctx context.Context, hook string) error {
	p := url.Values{"url": {hook}, "secret_token": {a.secret.Reveal()}, "allowed_updates": {allowedUpdatesJSON}}
	if err := a.api.raw(ctx, "setWebhook", p); err != nil {
		return err
	}
	a.logger.Info("telegram webhook registered", "url", hook)
	return nil
}
