package main

import (
	"context"
	"time"

	slackbot "github.com/beianbot/beianbot/bot/slack"
)

// newSlack returns the Slack adapter for c, which loadConfig validated: with
// an app token it uses Socket Mode; with a signing secret it serves the
// HTTP endpoints; with both, both.
func newSlack(ctx context.Context, c slackConfig, d deps) (adapter, error) {
	a, err := slackbot.New(ctx, slackbot.Config{
		BotToken:        c.BotToken,
		AppToken:        c.AppToken,
		SigningSecret:   c.SigningSecret,
		APIURL:          c.APIURL,
		HTTPClient:      apiHTTPClient(15 * time.Second),
		Responder:       d.responder,
		Store:           d.store,
		Metrics:         d.metrics,
		Logger:          d.log("slack"),
		WorkTimeout:     workBudget,
		FollowUpTimeout: followUpBudget,
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}
