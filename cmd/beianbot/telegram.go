package main

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/beianbot/beianbot/bot/telegram"
)

// newTelegram returns the Telegram adapter for c. At start-up the adapter
// checks the token (getMe), publishes the commands and, in webhook mode
// with a URL, registers it. The token never appears in an error: it is
// redacted from whatever the adapter reports.
func newTelegram(ctx context.Context, c telegramConfig, d deps) (adapter, error) {
	logger := d.log("telegram")
	hookURL := c.WebhookURL
	if hookURL != "" && c.WebhookSecret == "" {
		logger.Warn("TELEGRAM_WEBHOOK_URL is ignored without TELEGRAM_WEBHOOK_SECRET; using long polling")
		hookURL = ""
	}
	const pollTimeout = 30 * time.Second
	a, err := telegram.New(ctx, telegram.Config{
		Token:           c.Token,
		Endpoint:        c.Endpoint,
		HTTPClient:      apiHTTPClient(pollTimeout + 15*time.Second),
		Responder:       d.responder,
		Store:           d.store,
		Metrics:         d.metrics,
		Logger:          logger,
		WebhookSecret:   c.WebhookSecret,
		WebhookURL:      hookURL,
		PollTimeout:     pollTimeout,
		WorkTimeout:     workBudget,
		FollowUpTimeout: followUpBudget,
		ShutdownGrace:   workBudget,
	})
	if err != nil {
		err = redactedError{err, c.Token.Reveal()}
		if errors.Is(err, telegram.ErrConfig) {
			return nil, usagef("%v", err)
		}
		return nil, err
	}
	return a, nil
}

// redactedError is err with every copy of a secret replaced, for errors
// that may quote a URL built from a token.
type redactedError struct {
	err    error
	secret string
}

// Error returns err's message without the secret.
func (e redactedError) Error() string {
	msg := e.err.Error()
	if e.secret == "" {
		return msg
	}
	return strings.ReplaceAll(msg, e.secret, "[redacted]")
}

// Unwrap returns err.
func (e redactedError) Unwrap() error { return e.err }
