// Package console is the terminal chat: the embedded default that needs no
// account anywhere.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/beianbot/beianbot/bot"
)

// responder is what the console needs of the bot core.
type responder interface {
	Handle(ctx context.Context, msg bot.Message) bot.Reply
	Press(ctx context.Context, msg bot.Message, value string) bot.Reply
}

const banner = "beianbot — ICP filing (备案) FAQ. Ask a question, `check <domain>`, `help`, or `quit`.\n"

// Run chats on in and out until in ends, the user quits, or ctx is done.
func Run(ctx context.Context, r responder, in io.Reader, out io.Writer) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
		close(lines)
	}()
	w := bufio.NewWriter(out)
	fmt.Fprint(w, banner)
	var last []bot.Button
	msg := bot.Message{Platform: bot.PlatformConsole, ChatID: "console", UserID: "console", Direct: true, Addressed: true}
	for {
		fmt.Fprint(w, "> ")
		if err := w.Flush(); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			fmt.Fprintln(w)
			return w.Flush()
		case line, ok = <-lines:
		}
		if !ok {
			fmt.Fprintln(w)
			if err := <-readErr; err != nil {
				return fmt.Errorf("read: %w", err)
			}
			return w.Flush()
		}
		line = strings.TrimSpace(strings.ToValidUTF8(line, "\uFFFD"))
		switch strings.ToLower(line) {
		case "":
			continue
		case "quit", "exit", "q", "退出":
			return w.Flush()
		}
		var rep bot.Reply
		if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(last) {
			rep = r.Press(ctx, msg, last[n-1].Value)
		} else {
			msg.Text = line
			rep = r.Handle(ctx, msg)
		}
		last = show(ctx, w, rep)
	}
}

// show writes a reply (and its follow-up) and returns its buttons.
func show(ctx context.Context, w io.Writer, rep bot.Reply) []bot.Button {
	if rep.Silent() {
		return nil
	}
	fmt.Fprintln(w, Render(rep.Text))
	for i, b := range rep.Buttons {
		fmt.Fprintf(w, "  %d. %s\n", i+1, b.Label)
	}
	if len(rep.Buttons) > 0 {
		fmt.Fprintln(w, "(type a number to pick)")
	}
	if rep.FollowUp != nil {
		if f, ok := w.(interface{ Flush() error }); ok {
			f.Flush()
		}
		return show(ctx, w, rep.FollowUp(ctx))
	}
	return rep.Buttons
}

var (
	linkRe = regexp.MustCompile(`\[([^\]]*)\]\(([^)\s]+)\)`)
	boldRe = regexp.MustCompile(`\*\*([^*]+)\*\*`)
)

// Render turns the bot's Markdown subset into plain terminal text: links as
// "text (url)", bold and code marks dropped.
func Render(s string) string {
	s = linkRe.ReplaceAllStringFunc(s, func(m string) string {
		sm := linkRe.FindStringSubmatch(m)
		if sm[1] == "" || sm[1] == sm[2] {
			return sm[2]
		}
		return sm[1] + " (" + sm[2] + ")"
	})
	s = boldRe.ReplaceAllString(s, "$1")
	return strings.ReplaceAll(s, "`", "")
}
