// Package console is the terminal chat: the embedded default that needs no
// account anywhere.
package console

import (
	"context"
	"io"

	"github.com/beianbot/beianbot/bot"
)

// Run chats on in and out until in ends or ctx is done.
func Run(ctx context.Context, r *bot.Responder, in io.Reader, out io.Writer) error { return nil }
