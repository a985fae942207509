package main

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"time"

	slackbot "github.com/beianbot/beianbot/bot/slack"
	"github.com/beianbot/beianbot/internal/secret"
)

// newSlack returns the Slack adapter, or nil when Slack is not configured
// (SLACK_BOT_TOKEN unset). With SLACK_APP_TOKEN it uses Socket Mode; with
// SLACK_SIGNING_SECRET it serves the HTTP endpoints; with both, both.
func newSlack(ctx context.Context, getenv func(string) string, d deps) (adapter, error) {
	botToken := strings.TrimSpace(getenv("SLACK_BOT_TOKEN"))
	appToken := strings.TrimSpace(getenv("SLACK_APP_TOKEN"))
	signing := strings.TrimSpace(getenv("SLACK_SIGNING_SECRET"))
	logger := d.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if botToken == "" {
		if appToken != "" || signing != "" {
			logger.Warn("SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set without SLACK_BOT_TOKEN; Slack stays off")
		}
		return nil, nil
	}
	if !strings.HasPrefix(botToken, "xoxb-") {
		return nil, usagef("SLACK_BOT_TOKEN must be the bot token, starting with xoxb- " +
			"(Slack app settings → OAuth & Permissions → Bot User OAuth Token)")
	}
	if appToken != "" && !strings.HasPrefix(appToken, "xapp-") {
		return nil, usagef("SLACK_APP_TOKEN must be an app-level token, starting with xapp- " +
			"(Slack app settings → Basic Information → App-Level Tokens, scope connections:write)")
	}
	if appToken == "" && signing == "" {
		return nil, usagef("SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) " +
			"nor SLACK_SIGNING_SECRET (HTTP endpoints) is; set one or both")
	}
	apiURL := strings.TrimSpace(getenv("SLACK_API_URL"))
	if apiURL == "" {
		apiURL = slackbot.DefaultAPIURL
	}
	if u, err := url.Parse(apiURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, usagef("SLACK_API_URL %q: want an absolute http(s) URL such as %s", apiURL, slackbot.DefaultAPIURL)
	}
	a, err := slackbot.New(ctx, slackbot.Config{
		BotToken:      secret.String(botToken),
		AppToken:      secret.String(appToken),
		SigningSecret: secret.String(signing),
		APIURL:        apiURL,
		HTTPClient:    apiHTTPClient(15 * time.Second),
		Responder:     d.responder,
		Store:         d.store,
		Metrics:       d.metrics,
		Logger:        logger.With("component", "slack"),
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}
