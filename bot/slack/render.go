package slack

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/beianbot/beianbot/bot"
)

// Slack Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks).
const (
	// maxSectionText is the longest text of a section block, in characters.
	maxSectionText = 3000
	// maxBlocks is the most blocks one message may carry.
	maxBlocks = 50
	// maxButtons is the most elements of one actions block.
	maxButtons = 25
	// maxButtonText is the longest button label, in characters.
	maxButtonText = 75
	// maxFallback bounds the notification text sent next to the blocks.
	maxFallback = 300
	// maxMessageText bounds the text of all blocks of one message: Slack
	// refuses more than about 12,000 characters (msg_blocks_too_long).
	maxMessageText = 12_000
	// maxParts bounds the messages one reply is split into; the rest is
	// cut, marked with "…".
	maxParts = 4
)

// suggestBlockID names the actions block holding suggestion buttons; its
// buttons' action ids start with suggestActionPrefix.
const (
	suggestBlockID      = "beianbot_suggest"
	suggestActionPrefix = "suggest_"
)

// zwsp separates Slack emphasis markers from adjacent letters: Slack only
// renders *bold* when the asterisks sit at a word boundary, which Chinese text
// never has.
const zwsp = "\u200b"

// rendered is a reply as Slack shows it: Block Kit blocks and the plain
// notification text that goes with them.
type rendered struct {
	Blocks []slack.Block
	Text   string
}

// render turns a reply into Block Kit messages: its Markdown text as
// mrkdwn sections (split to respect the section limit), as many messages
// as the per-message limits need (at most maxParts), and its suggestions
// as buttons under the last one.
func render(rep bot.Reply) []rendered {
	chunks := splitMrkdwn(toMrkdwn(rep.Text), maxSectionText)
	buttons, buttonsWidth := buttonBlock(rep.Buttons)
	budget := maxMessageText - buttonsWidth
	room := maxBlocks
	if buttons != nil {
		room--
	}
	var parts [][]string
	var cur []string
	curW := 0
	for _, c := range chunks {
		w := width(c)
		if len(cur) > 0 && (curW+w > budget || len(cur) == room) {
			parts = append(parts, cur)
			cur, curW = nil, 0
		}
		cur = append(cur, c)
		curW += w
	}
	if len(cur) > 0 {
		parts = append(parts, cur)
	}
	if len(parts) > maxParts {
		rest := firstLink(parts[maxParts:])
		parts = parts[:maxParts]
		last := parts[maxParts-1]
		if rest != "" {
			rest = "\n\n→ " + rest
		}
		last[len(last)-1] = cutToWidth(last[len(last)-1], maxSectionText-1-width(rest)) + "…" + rest
	}
	if len(parts) == 0 && buttons != nil {
		parts = [][]string{nil}
	}
	out := make([]rendered, len(parts))
	for i, p := range parts {
		for _, c := range p {
			out[i].Blocks = append(out[i].Blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, c, false, false), nil, nil))
		}
		if len(p) > 0 {
			first, _, _ := strings.Cut(p[0], "\n\n")
			out[i].Text = cutToWidth(first, maxFallback)
		}
	}
	if buttons != nil {
		last := &out[len(out)-1]
		last.Blocks = append(last.Blocks, buttons)
	}
	if m := handoffMentions(rep.Handoff); m != "" && len(out) > 0 {
		mention := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, m, false, false), nil, nil)
		out[0].Blocks = append([]slack.Block{mention}, out[0].Blocks...)
	}
	return out
}

// handoffMentions is the mrkdwn that brings in the people of a hand-off:
// user groups (S…) as <!subteam^…>, users (U…, W…) as <@…>. Ids are
// checked when BEIANBOT_HANDOFF is read; anything else is left out.
func handoffMentions(h *bot.Handoff) string {
	if h == nil {
		return ""
	}
	var parts []string
	for _, id := range h.Mentions {
		if id == "" || strings.ContainsFunc(id, func(r rune) bool { return ('A' > r || r > 'Z') && ('0' > r || r > '9') }) {
			continue
		}
		switch id[0] {
		case 'S':
			parts = append(parts, "<!subteam^"+id+">")
		case 'U', 'W':
			parts = append(parts, "<@"+id+">")
		}
	}
	return strings.Join(parts, " ")
}

// maxRestLink bounds the link to the rest of a cut answer.
const maxRestLink = 500

// firstLink returns the first link (<https://…|label>) in the cut part of
// an answer, to point at where the rest can be read; "" when there is none.
func firstLink(parts [][]string) string {
	for _, p := range parts {
		for _, c := range p {
			for i := strings.Index(c, "<http"); i >= 0; {
				end := strings.IndexByte(c[i:], '>')
				if end < 0 {
					break
				}
				if link := c[i : i+end+1]; width(link) <= maxRestLink {
					return link
				}
				next := strings.Index(c[i+end:], "<http")
				if next < 0 {
					break
				}
				i += end + next
			}
		}
	}
	return ""
}

// buttonBlock renders suggestions as one actions block (nil for none) and
// returns the width of its labels, which count towards the message's text.
// Further kinds of buttons (feedback, hand-off) go in blocks of their own
// next to it.
func buttonBlock(buttons []bot.Button) (slack.Block, int) {
	if len(buttons) == 0 {
		return nil, 0
	}
	var elems []slack.BlockElement
	total := 0
	for i, b := range buttons {
		if i == maxButtons {
			break
		}
		label := strings.TrimSpace(b.Label)
		if width(label) > maxButtonText {
			label = cutRunes(label, maxButtonText-1) + "…"
		}
		if label == "" {
			label = "…"
		}
		total += width(label)
		action := b.Action // feedback and hand-off buttons have fixed action_ids
		if action == "" {
			action = suggestActionPrefix + strconv.Itoa(i)
		}
		elems = append(elems, slack.NewButtonBlockElement(
			action, b.Value,
			slack.NewTextBlockObject(slack.PlainTextType, label, true, false)))
	}
	return slack.NewActionBlock(suggestBlockID, elems...), total
}

// toMrkdwn converts the reply Markdown subset (paragraphs, "- " list items,
// **bold**, `code`, [text](url)) to Slack mrkdwn, escaping &, < and > in all
// text so nothing a user wrote can form a mention or a link.
func toMrkdwn(md string) string {
	md = strings.ToValidUTF8(strings.ReplaceAll(md, "\r\n", "\n"), "\uFFFD")
	lines := strings.Split(md, "\n")
	var b strings.Builder
	blank := false
	for _, line := range lines {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if line == "" {
			blank = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			if blank {
				b.WriteString("\n\n")
			} else {
				b.WriteString("\n")
			}
		}
		blank = false
		if rest, ok := strings.CutPrefix(line, "- "); ok {
			b.WriteString("• ")
			line = rest
		}
		inline(&b, line)
	}
	return b.String()
}

// inline writes one line's inline markup as mrkdwn.
func inline(b *strings.Builder, s string) {
	for i := 0; i < len(s); {
		switch {
		case s[i] == '`':
			if j := strings.IndexByte(s[i+1:], '`'); j > 0 {
				b.WriteByte('`')
				escapeTo(b, s[i+1:i+1+j])
				b.WriteByte('`')
				i += j + 2
				continue
			}
		case strings.HasPrefix(s[i:], "**"):
			if j := strings.Index(s[i+2:], "**"); j > 0 {
				inner := s[i+2 : i+2+j]
				var sub strings.Builder
				inline(&sub, inner)
				if t := strings.TrimSpace(sub.String()); t != "" {
					if needsBoundary(lastRune(b.String())) {
						b.WriteString(zwsp)
					}
					b.WriteString("*" + t + "*")
					i += j + 4
					if i < len(s) {
						if r, _ := utf8.DecodeRuneInString(s[i:]); needsBoundary(r) {
							b.WriteString(zwsp)
						}
					}
					continue
				}
			}
		case s[i] == '[':
			if text, link, n, ok := parseLink(s[i:]); ok {
				if u, ok := safeURL(link); ok {
					b.WriteString("<" + u + "|")
					escapeTo(b, strings.ReplaceAll(text, "**", ""))
					b.WriteString(">")
				} else {
					escapeTo(b, text)
				}
				i += n
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		escapeTo(b, string(r))
		i += size
	}
}

// needsBoundary reports whether r, next to an emphasis marker, would stop
// Slack from rendering it.
func needsBoundary(r rune) bool {
	return r != utf8.RuneError && !unicode.IsSpace(r) && !unicode.IsPunct(r) && r != zwspRune
}

const zwspRune = '\u200b'

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// parseLink parses "[text](url)" at the start of s, returning the number of
// bytes it spans. Parentheses inside the URL must balance.
func parseLink(s string) (text, link string, n int, ok bool) {
	close := strings.Index(s, "](")
	if close < 1 || strings.ContainsAny(s[1:close], "[]\n") {
		return "", "", 0, false
	}
	depth := 0
	for j := close + 2; j < len(s); j++ {
		switch s[j] {
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return s[1:close], s[close+2 : j], j + 1, j > close+2
			}
			depth--
		case ' ', '\n':
			return "", "", 0, false
		}
	}
	return "", "", 0, false
}

// safeURL returns the link as it may appear inside <…|…>, and false when it
// is not an absolute http, https or mailto URL.
func safeURL(link string) (string, bool) {
	u, err := url.Parse(link)
	if err != nil {
		return "", false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" {
			return "", false
		}
	case "mailto":
		if u.Opaque == "" {
			return "", false
		}
	default:
		return "", false
	}
	var b strings.Builder
	for _, r := range link {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("%3C")
		case '>':
			b.WriteString("%3E")
		case '|':
			b.WriteString("%7C")
		case ' ':
			b.WriteString("%20")
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), true
}

// escapeTo writes s with Slack's three control characters escaped.
func escapeTo(b *strings.Builder, s string) {
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteRune(r)
		}
	}
}

// escape returns s with &, < and > escaped.
func escape(s string) string {
	var b strings.Builder
	escapeTo(&b, s)
	return b.String()
}

// width is the length of s as Slack counts it (UTF-16 code units, which is
// never less than the number of characters).
func width(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

// cutRunes returns the longest prefix of s at most limit wide.
func cutRunes(s string, limit int) string {
	n := 0
	for i, r := range s {
		n += max(utf16.RuneLen(r), 1)
		if n > limit {
			return s[:i]
		}
	}
	return s
}

// splitMrkdwn splits mrkdwn into chunks of at most limit width, preferring
// paragraph breaks, then line breaks, then spaces, and never cutting inside
// a <link> or an &entity;.
func splitMrkdwn(s string, limit int) []string {
	if s == "" {
		return nil
	}
	var chunks []string
	var cur strings.Builder
	curW := 0
	add := func(piece, sep string) bool {
		w := width(piece)
		if curW > 0 && curW+width(sep)+w > limit {
			return false
		}
		if curW > 0 {
			cur.WriteString(sep)
			curW += width(sep)
		}
		cur.WriteString(piece)
		curW += w
		return true
	}
	flush := func() {
		if t := strings.TrimSpace(cur.String()); t != "" {
			chunks = append(chunks, t)
		}
		cur.Reset()
		curW = 0
	}
	for _, para := range strings.Split(s, "\n\n") {
		if width(para) <= limit {
			if !add(para, "\n\n") {
				flush()
				add(para, "")
			}
			continue
		}
		flush()
		for _, line := range strings.Split(para, "\n") {
			for _, piece := range hardSplit(line, limit) {
				if !add(piece, "\n") {
					flush()
					add(piece, "")
				}
			}
		}
		flush()
	}
	flush()
	return chunks
}

// hardSplit cuts one line into pieces at most limit wide.
func hardSplit(line string, limit int) []string {
	var out []string
	for width(line) > limit {
		cut := safeCut(line, limit)
		head := strings.TrimRightFunc(line[:cut], unicode.IsSpace)
		if head != "" {
			out = append(out, head)
		}
		line = strings.TrimLeftFunc(line[cut:], unicode.IsSpace)
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// safeCut returns a byte offset in (0, len(s)) at which s can be cut so the
// head is at most limit wide: after the last space outside a <link> or
// &entity; if there is one in the second half, else at the last rune
// boundary outside them, else (a link longer than limit) wherever it fits.
func safeCut(s string, limit int) int {
	w, lastSpace, lastSafe := 0, 0, 0
	inLink, inEntity := false, false
	for i, r := range s {
		if !inLink && !inEntity && i > 0 {
			lastSafe = i
		}
		rw := max(utf16.RuneLen(r), 1)
		if w+rw > limit {
			break
		}
		w += rw
		switch {
		case r == '<':
			inLink = true
		case r == '>' && inLink:
			inLink = false
		case r == '&' && !inLink:
			inEntity = true
		case r == ';' && inEntity:
			inEntity = false
		case unicode.IsSpace(r) && !inLink && !inEntity:
			lastSpace = i + utf8.RuneLen(r)
		}
	}
	switch {
	case lastSpace > 0 && width(s[:lastSpace]) > limit/2:
		return lastSpace
	case lastSafe > 0:
		return lastSafe
	}
	if c := len(cutRunes(s, limit)); c > 0 {
		return c
	}
	_, size := utf8.DecodeRuneInString(s)
	return size
}

// cutToWidth shortens s to at most limit wide at a safe point.
func cutToWidth(s string, limit int) string {
	if width(s) <= limit {
		return s
	}
	return strings.TrimRightFunc(s[:safeCut(s, limit)], unicode.IsSpace)
}
