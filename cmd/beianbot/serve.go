package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/net/netutil"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/bot/console"
	"github.com/beianbot/beianbot/faq"
	"github.com/beianbot/beianbot/internal/httpserver"
	"github.com/beianbot/beianbot/internal/metrics"
	"github.com/beianbot/beianbot/internal/reload"
	"github.com/beianbot/beianbot/internal/store"
)

// The stop window. The process exits within 10 s of SIGTERM: stopWindow
// from the signal to serveOn's return, leaving time to close the store.
// Work an adapter acknowledged just before the signal needs at most
// workBudget (a domain check's followUpBudget and the delivery of its
// result), which the window covers. The HTTP server gets its own, shorter
// deadline: a request still open then was never acknowledged, so cutting it
// loses nothing (the platform sends it again) and is not a failure.
const (
	stopWindow      = 9500 * time.Millisecond
	httpDrainBudget = 2 * time.Second
	workBudget      = 9 * time.Second
	followUpBudget  = 8 * time.Second
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
	d.learning = lrn.bot()
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

// serveOptions are the parts of serveOn that cmdRun or a test supplies.
type serveOptions struct {
	// drain is how long /healthz says 503 before the server stops
	// accepting, for load balancers to notice.
	drain time.Duration
	// downAfter is how long an adapter may fail to reach its platform
	// before /healthz says 503; 0 for defaultPlatformDownAfter.
	downAfter time.Duration
	// httpDrain and stop override httpDrainBudget and stopWindow (tests).
	httpDrain, stop time.Duration
	// watcher reloads the FAQ; nil for none.
	watcher *reload.Watcher[*faq.Index]
	// hup triggers a reload (SIGHUP).
	hup <-chan os.Signal
}

// pendingCounter is implemented by adapters that can say how many replies
// they acknowledged and have not delivered yet; shutdown reports it for
// work it had to cut.
type pendingCounter interface {
	Pending() int
}

// drainer is implemented by adapters that stop taking work on request and
// finish what they acknowledged by ctx's deadline, telling the askers of
// what they cut to ask again. Drain returns how many they cut.
type drainer interface {
	Drain(ctx context.Context) int
}

// adapterRun is one adapter's Run in progress.
type adapterRun struct {
	adapter
	name   string
	routes bool // it serves webhooks on the HTTP server
	stop   context.CancelFunc
	busy   atomic.Bool
	cut    int // what Drain cut
}

// serveOn runs the HTTP server on ln, the adapters and the FAQ watcher until
// ctx ends or one of them fails. Then it stops within the stop window:
//
//  1. /healthz turns 503, and after opts.drain the server stops accepting;
//  2. adapters that can (drainer) stop taking work at once (new webhooks
//     get 503, so that the platform redelivers them) and finish what they
//     acknowledged by the end of the window; adapters without webhooks
//     (polling, sockets) are told to stop;
//  3. meanwhile requests in progress get until httpDrainBudget to be
//     answered (a webhook being handled still gets its 200); requests still
//     open then were never acknowledged and are cut, which is logged but is
//     no failure;
//  4. the other adapters are told to stop and finish their work, until the
//     end of the window. Work an adapter cut, or an adapter still busy at
//     the end, fails the shutdown with an error naming the adapter and how
//     many replies were cut.
//
// It returns nil after a clean shutdown that ctx asked for.
func serveOn(ctx context.Context, ln net.Listener, d deps, adapters []adapter, opts serveOptions) error {
	logger := d.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.httpDrain <= 0 {
		opts.httpDrain = httpDrainBudget
	}
	if opts.stop <= 0 {
		opts.stop = stopWindow
	}
	if opts.downAfter <= 0 {
		opts.downAfter = defaultPlatformDownAfter
	}
	var reporters []bot.StatusReporter
	runs := make([]*adapterRun, len(adapters))
	for i, a := range adapters {
		runs[i] = &adapterRun{adapter: a, name: fmt.Sprintf("%T", a)}
		if r, ok := a.(bot.StatusReporter); ok {
			reporters = append(reporters, r)
			runs[i].name = r.Status().Platform
			d.metrics.WatchAdapter(runs[i].name, func() bool { return r.Status().Connected })
		}
	}
	hs := httpserver.New(httpserver.Config{
		Metrics:   d.metrics,
		Logger:    logger.With("component", "http"),
		Adapters:  func() []httpserver.AdapterState { return adapterStates(reporters) },
		DownAfter: opts.downAfter,
	})
	for _, r := range runs {
		routes := r.Routes()
		r.routes = len(routes) > 0
		hs.Mount(routes)
	}
	hs.SetReady() // the FAQ is loaded: cmdRun did it before calling serveOn
	logger.Info("http server listening", "addr", ln.Addr().String())

	errs := make(chan error, len(adapters)+1)
	httpDone := make(chan struct{})
	go func() {
		defer close(httpDone)
		if err := hs.Serve(ln); err != nil {
			errs <- err
		}
	}()

	// Each adapter gets a context of its own: one with webhooks keeps it
	// until the HTTP server has answered every request it took, so that no
	// webhook acknowledged during shutdown is left without its answer.
	var adWG sync.WaitGroup
	for _, r := range runs {
		actx, stop := context.WithCancel(context.WithoutCancel(ctx))
		r.stop = stop
		defer stop()
		r.busy.Store(true)
		adWG.Go(func() {
			defer r.busy.Store(false)
			err := r.Run(actx)
			if err != nil && !(actx.Err() != nil && errors.Is(err, context.Canceled)) {
				errs <- err
			}
		})
	}
	adDone := make(chan struct{})
	go func() { adWG.Wait(); close(adDone) }()

	bgCtx, stopBG := context.WithCancel(ctx)
	var bg sync.WaitGroup
	if opts.watcher != nil {
		bg.Go(func() { opts.watcher.Run(bgCtx, opts.hup) })
	}

	var failed error
	select {
	case <-ctx.Done():
		logger.Info("shutting down: finishing acknowledged work")
	case failed = <-errs:
		logger.Error("shutting down after a failure")
	}
	failed = errors.Join(failed, shutdown(ctx, hs, httpDone, runs, adDone, opts, logger))
	stopBG()
	bg.Wait()
	for more := true; more; {
		select {
		case err := <-errs:
			failed = errors.Join(failed, err)
		default:
			more = false
		}
	}
	if failed == nil {
		logger.Info("shutdown complete")
	}
	return failed
}

// shutdown is serveOn's stop sequence, steps 1 to 4, from the moment the
// signal came. It returns what was cut as an error.
func shutdown(ctx context.Context, hs *httpserver.Server, httpDone <-chan struct{}, runs []*adapterRun, adDone <-chan struct{},
	opts serveOptions, logger *slog.Logger) error {
	deadline := time.Now().Add(opts.stop)
	hs.Drain()
	if opts.drain > 0 {
		t := time.NewTimer(opts.drain)
		<-t.C
	}
	dctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	var drains sync.WaitGroup
	for _, r := range runs {
		if d, ok := r.adapter.(drainer); ok {
			drains.Go(func() { r.cut = d.Drain(dctx) })
		}
		if !r.routes {
			r.stop()
		}
	}

	httpCtx, cancelHTTP := context.WithTimeout(dctx, opts.httpDrain)
	if n := hs.Shutdown(httpCtx); n > 0 {
		logger.Warn("shutdown: cut http requests still unanswered at their deadline; none was acknowledged, so the platforms send them again",
			"requests", n, "deadline", opts.httpDrain.String())
	}
	cancelHTTP()
	<-httpDone
	for _, r := range runs {
		r.stop()
	}
	drained := make(chan struct{})
	go func() { drains.Wait(); <-adDone; close(drained) }()

	var failed error
	select {
	case <-drained:
		for _, r := range runs {
			if r.cut > 0 {
				failed = errors.Join(failed, fmt.Errorf("shutdown: %s: %d acknowledged replies cut at the end of the %v stop window; their askers were told to ask again",
					r.name, r.cut, opts.stop))
			}
		}
	case <-dctx.Done():
		for _, r := range runs {
			if r.busy.Load() {
				failed = errors.Join(failed, cutError(r, opts.stop))
			}
		}
	}
	if failed != nil {
		logger.Error("shutdown: acknowledged work cut at the end of the stop window", "err", failed)
	}
	return failed
}

// cutError describes an adapter still busy at the end of the stop window.
func cutError(r *adapterRun, window time.Duration) error {
	if p, ok := r.adapter.(pendingCounter); ok {
		return fmt.Errorf("shutdown: %s: %d acknowledged replies not delivered within %v", r.name, p.Pending(), window)
	}
	return fmt.Errorf("shutdown: %s: still delivering acknowledged replies after %v", r.name, window)
}

// adapterStates is what /healthz reports about each adapter.
func adapterStates(reporters []bot.StatusReporter) []httpserver.AdapterState {
	out := make([]httpserver.AdapterState, 0, len(reporters))
	for _, r := range reporters {
		s := r.Status()
		out = append(out, httpserver.AdapterState{Platform: s.Platform, Connected: s.Connected, Since: s.Since, LastError: s.LastError})
	}
	return out
}

// cmdHealthcheck is "beianbot healthcheck [URL]": it asks the running bot's
// /healthz (by default on BEIANBOT_HTTP_ADDR's port on this host) and
// succeeds only on 200. Container health checks use it, since the runtime
// image has no curl.
func cmdHealthcheck(ctx context.Context, args []string, cfg config, stdout io.Writer) error {
	if len(args) > 1 {
		return usagef("usage: beianbot healthcheck [URL]")
	}
	url := ""
	if len(args) == 1 {
		url = args[0]
	} else {
		var err error
		if url, err = healthURL(cfg.HTTPAddr); err != nil {
			return err
		}
	}
	if u, err := neturl.Parse(url); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("healthcheck: %q is not an http(s) URL such as http://127.0.0.1:8080/healthz", url)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return usagef("healthcheck: bad URL %q", url)
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<10))
	text := strings.TrimSpace(string(body))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s: %d %s", url, resp.StatusCode, text)
	}
	fmt.Fprintln(stdout, text)
	return nil
}

// healthURL turns a listen address into the URL of its /healthz on this
// host: a wildcard or empty host becomes the loopback address.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", usagef("BEIANBOT_HTTP_ADDR %q: want host:port or :port", addr)
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}
