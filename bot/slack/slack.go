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

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/clock"
	"github.com/beianbot/beianbot/internal/metrics"
	"github.com/beianbot/beianbot/internal/secret"
	"github.com/beianbot/beianbot/internal/store"
	"github.com/beianbot/beianbot/internal/work"
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

// Config configures an Adapter. Zero durations and counts take the
// defaults given; a negative one turns that setting off (work.Default)
// where it can be off (the queue, pacing, retries), and is refused for
// the workers and the timeouts.
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
	// Store remembers handled event ids and, when it is shared between
	// replicas, paces posts for all of them; nil means in memory.
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
	// DrainTimeout bounds how long Run finishes acknowledged work after its
	// context ends, when nobody called Drain with a tighter deadline
	// (default 9 s).
	DrainTimeout time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
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

	pool            *work.Pool
	handoff         *work.Handoff // nil without a shared store
	dedup           work.Dedup
	followUpTimeout time.Duration
	maxTries        int
	paceInterval    time.Duration
	pacer           *work.Pacer
	drainTimeout    time.Duration
	link            *work.Link
	// sigWarn rate-limits the warning about rejected signatures.
	sigWarn *work.Throttle
	// sleep waits d or until ctx ends; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error

	runOnce sync.Once
	cuts    work.Tally
	handed  work.Tally
}

// New calls auth.test to learn the bot's own user and bot ids, and returns
// the adapter. The tokens' form is the caller's to check (the command's
// configuration does, once, naming the variable); a wrong token fails
// auth.test here.
func New(ctx context.Context, cfg Config) (*Adapter, error) {
	if cfg.Workers < 0 || cfg.WorkTimeout < 0 || cfg.FollowUpTimeout < 0 || cfg.DrainTimeout < 0 {
		return nil, errors.New("slack adapter: Workers and the timeouts cannot be turned off")
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
	if cfg.Store == nil {
		cfg.Store = store.NewMemory()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &Adapter{
		secret:          cfg.SigningSecret,
		apiURL:          base,
		http:            cfg.HTTPClient,
		responder:       cfg.Responder,
		store:           cfg.Store,
		metrics:         cfg.Metrics,
		logger:          cfg.Logger,
		followUpTimeout: work.Default(cfg.FollowUpTimeout, 8*time.Second),
		maxTries:        max(work.Default(cfg.MaxTries, 3), 1),
		paceInterval:    work.Default(cfg.PaceInterval, time.Second),
		pacer:           work.NewPacer(cfg.Store, cfg.Now, cfg.Logger),
		drainTimeout:    work.Default(cfg.DrainTimeout, 9*time.Second),
		link:            work.NewLink(cfg.Now),
		sigWarn:         work.NewThrottle(time.Minute, cfg.Now),
		sleep:           clock.Sleep,
		dedup:           work.Dedup{Store: cfg.Store, TTL: dedupTTL, Platform: bot.PlatformSlack, Metrics: cfg.Metrics, Logger: cfg.Logger},
	}
	debugLog := slog.NewLogLogger(a.logger.Handler(), slog.LevelDebug)
	opts := []slack.Option{
		slack.OptionAPIURL(cfg.APIURL),
		slack.OptionHTTPClient(cfg.HTTPClient),
		slack.OptionLog(debugLog),
	}
	pc := work.PoolConfig{
		Workers: cfg.Workers,
		Queue:   cfg.Queue,
		Timeout: work.Default(cfg.WorkTimeout, 9*time.Second),
		Logger:  cfg.Logger,
	}
	if h, ok := work.SharedHandoff(cfg.Store, bot.PlatformSlack); ok {
		a.handoff, pc.Handoff = &h, h.Hand
	}
	a.pool = work.NewPool(pc)
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
	a.link.Up()
	a.botUserID, a.botID = auth.UserID, auth.BotID
	a.logger.Info("slack connected", "team", auth.Team, "bot_user", auth.UserID, "bot_id", auth.BotID,
		"socket_mode", a.socket != nil, "http", a.secret != "")
	return a, nil
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

// Run holds the Socket Mode connection when an app token is set, and with
// a shared store takes over work other replicas handed off, until ctx
// ends; then it drains (see Drain) within DrainTimeout and returns. Work
// acknowledged through Routes is handled whether or not Run runs.
func (a *Adapter) Run(ctx context.Context) error {
	first := false
	a.runOnce.Do(func() { first = true })
	if !first {
		return errors.New("slack adapter: Run called twice")
	}
	var wg sync.WaitGroup
	if a.handoff != nil {
		wg.Go(func() { a.handoff.TakeOver(ctx, a.pool, time.Second, a.takeOver, a.logger) })
	}
	if a.socket != nil {
		a.runSocket(ctx)
	} else {
		<-ctx.Done()
	}
	wg.Wait()
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.drainTimeout)
	defer cancel()
	a.Drain(dctx)
	return nil
}

// Drain stops taking work (new events get 503, so that Slack redelivers
// them, maybe to another replica), hands what it has not started to the
// other replicas through a shared store, and finishes the rest of what
// was acknowledged. What cannot be finished before ctx's deadline is cut,
// and its asker told to ask again. It returns how many were cut; it may be called more than
// once, and Run calls it too.
func (a *Adapter) Drain(ctx context.Context) int {
	n := a.pool.Drain(ctx)
	if h := a.pool.Handed(); a.handed.Add(h) > 0 {
		a.logger.Info("slack work handed off to the other replicas", "count", h)
	}
	if added := a.cuts.Add(n); added > 0 {
		a.metrics.WorkCut(bot.PlatformSlack, added)
		a.logger.Warn("slack work cut at shutdown; askers told to ask again", "count", added)
	}
	return n
}

// Pending returns how many acknowledged events, commands and presses are
// not finished yet.
func (a *Adapter) Pending() int { return a.pool.Pending() }

// Status implements bot.StatusReporter: whether the last exchange with
// Slack (auth.test, a Web API call, the Socket Mode connection) worked.
func (a *Adapter) Status() bot.Status {
	c, since, last := a.link.State()
	return bot.Status{Platform: bot.PlatformSlack, Connected: c, Since: since, LastError: last}
}
