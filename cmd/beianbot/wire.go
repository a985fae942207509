package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/metrics"
	"github.com/beianbot/beianbot/internal/store"
)

// deps are what the adapters and commands share.
type deps struct {
	logger    *slog.Logger
	metrics   *metrics.Metrics
	store     store.Store
	responder *bot.Responder
	// learning is the responder's side of the learning loop (learn.go).
	learning bot.Learning
	// userKey is the learning loop's keyed hash of a user id: per-user
	// limits in the shared store are kept under it.
	userKey func(platform, user string) string
}

// log returns the logger for one component; nothing is logged when deps
// has no logger.
func (d deps) log(component string) *slog.Logger {
	if d.logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.logger.With("component", component)
}

// adapter is one chat platform, as the run command drives it.
type adapter interface {
	// Run serves until ctx ends, then finishes the work it already
	// acknowledged and returns.
	Run(ctx context.Context) error
	// Routes returns the adapter's HTTP handlers by path; nil when it has none.
	Routes() map[string]http.Handler
}

// apiHTTPClient is the client for a chat platform's API: every call bounded
// by timeout (a long poll's included), HTTPS_PROXY honoured, and enough idle
// connections kept for the adapter's workers.
func apiHTTPClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          128,
			MaxIdleConnsPerHost:   64,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: timeout,
			ExpectContinueTimeout: time.Second,
		},
	}
}
