package main

import (
	"context"
	"io"

	"github.com/beianbot/beianbot/bot"
)

// newChecker returns the domain checker the bot uses.
func newChecker(_ func(string) string, _ deps) (bot.Checker, error) { return nil, nil }

// cmdCheck is "beianbot check [--json] INPUT".
func cmdCheck(_ context.Context, _ []string, _ func(string) string, _, _ io.Writer) error {
	return usagef("check is not available yet")
}
