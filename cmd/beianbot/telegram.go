package main

import "context"

// newTelegram returns the Telegram adapter, or nil when Telegram is not configured.
func newTelegram(_ context.Context, _ func(string) string, _ deps) (adapter, error) { return nil, nil }
