package telegram

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/beianbot/beianbot/bot"
)

// knownCommand reports whether the bot answers the command without
// "@botname" in a group; any other bare command there is another bot's.
func knownCommand(name string) bool {
	switch strings.ToLower(name) {
	case "start", "help", "beian", "check":
		return true
	}
	return false
}

// identity is who the bot is, for recognising what addresses it.
type identity struct {
	id       int64
	username string
}

// incoming is a message the bot should consider, with where to answer.
type incoming struct {
	msg     bot.Message
	chatID  int64
	group   bool
	replyTo int
}

// translate turns a Telegram message into a bot.Message. ok is false for
// what the bot must not consider at all: messages from bots, channels,
// commands meant for another bot, and group messages without text, and
// anything once ctx has ended.
func translate(ctx context.Context, m *tgbotapi.Message, me identity) (in incoming, ok bool) {
	if m == nil || m.From == nil || m.From.IsBot || m.Chat == nil {
		return incoming{}, false
	}
	private := m.Chat.Type == "private"
	if !private && m.Chat.Type != "group" && m.Chat.Type != "supergroup" {
		return incoming{}, false
	}
	text, ents := m.Text, m.Entities
	if text == "" {
		text, ents = m.Caption, m.CaptionEntities
	}
	if text == "" && !private {
		return incoming{}, false
	}
	a, ignore := address(ctx, text, ents, me, private)
	if ignore {
		return incoming{}, false
	}
	addressed := a.addressed
	if r := m.ReplyToMessage; r != nil && r.From != nil && r.From.ID == me.id {
		addressed = true
	}
	msg := bot.Message{
		Platform:  bot.PlatformTelegram,
		ChatID:    strconv.FormatInt(m.Chat.ID, 10),
		UserID:    strconv.FormatInt(m.From.ID, 10),
		Text:      a.text,
		Command:   a.command,
		Direct:    private,
		Addressed: addressed || private,
	}
	if a.command != "" {
		msg.Text, msg.Args = a.args, a.args
	}
	return incoming{msg: msg, chatID: m.Chat.ID, group: !private, replyTo: m.MessageID}, true
}

// addressing is what address found in a message.
type addressing struct {
	// text is the message without mentions.
	text string
	// command is a leading command the bot answers ("check"), without
	// "/" and "@bot"; args the text after it.
	command, args string
	addressed     bool
}

// address finds what in text speaks to the bot: a leading command (bare,
// or "/cmd@thisbot"), "@thisbot" mentions and text mentions of the bot.
// It removes every @username mention from the text (chat syntax the FAQ
// matcher should not see) and splits off a leading command the bot
// knows. ignore is true for a command meant for another bot, and, in
// groups, for a bare command the bot does not know. Entity offsets are in
// UTF-16 code units; bad ones are skipped. Its cost is linear in the text
// and the number of entities.
func address(ctx context.Context, text string, ents []tgbotapi.MessageEntity, me identity, private bool) (out addressing, ignore bool) {
	u := utf16.Encode([]rune(text))
	botMention := utf16.Encode([]rune("@" + me.username))
	var cuts [][2]int
	cmdEnd := 0
	for i, e := range ents {
		if i%64 == 63 && ctx.Err() != nil {
			return addressing{}, true
		}
		if e.Offset < 0 || e.Length <= 0 || e.Offset > len(u)-e.Length {
			continue
		}
		start, end := e.Offset, e.Offset+e.Length
		switch e.Type {
		case "bot_command":
			if start != 0 || e.Length > 64 {
				continue
			}
			s := string(utf16.Decode(u[start:end]))
			name, at, hasAt := strings.Cut(strings.TrimPrefix(s, "/"), "@")
			switch {
			case hasAt && !strings.EqualFold(at, me.username):
				return addressing{}, true
			case hasAt || knownCommand(name):
				out.addressed = true
			case !private:
				return addressing{}, true
			}
			if knownCommand(name) {
				out.command, cmdEnd = strings.ToLower(name), end
			} else if hasAt {
				cuts = append(cuts, [2]int{end - len(utf16.Encode([]rune(at))) - 1, end})
			}
		case "mention":
			if me.username != "" && e.Length == len(botMention) && strings.EqualFold(string(utf16.Decode(u[start:end])), "@"+me.username) {
				out.addressed = true
			}
			cuts = append(cuts, widen(u, start, end))
		case "text_mention":
			if e.User != nil && e.User.ID == me.id {
				cuts = append(cuts, widen(u, start, end))
				out.addressed = true
			}
		}
	}
	if out.command != "" {
		cuts = append(cuts, [2]int{0, cmdEnd})
		out.args = strings.TrimSpace(string(utf16.Decode(remove(u, cuts))))
		out.text = out.args
		return out, false
	}
	out.text = strings.TrimSpace(string(utf16.Decode(remove(u, cuts))))
	return out, false
}

// widen extends a mention's range over one neighbouring space, so that
// removing it leaves no double space.
func widen(u []uint16, start, end int) [2]int {
	switch {
	case end < len(u) && u[end] == ' ':
		end++
	case start > 0 && u[start-1] == ' ':
		start--
	}
	return [2]int{start, end}
}

// remove drops the given ranges from u; overlapping ranges are fine. It
// costs the length of u plus the number of ranges times their log.
func remove(u []uint16, cuts [][2]int) []uint16 {
	if len(cuts) == 0 {
		return u
	}
	slices.SortFunc(cuts, func(a, b [2]int) int { return a[0] - b[0] })
	out := make([]uint16, 0, len(u))
	pos := 0
	for _, c := range cuts {
		if c[0] > pos {
			out = append(out, u[pos:c[0]]...)
		}
		pos = max(pos, c[1])
	}
	if pos < len(u) {
		out = append(out, u[pos:]...)
	}
	return out
}
