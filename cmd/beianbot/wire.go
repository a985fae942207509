package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/faq"
	"github.com/beianbot/beianbot/internal/metrics"
	"github.com/beianbot/beianbot/internal/store"
)

// deps are what the adapters and commands share.
type deps struct {
	logger    *slog.Logger
	metrics   *metrics.Metrics
	store     store.Store
	responder *bot.Responder
}

// adapter is one chat platform, as the run command drives it.
type adapter interface {
	// Run serves until ctx ends, then finishes the work it already
	// acknowledged and returns.
	Run(ctx context.Context) error
	// Routes returns the adapter's HTTP handlers by path; nil when it has none.
	Routes() map[string]http.Handler
}

// faqOptions reads the FAQ settings from the environment.
func faqOptions(getenv func(string) string) faq.Options {
	return faq.Options{
		DocsBaseURL: strings.TrimSpace(getenv("BEIANBOT_DOCS_BASE_URL")),
		Lexicon:     splitList(getenv("BEIANBOT_LEXICON")),
	}
}

// loadFAQ loads BEIANBOT_FAQ (or the embedded FAQ when it is empty), or the
// paths given, which take precedence.
func loadFAQ(getenv func(string) string, paths []string) (*faq.Index, error) {
	if len(paths) == 0 {
		paths = splitList(getenv("BEIANBOT_FAQ"))
	}
	opts := faqOptions(getenv)
	if len(paths) == 0 {
		ix, err := faq.LoadEmbedded(opts)
		if err != nil {
			return nil, fmt.Errorf("load embedded faq: %w", err)
		}
		return ix, nil
	}
	return faq.Load(paths, opts)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
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
