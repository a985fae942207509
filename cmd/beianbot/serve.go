package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/bot/console"
	"github.com/beianbot/beianbot/internal/metrics"
	"github.com/beianbot/beianbot/internal/store"
)

// newLogger builds the one slog handler: JSON by default, text when asked
// (BEIANBOT_LOG_FORMAT=text), at BEIANBOT_LOG_LEVEL (default def).
func newLogger(getenv func(string) string, w io.Writer, def slog.Level) (*slog.Logger, error) {
	level := def
	if s := strings.TrimSpace(getenv("BEIANBOT_LOG_LEVEL")); s != "" {
		if err := level.UnmarshalText([]byte(s)); err != nil {
			return nil, usagef("BEIANBOT_LOG_LEVEL %q: want debug, info, warn or error", s)
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(getenv("BEIANBOT_LOG_FORMAT"), "text") {
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return slog.New(slog.NewJSONHandler(w, opts)), nil
}

// cmdRun is "beianbot run": every configured adapter, or the terminal chat.
func cmdRun(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return usagef("run takes no arguments")
	}
	logger, err := newLogger(getenv, stderr, slog.LevelInfo)
	if err != nil {
		return err
	}
	ix, err := loadFAQ(getenv, nil)
	if err != nil {
		return err
	}
	d := deps{logger: logger, metrics: metrics.New(), store: store.NewMemory()}
	d.metrics.FAQLoaded(ix.Len(), time.Now())
	checker, err := newChecker(getenv, d)
	if err != nil {
		return err
	}
	d.responder = bot.New(bot.Config{Index: ix, Checker: checker, Store: d.store, Metrics: d.metrics, Logger: logger.With("component", "bot")})

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
		quiet, _ := newLogger(getenv, stderr, slog.LevelWarn)
		d.responder = bot.New(bot.Config{Index: ix, Checker: checker, Store: d.store, Logger: quiet})
		return console.Run(ctx, d.responder, stdin, stdout)
	}
	return serve(ctx, getenv, d, adapters)
}

// serve runs the HTTP server and the adapters until ctx ends.
func serve(ctx context.Context, getenv func(string) string, d deps, adapters []adapter) error {
	addr := getenv("BEIANBOT_HTTP_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	for _, a := range adapters {
		for path, h := range a.Routes() {
			mux.Handle("POST "+path, h)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	d.logger.Info("http server listening", "addr", ln.Addr().String())
	var wg sync.WaitGroup
	errs := make(chan error, len(adapters)+1)
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- fmt.Errorf("http server: %w", err)
		}
	})
	for _, a := range adapters {
		wg.Go(func() {
			if err := a.Run(ctx); err != nil {
				errs <- err
			}
		})
	}
	<-ctx.Done()
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	srv.Shutdown(shutCtx)
	wg.Wait()
	close(errs)
	return <-errs
}
