package telegram

import (
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
// commands meant for another bot, and group messages without text.
func translate(m *tgbotapi.Message, me identity) (in incoming, ok bool) {
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
	text, addressed, ignore := address(text, ents, me, private)
	if ignore {
		return incoming{}, false
	}
	if r := m.ReplyToMessage; r != nil && r.From != nil && r.From.ID == me.id {
		addressed = true
	}
	return incoming{
		msg: bot.Message{
			Platform:  bot.PlatformTelegram,
			ChatID:    strconv.FormatInt(m.Chat.ID, 10),
			UserID:    strconv.FormatInt(m.From.ID, 10),
			Text:      text,
			Direct:    private,
			Addressed: addressed || private,
		},
		chatID:  m.Chat.ID,
		group:   !private,
		replyTo: m.MessageID,
	}, true
}

// address finds what in text speaks to the bot: a leading command (bare,
// or "/cmd@thisbot"), "@thisbot" mentions and text mentions of the bot.
// It removes "@thisbot" from the text. ignore is true for a command meant
// for another bot, and, in groups, for a bare command the bot does not know.
// Entity offsets are in UTF-16 code units; bad ones are skipped.
func address(text string, ents []tgbotapi.MessageEntity, me identity, private bool) (out string, addressed, ignore bool) {
	u := utf16.Encode([]rune(text))
	var cuts [][2]int
	for _, e := range ents {
		if e.Offset < 0 || e.Length <= 0 || e.Offset > len(u)-e.Length {
			continue
		}
		start, end := e.Offset, e.Offset+e.Length
		s := string(utf16.Decode(u[start:end]))
		switch e.Type {
		case "bot_command":
			if start != 0 {
				continue
			}
			name, at, hasAt := strings.Cut(strings.TrimPrefix(s, "/"), "@")
			switch {
			case hasAt && !strings.EqualFold(at, me.username):
				return "", false, true
			case hasAt:
				cuts = append(cuts, [2]int{end - len(utf16.Encode([]rune(at))) - 1, end})
				addressed = true
			case knownCommand(name):
				addressed = true
			case !private:
				return "", false, true
			}
		case "mention":
			if me.username != "" && strings.EqualFold(s, "@"+me.username) {
				cuts = append(cuts, widen(u, start, end))
				addressed = true
			}
		case "text_mention":
			if e.User != nil && e.User.ID == me.id {
				cuts = append(cuts, widen(u, start, end))
				addressed = true
			}
		}
	}
	return strings.TrimSpace(string(utf16.Decode(remove(u, cuts)))), addressed, false
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

// remove drops the given ranges from u; overlapping ranges are fine.
func remove(u []uint16, cuts [][2]int) []uint16 {
	if len(cuts) == 0 {
		return u
	}
	drop := make([]bool, len(u))
	for _, c := range cuts {
		for i := c[0]; i < c[1]; i++ {
			drop[i] = true
		}
	}
	out := make([]uint16, 0, len(u))
	for i, v := range u {
		if !drop[i] {
			out = append(out, v)
		}
	}
	return out
}
