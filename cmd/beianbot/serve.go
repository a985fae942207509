package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/netutil"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/bot/console"
	"github.com/beianbot/beianbot/faq"
	"github.com/beianbot/beianbot/internal/metrics"
	"github.com/beianbot/beianbot/internal/reload"
	"github.com/beianbot/beianbot/internal/store"
)

// newLogger builds the one slog handler, JSON or text as cfg says, at
// cfg's level or at def when none is set (def may be a *slog.LevelVar the
// caller changes later).
func newLogger(cfg config, w io.Writer, def slog.Leveler) *slog.Logger {
	level := def
	if cfg.LogLevel != nil {
		level = cfg.LogLevel
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// noPlatform is the one line run exits 2 with when it has nothing to serve.
const noPlatform = "no chat platform configured and standard input is not a terminal: " +
	"set SLACK_BOT_TOKEN (with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET) or TELEGRAM_BOT_TOKEN"

// cmdRun is "beianbot run": every configured adapter, or the terminal chat.
func cmdRun(ctx context.Context, args []string, cfg config, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return usagef("run takes no arguments")
	}
	if cfg.Slack.BotToken == "" && cfg.Telegram.Token == "" && !isTerminal(stdin) {
		// In a container this is a missing token, not a chat: say so and
		// stop, rather than end "successfully" and be restarted forever.
		return usageError{noPlatform}
	}
	// Info by default; the terminal chat lowers it to warnings so that logs
	// do not interleave with the conversation.
	var level slog.LevelVar
	logger := newLogger(cfg, stderr, &level)
	m := metrics.New()
	var responder *bot.Responder
	var lrn *learning
	// The watcher notes the FAQ files' state before the first load, so an
	// edit made during start-up is picked up too. Reloads keep the taught
	// phrasings.
	watcher := newFAQWatcher(cfg, logger, m, func(ix *faq.Index) { lrn.live.SetBase(ix) })
	ix, err := cfg.FAQ.load(nil)
	if err != nil {
		return err
	}
	warnProblems(logger, ix)
	m.FAQLoaded(ix.Len(), time.Now())
	st, closeStore, err := openStore(ctx, cfg, logger, m)
	if err != nil {
		return err
	}
	defer closeStore()
	d := deps{logger: logger, metrics: m, store: st}
	checker, err := newChecker(cfg.DNSServer, logger)
	if err != nil {
		return err
	}
	if lrn, err = openLearning(ctx, cfg.Learn, logger, m, func(ix *faq.Index) { responder.SetIndex(ix) }); err != nil {
		return err
	}
	stopLearning := func() { lrn.store.Close() }
	defer func() { stopLearning() }()
	d.learning = lrn.botConfig()
	d.userKey = lrn.keyer.Key
	responder = newResponder(cfg, ix, checker, d)
	if err := lrn.live.Start(ctx, ix); err != nil {
		return fmt.Errorf("read taught phrasings from %s: %w", cfg.Learn.loc, err)
	}
	d.responder = responder

	var adapters []adapter
	if cfg.Slack.BotToken != "" {
		a, err := newSlack(ctx, cfg.Slack, d)
		if err != nil {
			return err
		}
		adapters = append(adapters, a)
	} else if cfg.Slack.AppToken != "" || cfg.Slack.SigningSecret != "" {
		logger.Warn("SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set without SLACK_BOT_TOKEN; Slack stays off")
	}
	if cfg.Telegram.Token != "" {
		a, err := newTelegram(ctx, cfg.Telegram, d)
		if err != nil {
			return err
		}
		adapters = append(adapters, a)
	}
	// Stopped (and flushed) once the adapters are done: see the defer above.
	stopLearning = lrn.run(ctx, adapters)
	if len(adapters) == 0 {
		level.Set(slog.LevelWarn)
		return console.Run(ctx, responder, stdin, stdout)
	}
	ln, err := listen(cfg)
	if err != nil {
		return err
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	return serveOn(ctx, ln, d, adapters, serveOptions{
		drain:     cfg.ShutdownDrain,
		downAfter: cfg.PlatformDownAfter,
		watcher:   watcher,
		hup:       hup,
	})
}

// newResponder is the bot core as cfg sets it up.
func newResponder(cfg config, ix *faq.Index, checker bot.Checker, d deps) *bot.Responder {
	return bot.New(bot.Config{
		Index:           ix,
		Checker:         checker,
		Store:           d.store,
		Metrics:         d.metrics,
		Logger:          d.log("bot"),
		AnswerMinScore:  cfg.AnswerAt,
		ChannelMinScore: cfg.ChannelAnswerAt,
		Learning:        d.learning,
		UserKey:         d.userKey,
	})
}

// listen opens the HTTP server's listener on cfg.HTTPAddr, accepting at
// most cfg.MaxConns connections at once: beyond that, new connections wait
// in the kernel's queue until one closes.
func listen(cfg config) (net.Listener, error) {
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", cfg.HTTPAddr, err)
	}
	return netutil.LimitListener(ln, cfg.MaxConns), nil
}

// maxProblemLogs bounds the warnings one FAQ load logs.
const maxProblemLogs = 20

// warnProblems logs what loading the FAQ skipped or derived, so that a team
// sees it without running faq lint.
func warnProblems(logger *slog.Logger, ix *faq.Index) {
	probs := ix.Problems()
	for i, p := range probs {
		if i == maxProblemLogs {
			logger.Warn("faq: more problems; run beianbot faq lint", "more", len(probs)-i)
			break
		}
		logger.Warn("faq: "+p.Msg, "file", p.File, "line", p.Line)
	}
}

// newFAQWatcher returns the watcher that reloads the FAQ into swap when
// the FAQ or lexicon files change, or on SIGHUP.
func newFAQWatcher(cfg config, logger *slog.Logger, m *metrics.Metrics, swap func(*faq.Index)) *reload.Watcher[*faq.Index] {
	return reload.New(reload.Config[*faq.Index]{
		Paths: append(slices.Clone(cfg.FAQ.Paths), cfg.FAQ.Options.Lexicon...),
		Load: func() (*faq.Index, error) {
			ix, err := cfg.FAQ.load(nil)
			if err == nil {
				warnProblems(logger, ix)
			}
			return ix, err
		},
		Swap:     swap,
		Interval: cfg.ReloadInterval,
		Metrics:  m,
		Logger:   logger.With("component", "reload"),
	})
}

// openStore returns the shared state: in memory, or with a Redis URL in
// Redis behind a memory fallback. It never waits for Redis. closeStore
// stops the store's background work and closes the connections.
func openStore(ctx context.Context, cfg config, logger *slog.Logger, m *metrics.Metrics) (st store.Store, closeStore func(), err error) {
	bg, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	stop := func() {
		cancel()
		wg.Wait()
	}
	if cfg.RedisURL == "" {
		mem := store.NewMemoryLimit(cfg.MemoryStoreBytes)
		wg.Go(func() { mem.Run(bg) })
		return mem, stop, nil
	}
	r, err := store.NewRedis(cfg.RedisURL)
	if err != nil {
		cancel()
		return nil, nil, usagef("BEIANBOT_REDIS_URL: %v", err)
	}
	slogger := logger.With("component", "store", "redis", r.Addr())
	fb := store.NewFallback(store.FallbackConfig{Remote: r, MemoryBytes: cfg.MemoryStoreBytes, Metrics: m, Logger: slogger})
	wg.Go(func() { fb.Run(bg) })
	slogger.Info("shared state in redis, with a memory fallback")
	return fb, func() {
		stop()
		if err := r.Close(); err != nil {
			slogger.Warn("close redis", "err", err)
		}
	}, nil
}
