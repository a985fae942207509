package slack

import (
	"strings"
)

// plainText turns the text of an incoming Slack message into what the user
// typed, without chat syntax: every mention (<@U123>, <!here>,
// <!subteam^S1|@ops>) and channel reference (<#C123|name>) is removed, a
// link shows its label or address, a date its text, and &amp; &lt; &gt;
// are unescaped. mentioned reports whether the bot (botUserID) was
// mentioned.
func plainText(s, botUserID string) (text string, mentioned bool) {
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '<')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '>')
		if end < 0 {
			break
		}
		b.WriteString(s[:open])
		inner := s[open+1 : open+end]
		s = s[open+end+1:]
		ref, label, hasLabel := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(ref, "@"):
			if botUserID != "" && ref[1:] == botUserID {
				mentioned = true
			}
			b.WriteByte(' ') // what was on either side stays apart
		case strings.HasPrefix(ref, "#"):
			b.WriteByte(' ')
		case strings.HasPrefix(ref, "!"):
			// <!date^…|text> shows text the user wrote; the rest
			// (<!here>, <!channel>, <!subteam^…>) are mentions.
			if strings.HasPrefix(ref, "!date^") && hasLabel {
				b.WriteString(label)
			} else {
				b.WriteByte(' ')
			}
		default: // a link: "mailto:a@b.c|a@b.c", "http://example.com|example.com"
			if hasLabel && label != "" {
				b.WriteString(label)
			} else {
				b.WriteString(strings.TrimPrefix(ref, "mailto:"))
			}
		}
	}
	b.WriteString(s)
	text = b.String()
	if strings.Contains(text, "&") {
		// &amp; last, so "&amp;lt;" becomes "&lt;", as typed.
		text = strings.ReplaceAll(strings.ReplaceAll(text, "&lt;", "<"), "&gt;", ">")
		text = strings.ReplaceAll(text, "&amp;", "&")
	}
	return strings.Join(strings.Fields(text), " "), mentioned
}

// mentions reports whether Slack-formatted text mentions userID.
func mentions(s, userID string) bool {
	if userID == "" {
		return false
	}
	return strings.Contains(s, "<@"+userID+">") || strings.Contains(s, "<@"+userID+"|")
}
