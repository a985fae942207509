package telegram

import (
	"net/url"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxMessageLen is Telegram's limit on the text of one message, in UTF-16
// code units after entity parsing.
const maxMessageLen = 4096

// span is a run of text with one set of formats. text is raw (unescaped).
// A separator between lines or paragraphs is a span with brk set.
type span struct {
	text string
	bold bool
	code bool
	href string
	brk  int // brkNone, brkLine or brkPara
}

const (
	brkNone = iota
	brkLine
	brkPara
)

// chunk is one message's worth of a reply, in both renderings.
type chunk struct {
	html  string
	plain string
}

// renderChunks renders Markdown-subset text as HTML messages of at most
// limit characters each, split at paragraph boundaries where possible, with
// the plain-text rendering of each for when Telegram refuses the HTML.
func renderChunks(text string, limit int) []chunk {
	spans := parse(text)
	var out []chunk
	for _, part := range split(spans, limit) {
		h, p := renderHTML(part), renderPlain(part)
		if strings.TrimSpace(p) == "" {
			continue
		}
		out = append(out, chunk{html: h, plain: p})
	}
	return out
}

// parse turns the Markdown subset into spans: paragraphs are separated by
// blank lines, a line starting "- " is a list item, and inline there are
// **bold**, `code` and [text](url) with an absolute url.
func parse(text string) []span {
	text = strings.ReplaceAll(strings.ToValidUTF8(text, "\uFFFD"), "\r\n", "\n")
	var out []span
	var para []string
	flush := func() {
		if len(para) == 0 {
			return
		}
		if len(out) > 0 {
			out = append(out, span{text: "\n\n", brk: brkPara})
		}
		for i, line := range para {
			if i > 0 {
				out = append(out, span{text: "\n", brk: brkLine})
			}
			if rest, ok := strings.CutPrefix(line, "- "); ok {
				out = append(out, span{text: "• "})
				line = rest
			}
			out = append(out, parseInline(line, false)...)
		}
		para = para[:0]
	}
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimRight(line, " \t")
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		para = append(para, line)
	}
	flush()
	return out
}

// parseInline parses one line. Markup that is not closed stays literal
// text. Each search for a closing mark that fails means no later one can
// succeed either, so parsing stays linear.
func parseInline(s string, bold bool) []span {
	var out []span
	var lit strings.Builder
	noTick, noStars := false, bold
	emit := func(sp span) {
		if lit.Len() > 0 {
			out = append(out, span{text: lit.String(), bold: bold})
			lit.Reset()
		}
		if sp.text != "" {
			out = append(out, sp)
		}
	}
	for i := 0; i < len(s); {
		switch {
		case s[i] == '`' && !noTick:
			end := strings.IndexByte(s[i+1:], '`')
			if end > 0 {
				emit(span{text: s[i+1 : i+1+end], code: true})
				i += end + 2
				continue
			}
			noTick = end < 0
		case !noStars && strings.HasPrefix(s[i:], "**"):
			end := strings.Index(s[i+2:], "**")
			if end > 0 {
				emit(span{})
				out = append(out, parseInline(s[i+2:i+2+end], true)...)
				i += end + 4
				continue
			}
			noStars = end < 0
		case s[i] == '[':
			if label, href, n, ok := parseLink(s[i:]); ok {
				emit(span{text: label, bold: bold, href: href})
				i += n
				continue
			}
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		lit.WriteString(s[i : i+size])
		i += size
	}
	emit(span{})
	return out
}

// maxURLLen bounds a link's url; a longer one is left as text.
const maxURLLen = 2048

// parseLink parses "[label](url)" at the start of s and returns the number of
// bytes it takes. A url that is not absolute http(s), mailto or tg yields the
// label alone (href empty). The label may not contain brackets or a newline,
// and the url may not contain spaces; parentheses in it must balance.
func parseLink(s string) (label, href string, n int, ok bool) {
	closeLabel := strings.IndexAny(s[1:], "[]\n") + 1
	if closeLabel <= 1 || s[closeLabel] != ']' || !strings.HasPrefix(s[closeLabel:], "](") {
		return "", "", 0, false
	}
	depth := 0
	start := closeLabel + 2
	for j := start; j < len(s) && j-start <= maxURLLen; j++ {
		switch s[j] {
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
				continue
			}
			raw := s[start:j]
			label = s[1:closeLabel]
			if absoluteURL(raw) {
				href = raw
			}
			return label, href, j + 1, raw != ""
		case ' ', '\t', '\n':
			return "", "", 0, false
		}
	}
	return "", "", 0, false
}

func absoluteURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.Host != ""
	case "mailto", "tg":
		return u.Opaque != "" || u.Host != ""
	}
	return false
}

// tags returns the HTML tags a span needs, outermost first. Telegram does
// not allow code inside other entities, so code stands alone.
func (s span) tags() []string {
	if s.code {
		return []string{"<code>"}
	}
	var t []string
	if s.bold {
		t = append(t, "<b>")
	}
	if s.href != "" {
		t = append(t, `<a href="`+escapeAttr(s.href)+`">`)
	}
	return t
}

func closeTag(open string) string {
	name, _, _ := strings.Cut(strings.Trim(open, "<>"), " ")
	return "</" + name + ">"
}

// renderHTML renders spans in Telegram's HTML parse mode, opening and
// closing tags only where the formatting changes, so tags always nest.
func renderHTML(spans []span) string {
	var b strings.Builder
	var open []string
	for _, s := range spans {
		want := s.tags()
		if s.brk != brkNone {
			want = nil
		}
		same := 0
		for same < len(open) && same < len(want) && open[same] == want[same] {
			same++
		}
		for i := len(open) - 1; i >= same; i-- {
			b.WriteString(closeTag(open[i]))
		}
		for _, t := range want[same:] {
			b.WriteString(t)
		}
		open = want
		b.WriteString(escapeText(s.text))
	}
	for i := len(open) - 1; i >= 0; i-- {
		b.WriteString(closeTag(open[i]))
	}
	return b.String()
}

// renderPlain renders spans as plain text: links become "label (url)".
func renderPlain(spans []span) string {
	var b strings.Builder
	for i, s := range spans {
		b.WriteString(s.text)
		if s.href != "" && (i+1 == len(spans) || spans[i+1].href != s.href) && s.text != s.href {
			b.WriteString(" (" + s.href + ")")
		}
	}
	return b.String()
}

// escapeText escapes the three characters Telegram's HTML mode requires.
func escapeText(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}

func escapeAttr(s string) string {
	return strings.ReplaceAll(escapeText(s), `"`, "&quot;")
}

// cost is a span's length as Telegram counts it, in the longer of the two
// renderings (plain text adds " (url)" after a link).
func (s span) cost() int {
	n := utf16Len(s.text)
	if s.href != "" {
		n += utf16Len(s.href) + 3
	}
	return n
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func costOf(spans []span) int {
	n := 0
	for _, s := range spans {
		n += s.cost()
	}
	return n
}

// split cuts spans into messages of at most limit: whole paragraphs when
// they fit, else whole lines, else whole spans, else pieces of a span's text.
func split(spans []span, limit int) [][]span {
	paras := cutAt(spans, brkPara)
	return pack(paras, span{text: "\n\n", brk: brkPara}, limit, func(p []span) [][]span {
		lines := cutAt(p, brkLine)
		return pack(lines, span{text: "\n", brk: brkLine}, limit, func(l []span) [][]span {
			return packSpans(l, limit)
		})
	})
}

// cutAt splits spans at separators of level brk, dropping the separators.
func cutAt(spans []span, brk int) [][]span {
	var out [][]span
	start := 0
	for i, s := range spans {
		if s.brk == brk {
			out = append(out, spans[start:i])
			start = i + 1
		}
	}
	return append(out, spans[start:])
}

// pack joins items with sep into groups of at most limit; an item larger
// than limit is broken down further.
func pack(items [][]span, sep span, limit int, breakDown func([]span) [][]span) [][]span {
	var out [][]span
	var cur []span
	used := 0
	flush := func() {
		if len(cur) > 0 {
			out = append(out, cur)
			cur, used = nil, 0
		}
	}
	for _, it := range items {
		if len(it) == 0 {
			continue
		}
		c := costOf(it)
		switch {
		case c > limit:
			flush()
			out = append(out, breakDown(it)...)
		case len(cur) == 0:
			cur, used = append([]span(nil), it...), c
		case used+sep.cost()+c <= limit:
			cur, used = append(append(cur, sep), it...), used+sep.cost()+c
		default:
			flush()
			cur, used = append([]span(nil), it...), c
		}
	}
	flush()
	return out
}

// packSpans packs the spans of one line, cutting a span's text when even
// it alone is too long. A link whose url would take most of a message is
// turned into text so that it can be cut too.
func packSpans(line []span, limit int) [][]span {
	var out [][]span
	var cur []span
	used := 0
	for _, s := range line {
		if s.href != "" && s.cost()-utf16Len(s.text) > limit/2 {
			s.text, s.href = s.text+" ("+s.href+")", ""
		}
		over := s.cost() - utf16Len(s.text)
		left := utf16Len(s.text)
		for s.text != "" {
			if used+over+left <= limit {
				cur = append(cur, s)
				used += over + left
				break
			}
			head, tail := cutText(s.text, limit-used-over)
			if head == "" && len(cur) == 0 { // not even one character fits: take it anyway
				_, size := utf8.DecodeRuneInString(s.text)
				head, tail = s.text[:size], s.text[size:]
			}
			if head != "" {
				part := s
				part.text = head
				cur = append(cur, part)
				left -= utf16Len(head)
			}
			out, cur, used = append(out, cur), nil, 0
			s.text = tail
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// cutText returns the longest prefix of s of at most n UTF-16 units, ending
// after a space when there is one in its second half, and the rest.
func cutText(s string, n int) (head, tail string) {
	used, end, space := 0, 0, -1
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		w := utf16.RuneLen(r)
		if w < 0 {
			w = 1
		}
		if used+w > n {
			break
		}
		used += w
		end += size
		if r == ' ' {
			space = end
		}
	}
	if end < len(s) && space > end/2 {
		end = space
	}
	return s[:end], s[end:]
}
