package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/bot/console"
	"github.com/beianbot/beianbot/faq"
	"github.com/beianbot/beianbot/internal/httpserver"
	"github.com/beianbot/beianbot/internal/metrics"
	"github.com/beianbot/beianbot/internal/reload"
	"github.com/beianbot/beianbot/internal/store"
)

// shutdownBudget is how long serve takes at most, from the end of its
// context to its return, so that the process exits within 10 s of SIGTERM.
const shutdownBudget = 9500 * time.Millisecond

// maxDrain bounds BEIANBOT_SHUTDOWN_DRAIN, leaving most of the budget to
// finishing acknowledged work.
const maxDrain = 5 * time.Second

// newLogger builds the one slog handler: JSON by default, text when asked
// (BEIANBOT_LOG_FORMAT=text), at BEIANBOT_LOG_LEVEL, or at def when that is
// unset (def may be a *slog.LevelVar the caller changes later).
func newLogger(getenv func(string) string, w io.Writer, def slog.Leveler) (*slog.Logger, error) {
	level := def
	if s := strings.TrimSpace(getenv("BEIANBOT_LOG_LEVEL")); s != "" {
		var l slog.Level
		if err := l.UnmarshalText([]byte(s)); err != nil {
			return nil, usagef("BEIANBOT_LOG_LEVEL %q: want debug, info, warn or error", s)
		}
		level = l
	}
	opts := &slog.HandlerOptions{Level: level}
	switch f := strings.ToLower(strings.TrimSpace(getenv("BEIANBOT_LOG_FORMAT"))); f {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "", "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, usagef("BEIANBOT_LOG_FORMAT %q: want json or text", f)
	}
}

// cmdRun is "beianbot run": every configured adapter, or the terminal chat.
func cmdRun(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return usagef("run takes no arguments")
	}
	// Info by default; the terminal chat lowers it to warnings so that logs
	// do not interleave with the conversation.
	var level slog.LevelVar
	logger, err := newLogger(getenv, stderr, &level)
	if err != nil {
		return err
	}
	m := metrics.New()
	var responder *bot.Responder
	// The watcher notes the FAQ files' state before the first load, so an
	// edit made during start-up is picked up too.
	watcher, err := newFAQWatcher(getenv, logger, m, func(ix *faq.Index) { responder.SetIndex(ix) })
	if err != nil {
		return err
	}
	ix, err := loadFAQ(getenv, nil)
	if err != nil {
		return err
	}
	m.FAQLoaded(ix.Len(), time.Now())
	st, closeStore, err := openStore(ctx, getenv, logger, m)
	if err != nil {
		return err
	}
	defer closeStore()
	d := deps{logger: logger, metrics: m, store: st}
	checker, err := newChecker(getenv, d)
	if err != nil {
		return err
	}
	responder = bot.New(bot.Config{Index: ix, Checker: checker, Store: d.store, Metrics: d.metrics, Logger: logger.With("component", "bot")})
	d.responder = responder

	var adapters []adapter
	for _, mk := range []func(context.Context, func(string) string, deps) (adapter, error){newSlack, newTelegram} {
		a, err := mk(ctx, getenv, d)
		if err != nil {
			return err
		}
		if a != nil {
			adapters = append(adapters, a)
		}
	}
	if len(adapters) == 0 {
		level.Set(slog.LevelWarn)
		if !isTerminal(stdin) {
			// In a container this is a missing token, not a chat.
			logger.Warn("no chat platform configured (set SLACK_BOT_TOKEN or TELEGRAM_BOT_TOKEN): answering questions from standard input")
		}
		return console.Run(ctx, responder, stdin, stdout)
	}
	opts, err := serveOptionsFrom(getenv)
	if err != nil {
		return err
	}
	opts.watcher = watcher
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	opts.hup = hup
	return serve(ctx, getenv, d, adapters, opts)
}

// newFAQWatcher returns the watcher that reloads the FAQ into swap when
// the BEIANBOT_FAQ or BEIANBOT_LEXICON files change, or on SIGHUP. Files are
// polled every BEIANBOT_RELOAD_INTERVAL (default 2s; 0 or "off": only SIGHUP).
func newFAQWatcher(getenv func(string) string, logger *slog.Logger, m *metrics.Metrics, swap func(*faq.Index)) (*reload.Watcher[*faq.Index], error) {
	interval := time.Duration(0) // the package default
	switch s := strings.TrimSpace(getenv("BEIANBOT_RELOAD_INTERVAL")); s {
	case "":
	case "0", "off":
		interval = -1
	default:
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, usagef("BEIANBOT_RELOAD_INTERVAL %q: want a duration such as 2s, or off", s)
		}
		interval = d
	}
	return reload.New(reload.Config[*faq.Index]{
		Paths:    append(splitList(getenv("BEIANBOT_FAQ")), splitList(getenv("BEIANBOT_LEXICON"))...),
		Load:     func() (*faq.Index, error) { return loadFAQ(getenv, nil) },
		Swap:     swap,
		Interval: interval,
		Metrics:  m,
		Logger:   logger.With("component", "reload"),
	}), nil
}

// openStore returns the shared state: in memory, or with BEIANBOT_REDIS_URL
// in Redis behind a memory fallback. It never waits for Redis. closeStore stops
// the fallback's probe and closes the connections.
func openStore(ctx context.Context, getenv func(string) string, logger *slog.Logger, m *metrics.Metrics) (st store.Store, closeStore func(), err error) {
	raw := strings.TrimSpace(getenv("BEIANBOT_REDIS_URL"))
	if raw == "" {
		return store.NewMemory(), func() {}, nil
	}
	r, err := store.NewRedis(raw)
	if err != nil {
		return nil, nil, usagef("BEIANBOT_REDIS_URL: %v", err)
	}
	slogger := logger.With("component", "store", "redis", r.Addr())
	// go-redis has one process-wide logger; send its lines to ours.
	redis.SetLogger(redisLog{slogger})
	fb := store.NewFallback(store.FallbackConfig{Remote: r, Metrics: m, Logger: slogger})
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		fb.Run(pctx)
	}()
	slogger.Info("shared state in redis, with a memory fallback")
	return fb, func() {
		cancel()
		<-done
		if err := r.Close(); err != nil {
			slogger.Warn("close redis", "err", err)
		}
	}, nil
}

// redisLog passes go-redis' own log lines (dial failures, pool events) to
// slog at debug level: the fallback already reports outages at warn.
type redisLog struct{ logger *slog.Logger }

// Printf sends go-redis's own log lines to our logger at debug level.
func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.logger.DebugContext(ctx, strings.TrimSpace(fmt.Sprintf(format, v...)))
}

// serveOptions are the parts of serve a test or cmdRun supplies.
type serveOptions struct {
	// drain is how long /healthz says 503 before the server stops
	// accepting, for load balancers to notice (BEIANBOT_SHUTDOWN_DRAIN).
	drain time.Duration
	// watcher reloads the FAQ; nil for none.
	watcher *reload.Watcher[*faq.Index]
	// hup triggers a reload (SIGHUP).
	hup <-chan os.Signal
}

// serveOptionsFrom reads the options kept in the environment.
func serveOptionsFrom(getenv func(string) string) (serveOptions, error) {
	var o serveOptions
	if s := strings.TrimSpace(getenv("BEIANBOT_SHUTDOWN_DRAIN")); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 || d > maxDrain {
			return o, usagef("BEIANBOT_SHUTDOWN_DRAIN %q: want a duration from 0s to %v", s, maxDrain)
		}
		o.drain = d
	}
	return o, nil
}

// serve listens on BEIANBOT_HTTP_ADDR and runs the server and the adapters
// until ctx ends; see serveOn.
func serve(ctx context.Context, getenv func(string) string, d deps, adapters []adapter, opts serveOptions) error {
	addr := strings.TrimSpace(getenv("BEIANBOT_HTTP_ADDR"))
	if addr == "" {
		addr = ":8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	return serveOn(ctx, ln, d, adapters, opts)
}

// serveOn runs the HTTP server on ln, the adapters and the FAQ watcher until
// ctx ends or one of them fails. Then it shuts down within shutdownBudget:
// /healthz turns 503, and after opts.drain the server stops accepting and
// waits for the requests in progress to be answered (a webhook being
// handled still gets its 200); then the adapters are told to stop and
// finish the work they acknowledged. It returns nil after a clean shutdown
// that ctx asked for.
func serveOn(ctx context.Context, ln net.Listener, d deps, adapters []adapter, opts serveOptions) error {
	logger := d.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	hs := httpserver.New(httpserver.Config{Metrics: d.metrics, Logger: logger.With("component", "http")})
	for _, a := range adapters {
		hs.Mount(a.Routes())
	}
	hs.SetReady() // the FAQ is loaded: cmdRun did it before calling serve
	logger.Info("http server listening", "addr", ln.Addr().String())

	errs := make(chan error, len(adapters)+1)
	httpDone := make(chan struct{})
	go func() {
		defer close(httpDone)
		if err := hs.Serve(ln); err != nil {
			errs <- err
		}
	}()

	// Adapters get a context of their own, ended only once the HTTP server
	// has answered every request it took, so that no webhook acknowledged
	// during shutdown is left without its answer.
	adCtx, stopAdapters := context.WithCancel(context.WithoutCancel(ctx))
	defer stopAdapters()
	var adWG sync.WaitGroup
	for _, a := range adapters {
		adWG.Go(func() {
			err := a.Run(adCtx)
			if err != nil && !(adCtx.Err() != nil && errors.Is(err, context.Canceled)) {
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
	deadline := time.Now().Add(shutdownBudget)
	hs.Drain()
	if opts.drain > 0 {
		t := time.NewTimer(opts.drain)
		<-t.C
	}
	shutCtx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		logger.Warn("http requests still open at the deadline were cut", "err", err)
	}
	<-httpDone
	stopAdapters()
	select {
	case <-adDone:
	case <-shutCtx.Done():
		failed = errors.Join(failed, fmt.Errorf("shutdown: adapters still busy after %v", shutdownBudget))
	}
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

// cmdHealthcheck is "beianbot healthcheck [URL]": it asks the running bot's
// /healthz (by default on BEIANBOT_HTTP_ADDR's port on this host) and
// succeeds only on 200. Container health checks use it, since the runtime
// image has no curl.
func cmdHealthcheck(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 1 {
		return usagef("usage: beianbot healthcheck [URL]")
	}
	url := ""
	if len(args) == 1 {
		url = args[0]
	} else {
		var err error
		if url, err = healthURL(getenv("BEIANBOT_HTTP_ADDR")); err != nil {
			return err
		}
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
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
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
	addr = strings.TrimSpace(addr)
	if addr == "" {
		addr = ":8080"
	}
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

// isTerminal reports whether r is a terminal (a character device).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
