package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/beianbot/beianbot/bot/telegram"
	"github.com/beianbot/beianbot/internal/secret"
)

// newTelegram returns the Telegram adapter, or nil when Telegram is not configured.
// It reads TELEGRAM_BOT_TOKEN, TELEGRAM_API_ENDPOINT, TELEGRAM_WEBHOOK_SECRET
// and TELEGRAM_WEBHOOK_URL; at start-up it checks the token (getMe),
// publishes the commands and, in webhook mode with a URL, registers it.
func newTelegram(ctx context.Context, getenv func(string) string, d deps) (adapter, error) {
	token := strings.TrimSpace(getenv("TELEGRAM_BOT_TOKEN"))
	if token == "" {
		return nil, nil
	}
	logger := d.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("component", "telegram")
	hookSecret := strings.TrimSpace(getenv("TELEGRAM_WEBHOOK_SECRET"))
	hookURL := strings.TrimSpace(getenv("TELEGRAM_WEBHOOK_URL"))
	if hookURL != "" && hookSecret == "" {
		logger.Warn("TELEGRAM_WEBHOOK_URL is ignored without TELEGRAM_WEBHOOK_SECRET; using long polling")
		hookURL = ""
	}
	const pollTimeout = 30 * time.Second
	a, err := telegram.New(ctx, telegram.Config{
		Token:         secret.String(token),
		Endpoint:      strings.TrimSpace(getenv("TELEGRAM_API_ENDPOINT")),
		HTTPClient:    apiHTTPClient(pollTimeout + 15*time.Second),
		Responder:     d.responder,
		Store:         d.store,
		Metrics:       d.metrics,
		Logger:        logger,
		WebhookSecret: secret.String(hookSecret),
		WebhookURL:    hookURL,
		PollTimeout:   pollTimeout,
	})
	if errors.Is(err, telegram.ErrConfig) {
		return nil, usagef("%v", err)
	}
	if err != nil {
		return nil, err
	}
	return a, nil
}
