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
	var last, votes []bot.Button // the numbered list, and the 👍/👎 of the last answer
	lang := ""                   // of the last reply
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
		if n, err := strconv.Atoi(line); err == nil && (n < 1 || n > len(last)) {
			// A number is a pick, never a question: say it is not one.
			fmt.Fprintln(w, notOnList(n, len(last), lang))
			continue
		}
		var rep bot.Reply
		picked := false
		if v, ok := vote(line, votes); ok {
			rep = r.Press(ctx, msg, v)
		} else if n, err := strconv.Atoi(line); err == nil {
			rep, picked = r.Press(ctx, msg, last[n-1].Value), true
		} else {
			msg.Text = line
			rep = r.Handle(ctx, msg)
		}
		if rep.Outcome == bot.OutcomeHelp {
			rep.Text += "\n\n" + terminalHelp(rep.Lang)
		}
		if !rep.Silent() && rep.Lang != "" {
			lang = rep.Lang
		}
		// After a pick the list stays, so another can be picked from it.
		buttons, rated := show(ctx, w, rep)
		if !picked || len(buttons) > 0 {
			last = buttons
		}
		if !rep.Silent() {
			votes = rated
		}
	}
}

// notOnList says that n is not a number on the list of size suggestions.
func notOnList(n, size int, lang string) string {
	var zh, en string
	switch size {
	case 0:
		zh, en = "现在没有可选的列表，请直接提问。", "There is no list to pick from now; ask a question."
	case 1:
		zh = fmt.Sprintf("列表中没有 %d：只有 1。", n)
		en = fmt.Sprintf("%d is not on the list: there is only 1.", n)
	default:
		zh = fmt.Sprintf("列表中没有 %d：请输入 1 到 %d。", n, size)
		en = fmt.Sprintf("%d is not on the list: type 1 to %d.", n, size)
	}
	return inLang(lang, zh, en)
}

// terminalHelp is what the help text needs to add in the terminal.
func terminalHelp(lang string) string {
	return inLang(lang,
		"在终端里：输入建议列表中的数字选择问题，输入 `quit` 退出（Ctrl-D 也可以）。",
		"In the terminal: type a number from a list of suggestions to pick it, and `quit` to leave (Ctrl-D works too).")
}

// inLang returns zh, en, or both when lang is neither.
func inLang(lang, zh, en string) string {
	switch lang {
	case "zh":
		return zh
	case "en":
		return en
	}
	return zh + "\n" + en
}

// show writes a reply (and its follow-up) and returns its buttons: the
// numbered ones, and the 👍/👎 typed as + and -.
func show(ctx context.Context, w io.Writer, rep bot.Reply) (picks, votes []bot.Button) {
	if rep.Silent() {
		return nil, nil
	}
	fmt.Fprintln(w, Render(rep.Text))
	for _, b := range rep.Buttons {
		if b.Action == bot.ActionFeedbackUp || b.Action == bot.ActionFeedbackDown {
			votes = append(votes, b)
		} else {
			picks = append(picks, b)
		}
	}
	for i, b := range picks {
		fmt.Fprintf(w, "  %d. %s\n", i+1, b.Label)
	}
	if len(picks) > 0 {
		fmt.Fprintln(w, "(type a number to pick)")
	}
	if len(votes) > 0 {
		var labels []string
		for _, b := range votes {
			key := "+"
			if b.Action == bot.ActionFeedbackDown {
				key = "-"
			}
			labels = append(labels, b.Label+" ("+key+")")
		}
		fmt.Fprintln(w, "  "+strings.Join(labels, "   "))
	}
	if rep.FollowUp != nil {
		if f, ok := w.(interface{ Flush() error }); ok {
			f.Flush()
		}
		return show(ctx, w, rep.FollowUp(ctx))
	}
	return picks, votes
}

// vote returns the value of the 👍 or 👎 button among buttons that line
// presses: "+", "good" or "👍"; "-", "bad" or "👎".
func vote(line string, buttons []bot.Button) (string, bool) {
	action := ""
	switch strings.ToLower(line) {
	case "+", "good", "👍", "好":
		action = bot.ActionFeedbackUp
	case "-", "bad", "👎", "差":
		action = bot.ActionFeedbackDown
	default:
		return "", false
	}
	for _, b := range buttons {
		if b.Action == action {
			return b.Value, true
		}
	}
	return "", false
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
