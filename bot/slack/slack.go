// Package slack connects beianbot to Slack. It translates Slack events,
// slash commands and button presses into bot.Message values, and bot.Reply
// values into threaded Block Kit messages, over Socket Mode, the HTTP Events
// API, or both. It holds no matching or check logic of its own.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/beianbot/beianbot/internal/clock"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/metrics"
	"github.com/beianbot/beianbot/internal/secret"
	"github.com/beianbot/beianbot/internal/store"
)

// DefaultAPIURL is the Slack Web API base used when Config.APIURL is empty.
const DefaultAPIURL = "https://slack.com/api/"

// responder is the part of *bot.Responder the adapter calls.
type responder interface {
	Handle(ctx context.Context, msg bot.Message) bot.Reply
	Press(ctx context.Context, msg bot.Message, value string) bot.Reply
}

// webAPI is the part of the Slack Web API client the adapter calls.
type webAPI interface {
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
}

// Config configures an Adapter.
type Config struct {
	// BotToken is the bot token (xoxb-…). Required.
	BotToken secret.String
	// AppToken (xapp-…) enables Socket Mode.
	AppToken secret.String
	// SigningSecret enables the HTTP endpoints (Routes).
	SigningSecret secret.String
	// APIURL is the Web API base; DefaultAPIURL when empty.
	APIURL string
	// HTTPClient makes every call to Slack; it must have a timeout.
	// Required.
	HTTPClient *http.Client

	// Responder answers messages (a *bot.Responder). Required.
	Responder responder
	// Store remembers handled event ids; nil means in memory.
	Store store.Store
	// Metrics may be nil.
	Metrics *metrics.Metrics
	// Logger may be nil (nothing is logged).
	Logger *slog.Logger

	// Workers bounds the messages handled at once (default 64); Queue is
	// how many acknowledged ones may wait for a worker (default 1024).
	Workers int
	Queue   int
	// WorkTimeout bounds the handling of one event, from the moment a
	// worker takes it, follow-up included (default 9 s, so acknowledged work
	// ends within the process's shutdown budget). FollowUpTimeout bounds the
	// follow-up itself (a domain check), leaving the rest of WorkTimeout
	// to deliver its result (default 8 s).
	WorkTimeout     time.Duration
	FollowUpTimeout time.Duration
	// PaceInterval is the least time between two posts to one channel
	// (default 1 s, Slack's chat.postMessage limit).
	PaceInterval time.Duration
	// MaxTries bounds the attempts of one API call that is rate limited
	// (default 3).
	MaxTries int
}

// Adapter serves one Slack app. Create it with New, serve its Routes on the
// HTTP server when a signing secret is set, and call Run once.
type Adapter struct {
	api       webAPI
	socket    *socketmode.Client
	secret    secret.String
	apiURL    *url.URL
	http      *http.Client
	responder responder
	store     store.Store
	metrics   *metrics.Metrics
	logger    *slog.Logger

	botUserID string
	botID     string

	pool            *pool
	workers         int
	workTimeout     time.Duration
	followUpTimeout time.Duration
	maxTries        int
	pacer           *pacer
	// sleep waits d or until ctx ends; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error

	runOnce sync.Once
}

// New checks the configuration, calls auth.test to learn the bot's own user
// and bot ids, and returns the adapter.
func New(ctx context.Context, cfg Config) (*Adapter, error) {
	if !strings.HasPrefix(cfg.BotToken.Reveal(), "xoxb-") {
		return nil, errors.New("slack bot token must start with xoxb-")
	}
	if cfg.AppToken != "" && !strings.HasPrefix(cfg.AppToken.Reveal(), "xapp-") {
		return nil, errors.New("slack app-level token must start with xapp-")
	}
	if cfg.Responder == nil || cfg.HTTPClient == nil {
		return nil, errors.New("slack adapter: Responder and HTTPClient are required")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
	}
	base, err := url.Parse(cfg.APIURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("slack api url %q: want an absolute http(s) URL", cfg.APIURL)
	}
	a := &Adapter{
		secret:          cfg.SigningSecret,
		apiURL:          base,
		http:            cfg.HTTPClient,
		responder:       cfg.Responder,
		store:           cfg.Store,
		metrics:         cfg.Metrics,
		logger:          cfg.Logger,
		workers:         orDefault(cfg.Workers, 64),
		workTimeout:     orDefault(cfg.WorkTimeout, 9*time.Second),
		followUpTimeout: orDefault(cfg.FollowUpTimeout, 8*time.Second),
		maxTries:        orDefault(cfg.MaxTries, 3),
		pacer:           newPacer(orDefault(cfg.PaceInterval, time.Second), time.Now),
		sleep:           clock.Sleep,
	}
	if a.store == nil {
		a.store = store.NewMemory()
	}
	if a.logger == nil {
		a.logger = slog.New(slog.DiscardHandler)
	}
	a.pool = newPool(orDefault(cfg.Queue, 1024))
	debugLog := slog.NewLogLogger(a.logger.Handler(), slog.LevelDebug)
	opts := []slack.Option{
		slack.OptionAPIURL(cfg.APIURL),
		slack.OptionHTTPClient(cfg.HTTPClient),
		slack.OptionLog(debugLog),
	}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken.Reveal()))
	}
	client := slack.New(cfg.BotToken.Reveal(), opts...)
	a.api = client
	if cfg.AppToken != "" {
		a.socket = socketmode.New(client,
			socketmode.OptionLog(debugLog),
			socketmode.OptionReadLimit(1<<20),
			socketmode.OptionDialer(&websocket.Dialer{
				Proxy:            http.ProxyFromEnvironment,
				HandshakeTimeout: 10 * time.Second,
				WriteBufferSize:  32 << 10,
			}))
	}
	authCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	auth, err := a.api.AuthTestContext(authCtx)
	if err != nil {
		return nil, fmt.Errorf("slack auth.test: %w", err)
	}
	a.botUserID, a.botID = auth.UserID, auth.BotID
	a.logger.Info("slack connected", "team", auth.Team, "bot_user", auth.UserID, "bot_id", auth.BotID,
		"socket_mode", a.socket != nil, "http", a.secret != "")
	return a, nil
}

func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// Routes returns the HTTP handlers for the Events API, slash commands and
// interactions, or nil when no signing secret is configured.
func (a *Adapter) Routes() map[string]http.Handler {
	if a.secret == "" {
		return nil
	}
	return map[string]http.Handler{
		"/slack/events":       a.verified(a.serveEvents),
		"/slack/commands":     a.verified(a.serveCommand),
		"/slack/interactions": a.verified(a.serveInteraction),
	}
}

// Run handles acknowledged events, and holds the Socket Mode connection when
// an app token is set, until ctx ends; then it finishes the events already
// acknowledged and returns.
func (a *Adapter) Run(ctx context.Context) error {
	first := false
	a.runOnce.Do(func() { first = true })
	if !first {
		return errors.New("slack adapter: Run called twice")
	}
	var wg sync.WaitGroup
	if a.socket != nil {
		wg.Go(func() { a.runSocket(ctx) })
	}
	a.pool.run(ctx, a.workers, a.workTimeout, a.logger)
	wg.Wait()
	return nil
}
