package main

import (
	"context"
	"io"
)

// cmdAsk is "beianbot ask [--json] [QUERY...]".
func cmdAsk(_ context.Context, _ []string, _ func(string) string, _ io.Reader, _, _ io.Writer) error {
	return nil
}

// cmdFAQ is "beianbot faq list|lint".
func cmdFAQ(_ []string, _ func(string) string, _ io.Writer) error { return nil }
