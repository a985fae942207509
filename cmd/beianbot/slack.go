package main

import "context"

// newSlack returns the Slack adapter, or nil when Slack is not configured.
func newSlack(_ context.Context, _ func(string) string, _ deps) (adapter, error) { return nil, nil }
