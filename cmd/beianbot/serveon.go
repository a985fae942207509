package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/faq"
	"github.com/beianbot/beianbot/internal/httpserver"
	"github.com/beianbot/beianbot/internal/reload"
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
