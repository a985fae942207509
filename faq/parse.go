package faq

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"io"
	"net/url"
	"path"
	"regexp"
	"strings"
)

// Problem is one thing wrong with an FAQ file, at a line.
type Problem struct {
	File string
	Line int
	Msg  string
}

// String formats the problem as file:line: message.
func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg) }

// ProblemsError is returned when FAQ files fail validation; it lists every
// problem found.
type ProblemsError []Problem

// Error lists every problem, one per line.
func (e ProblemsError) Error() string {
	var b strings.Builder
	for i, p := range e {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

var (
	// headingRe matches "# Title {#id .class}" with the attribute block
	// optional; a block of classes alone ("{ .section}") is dropped too.
	headingRe = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*(?:\{\s*(?:#([A-Za-z0-9_\-]+))?(?:\s*\.[A-Za-z0-9_\-]+)*\s*\})?\s*$`)
	// commentRe matches an HTML comment on one line.
	commentRe = regexp.MustCompile(`<!--.*?-->`)
	// tocRe matches a table-of-contents line: a list item that is only a link to a section.
	tocRe = regexp.MustCompile(`^\s*[-*+]\s+\[[^\]]*\]\([^)]*#[A-Za-z0-9_\-]*\)\s*$`)
	// escapeRe matches a Markdown backslash escape.
	escapeRe = regexp.MustCompile(`\\([\\` + "`" + `*_{}\[\]()#+\-.!<>|~])`)
	// listRe matches a list item marker with its indentation.
	listRe = regexp.MustCompile(`^\s*(?:[-*+]|(\d+)[.)])\s+`)
	// tableSepRe matches a table's header separator row.
	tableSepRe = regexp.MustCompile(`^\s*\|?(\s*:?-+:?\s*\|)+\s*:?-*:?\s*$`)
)

// nonQuestion lists headings that are parts of an answer, not questions:
// their text joins the entry before them.
var nonQuestion = map[string]bool{
	"操作步骤": true, "相关文档": true, "相关链接": true, "相关操作": true, "前提条件": true,
	"背景信息": true, "注意事项": true, "说明": true, "后续步骤": true, "示例": true,
	"现象": true, "问题现象": true, "问题症状": true, "现象示例": true, "问题描述": true,
	"原因": true, "可能原因": true, "问题原因": true, "原因分析": true, "解决方案": true,
	"解决方法": true, "处理方法": true, "解决办法": true, "排查步骤": true, "排查处理": true,
	"排查方法": true, "影响范围": true, "下一步": true, "提交工单": true, "视频详解": true,
	"步骤": true, "概述": true, "背景": true, "适用范围": true, "参考": true, "处理办法": true,
	"procedure": true, "related documents": true, "related links": true, "prerequisites": true,
	"background": true, "background information": true, "notes": true, "note": true,
	"what to do next": true, "example": true, "examples": true, "symptom": true, "symptoms": true,
	"cause": true, "causes": true, "possible causes": true, "solution": true, "solutions": true,
	"troubleshoot": true, "troubleshooting": true, "reference": true, "references": true,
	"next steps": true, "open a ticket": true, "description": true, "problem description": true,
	"steps": true, "overview": true, "context": true, "impact": true,
}

// skipped lists non-question sections that are dropped entirely.
var skipped = map[string]bool{"相关文档": true, "相关链接": true, "related documents": true, "related links": true}

// rawEntry is an entry as parsed, before its answer is rendered.
type rawEntry struct {
	id, question, title string
	line                int
	body                []string
	pageLevel           bool
	// parts is the number of lines at the end of body that list the
	// questions of the page (a page entry's, see parseFile).
	parts          int
	asks, verdicts []string
	anchors        []string // of the sections joined to the answer
}

// A page's entries are skipped whole when the page is broken (an unclosed
// code block swallows every heading after it); a broken entry alone is
// skipped when only it is (an empty answer, a repeated id). Both are
// reported as problems, and the rest of the FAQ loads.

// parseFile reads one docs-format Markdown file. It returns the entries and
// the problems found; entries with problems are left out.
func parseFile(name string, r io.Reader, docsBase string) ([]*Entry, []Problem) {
	var (
		probs       []Problem
		raws        []*rawEntry
		page        *rawEntry // the H1, kept in case the page itself is the question
		cur         *rawEntry
		sawH2       bool
		inFence     bool
		fenceLine   int
		comment     []string // lines of an open <!-- comment
		commentLine int
		ids         = map[string]int{}
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	var lines []string
	for sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), "\r"))
	}
	if len(lines) > 0 {
		lines[0] = strings.TrimPrefix(lines[0], "\ufeff")
	}
	dropFrontMatter(lines)
	setextToATX(lines)
	bold := boldToATX(lines)
	lineNo := 0
	for _, line := range lines {
		lineNo++
		if comment != nil || !inFence && strings.Contains(line, "<!--") {
			if comment == nil {
				commentLine = lineNo
			}
			var done bool
			line, comment, done = takeComment(line, comment)
			if done {
				if cur != nil {
					asks, verdicts := directives(comment)
					cur.asks = append(cur.asks, asks...)
					cur.verdicts = append(cur.verdicts, verdicts...)
				}
				comment = nil
			}
			if strings.TrimSpace(line) == "" {
				continue
			}
		}
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			fenceLine = lineNo
		}
		m := headingRe.FindStringSubmatch(line)
		if m == nil || inFence {
			if cur != nil {
				cur.body = append(cur.body, line)
			}
			continue
		}
		level, text, id := len(m[1]), strings.TrimSpace(strings.Trim(unescape(m[2]), "*")), m[3]
		switch {
		case level == 1:
			if page != nil {
				probs = append(probs, Problem{name, lineNo, "second page heading (#); one page per file"})
				cur = nil
				continue
			}
			page = &rawEntry{id: id, question: text, title: text, line: lineNo, pageLevel: true}
			cur = page
		case level == 2 && isSectionHeading(text):
			// A step list or related links: part of the answer before it, or dropped.
			if skipped[strings.ToLower(text)] || cur == page && sawH2 {
				cur = nil
			}
			if cur != nil {
				if id == "" {
					// Named as an unanchored question would be, so that a
					// link to it finds the entry it is part of.
					id = derivedID(name, text)
				}
				cur.anchors = append(cur.anchors, id)
			}
		case level == 2:
			sawH2 = true
			if id == "" {
				id = derivedID(name, text)
				if bold[lineNo-1] {
					probs = append(probs, Problem{name, lineNo, fmt.Sprintf("question %q is bold text, not a ## heading with a {#section_id} anchor; its id is %s", text, id)})
				} else {
					probs = append(probs, Problem{name, lineNo, fmt.Sprintf("question %q has no {#section_id} anchor; its id is %s", text, id)})
				}
			}
			if prev, ok := ids[id]; ok {
				probs = append(probs, Problem{name, lineNo, fmt.Sprintf("duplicate id %s (first at line %d); this question is skipped", id, prev)})
				cur = nil
				continue
			}
			ids[id] = lineNo
			title := ""
			if page != nil {
				title = page.title
			}
			cur = &rawEntry{id: id, question: text, title: title, line: lineNo}
			raws = append(raws, cur)
		default:
			// Deeper headings are part of the answer: keep their text in bold.
			if cur != nil {
				cur.body = append(cur.body, "**"+text+"**")
			}
		}
	}
	if err := sc.Err(); err != nil {
		probs = append(probs, Problem{name, lineNo, fmt.Sprintf("read: %v; this page is skipped", err)})
		return nil, probs
	}
	if inFence {
		probs = append(probs, Problem{name, fenceLine, "unclosed ``` code block; this page is skipped"})
		return nil, probs
	}
	if comment != nil {
		probs = append(probs, Problem{name, commentLine, "unclosed <!-- comment; the rest of the page is hidden in it"})
	}
	if page == nil && len(raws) == 0 {
		probs = append(probs, Problem{name, 1, "no page heading (# Title {#id}) and no questions (## Question {#section_id})"})
	}
	// A page with no question sections is itself the question.
	if page != nil && !sawH2 {
		if page.id == "" {
			page.id = derivedID(name, page.title)
			probs = append(probs, Problem{name, page.line, fmt.Sprintf("page %q has no {#id} anchor; its id is %s", page.title, page.id)})
		}
		raws = append(raws, page)
	}
	// A page whose title asks a question and whose sections answer parts of
	// it ("如何找回工信部备案密码？": online, offline) is an entry too: its
	// introduction, and the questions it holds. (A page that only introduces
	// its subject, "公安备案", is not: such entries match everything a
	// little and answer nothing.)
	if page != nil && sawH2 && asksQuestion(page.title) {
		if page.id == "" {
			page.id = derivedID(name, page.title)
		}
		page.body = append(page.body, "")
		for _, re := range raws {
			page.body = append(page.body, "- "+strings.TrimSpace(re.question))
		}
		page.parts = len(raws) + 1
		raws = append([]*rawEntry{page}, raws...)
	}
	var out []*Entry
	for _, re := range raws {
		q := strings.TrimSpace(re.question)
		ans := renderAnswer(re.body, docsBase, langOf(q))
		switch {
		case q == "":
			probs = append(probs, Problem{name, re.line, "empty question; skipped"})
			continue
		case ans == "":
			probs = append(probs, Problem{name, re.line, fmt.Sprintf("question %q has an empty answer; skipped", q)})
			continue
		}
		e := &Entry{ID: re.id, Lang: langOf(q + ans), Question: q, Answer: ans, Title: re.title,
			File: name, Line: re.line, Phrasings: re.asks, Verdicts: re.verdicts, Sections: re.anchors}
		if re.parts > 0 {
			// The questions listed are answered by their own entries; as
			// evidence for the page's, they would make it match a little of
			// everything they ask.
			intro := renderAnswer(re.body[:len(re.body)-re.parts], docsBase, langOf(q))
			e.evidence = &intro
		}
		out = append(out, e)
	}
	return out, probs
}

// ruleRe matches a thematic break (---, ***, ___), which says nothing.
var ruleRe = regexp.MustCompile(`^(?:-\s*){3,}$|^(?:\*\s*){3,}$|^(?:_\s*){3,}$`)

// setextRe matches the underline of a setext heading: === for a page
// title, --- for a section.
var setextRe = regexp.MustCompile(`^\s{0,3}(=+|-+)\s*$`)

// setextToATX rewrites headings written as a line underlined with === or
// --- into the "# " form, in place, keeping line numbers. A --- under a
// blank line, a list item or a table row is a rule, not an underline.
func setextToATX(lines []string) {
	inFence := false
	for i := 0; i+1 < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if strings.HasPrefix(t, "```") {
			inFence = !inFence
			continue
		}
		if inFence || t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "|") || strings.HasPrefix(t, ">") || listRe.MatchString(lines[i]) {
			continue
		}
		m := setextRe.FindStringSubmatch(lines[i+1])
		if m == nil || len(m[1]) < 3 {
			continue
		}
		if m[1][0] == '=' {
			lines[i] = "# " + t
		} else {
			lines[i] = "## " + t
		}
		lines[i+1] = ""
		i++
	}
}

// dropFrontMatter blanks, in place, a YAML front matter block at the top of
// a page ("---", "keyword: [...]", "---"), which is metadata for the docs
// site; read as Markdown, its last line would underline the line above it
// as a heading, and the page would seem to have a question it has not.
func dropFrontMatter(lines []string) {
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return
	}
	for i := 1; i < len(lines) && i <= maxFrontMatter; i++ {
		if strings.TrimSpace(lines[i]) == "---" {
			for j := 0; j <= i; j++ {
				lines[j] = ""
			}
			return
		}
	}
}

// maxFrontMatter bounds how many lines a front matter block may have.
const maxFrontMatter = 40

// boldQuestionRe matches a paragraph that is only a question in bold
// ("**3. 迁云工具是否支持断点续传？**"), as some FAQ pages write their
// questions instead of headings.
var boldQuestionRe = regexp.MustCompile(`^\s{0,3}\*\*\s*([^*]*[^*\s][?？])\s*\*\*\s*$`)

// boldToATX rewrites, in place, the bold questions of a page that has no
// question headings at all into "## " headings, when it has two or more:
// each is then an entry of its own, as on a page written with headings,
// rather than the whole page one entry that answers everything a little.
// It returns the indexes of the lines it rewrote.
func boldToATX(lines []string) map[int]bool {
	var bold []int
	inFence := false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		if m := headingRe.FindStringSubmatch(l); m != nil && len(m[1]) == 2 {
			return nil
		}
		if boldQuestionRe.MatchString(l) {
			bold = append(bold, i)
		}
	}
	if len(bold) < 2 {
		return nil
	}
	done := map[int]bool{}
	for _, i := range bold {
		lines[i] = "## " + boldQuestionRe.FindStringSubmatch(lines[i])[1]
		done[i] = true
	}
	return done
}

// asksQuestion reports whether a page title is a question (a question mark
// or a question word), not a topic ("计费常见问题", "云解析DNS付费版使用FAQ"):
// a word of price (计费, 付费, 免费) names what a page is about more often
// than it asks how much.
func asksQuestion(title string) bool {
	t := strings.ToLower(title)
	return strings.ContainsAny(title, "?？") || questionType(t)&^qCost != 0 ||
		strings.Contains(t, "多少钱") || strings.Contains(t, "how much")
}

// isSectionHeading reports whether an H2 heading names a part of an answer
// (操作步骤, Causes) rather than a question.
func isSectionHeading(text string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	t = strings.TrimRight(t, ":：")
	if nonQuestion[t] || stepRe.MatchString(t) && !strings.ContainsAny(t, "?？") {
		return true
	}
	// Parts joined ("原因及处理办法", "Causes and solutions") are a part too.
	parts := sectionJoinRe.Split(t, -1)
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if p = strings.TrimSpace(p); !nonQuestion[p] {
			return false
		}
	}
	return true
}

// stepRe matches the heading of one step or one way of an answer
// ("步骤二：添加UA-I", "方式一：使用脚本", "Method 3: Use Cloud Assistant").
var stepRe = regexp.MustCompile(`^(?:(?:步骤|方式|方法|第)\s*[一二三四五六七八九十0-9]+\s*步?\s*[：:.、]|(?:step|method|option|way)\s*[0-9]+\s*[：:.])`)

// sectionJoinRe matches what joins two names of answer parts in a heading.
var sectionJoinRe = regexp.MustCompile(`\s*(?:以及|及|和|与|、|/|&|\band\b)\s*`)

// derivedID is the id of a question whose heading has no anchor: stable
// across loads as long as the file's name and the heading stay the same.
func derivedID(file, heading string) string {
	h := fnv.New64a()
	h.Write([]byte(path.Base(strings.ReplaceAll(file, "\\", "/"))))
	h.Write([]byte{0})
	h.Write([]byte(strings.TrimSpace(heading)))
	return fmt.Sprintf("faq_%012x", h.Sum64()>>16)
}

// takeComment removes HTML comments from line. open holds the lines of a
// comment left open by an earlier line (nil when none); the result is the
// line without comments, the comment's lines so far, and whether it closed.
func takeComment(line string, open []string) (rest string, comment []string, closed bool) {
	if open != nil {
		end := strings.Index(line, "-->")
		if end < 0 {
			return "", append(open, line), false
		}
		return line[end+3:], append(open, line[:end]), true
	}
	i := strings.Index(line, "<!--")
	// The comment's end is looked for after its opening, whose own dashes
	// would otherwise close "<!-->" before it began.
	end := strings.Index(line[i+4:], "-->")
	if end < 0 {
		return line[:i], []string{line[i+4:]}, false
	}
	return line[:i] + line[i+4+end+3:], []string{line[i+4 : i+4+end]}, true
}

// directives reads what a "<!-- beianbot … -->" comment says about its
// entry: "ask: a phrasing | another" lines and "verdict: ip_address"
// lines. Other comments say nothing.
func directives(lines []string) (asks, verdicts []string) {
	if len(lines) == 0 {
		return nil, nil
	}
	first := strings.TrimSpace(lines[0])
	rest, ok := strings.CutPrefix(first, "beianbot")
	if !ok {
		return nil, nil
	}
	all := append([]string{rest}, lines[1:]...)
	for _, l := range all {
		key, val, ok := strings.Cut(strings.TrimSpace(l), ":")
		if !ok {
			continue
		}
		for _, v := range strings.Split(val, "|") {
			if v = strings.TrimSpace(v); v == "" {
				continue
			}
			switch strings.ToLower(strings.TrimSpace(key)) {
			case "ask", "asks", "phrasing", "phrasings":
				asks = append(asks, v)
			case "verdict", "verdicts":
				for _, w := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
					verdicts = append(verdicts, w)
				}
			}
		}
	}
	return asks, verdicts
}

// renderAnswer turns an answer's source lines into the Markdown subset:
// table-of-contents lists dropped, links resolved, images as links, escapes
// undone, list items as "- ", tables as plain rows, blank runs collapsed.
func renderAnswer(lines []string, docsBase, lang string) string {
	var out []string
	blank := true
	for _, l := range lines {
		if tocRe.MatchString(l) || tableSepRe.MatchString(l) {
			continue
		}
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") || ruleRe.MatchString(t) {
			continue
		}
		if t == "" {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		if strings.HasPrefix(t, ">") {
			t = strings.TrimSpace(strings.TrimLeft(t, ">"))
		}
		if m := listRe.FindStringSubmatchIndex(l); m != nil {
			marker := "- "
			if m[2] >= 0 {
				marker = l[m[2]:m[3]] + ". "
			}
			t = marker + strings.TrimSpace(l[m[1]:])
		}
		if strings.HasPrefix(t, "|") {
			t = tableRow(t)
		}
		t = renderInline(t, docsBase, lang)
		if t == "-" || strings.TrimSpace(strings.TrimPrefix(t, "- ")) == "" {
			continue
		}
		out = append(out, t)
		blank = false
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}

func tableRow(t string) string {
	cells := strings.Split(strings.Trim(t, "|"), "|")
	var keep []string
	for _, c := range cells {
		if c = strings.TrimSpace(c); c != "" {
			keep = append(keep, c)
		}
	}
	return strings.Join(keep, " | ")
}

// renderInline resolves links and images and undoes escapes in one line.
// Link targets may hold spaces and balanced parentheses, as doc paths do.
func renderInline(s, docsBase, lang string) string {
	var b strings.Builder
	for {
		open := strings.Index(s, "[")
		if open < 0 {
			break
		}
		closeText := strings.Index(s[open:], "](")
		if closeText < 0 {
			break
		}
		closeText += open
		end, depth := -1, 0
		for i := closeText + 2; i < len(s); i++ {
			if s[i] == '(' {
				depth++
			} else if s[i] == ')' {
				if depth == 0 {
					end = i
					break
				}
				depth--
			}
		}
		if end < 0 {
			break
		}
		img := open > 0 && s[open-1] == '!'
		pre := s[:open]
		if img {
			pre = s[:open-1]
		}
		b.WriteString(unescape(pre))
		text := unescape(strings.TrimSpace(s[open+1 : closeText]))
		target := strings.TrimSpace(s[closeText+2 : end])
		if i := strings.Index(target, ` "`); i >= 0 && strings.HasSuffix(target, `"`) {
			target = target[:i] // a link title
		}
		b.WriteString(link(img, text, target, docsBase, lang))
		s = s[end+1:]
	}
	b.WriteString(unescape(s))
	return b.String()
}

func link(img bool, text, target, docsBase, lang string) string {
	if img && text == "" {
		text = "图片"
		if lang == "en" {
			text = "image"
		}
	}
	u := resolveLink(target, docsBase)
	switch {
	case u == "":
		return text
	case text == "":
		return "[" + u + "](" + u + ")"
	}
	return "[" + text + "](" + u + ")"
}

// resolveLink returns the absolute URL for a link target, or "" when it is
// relative and no docs base is set, or unusable.
func resolveLink(target, docsBase string) string {
	if target == "" {
		return ""
	}
	u, err := url.Parse(strings.ReplaceAll(target, " ", "%20"))
	if err != nil {
		return ""
	}
	if u.IsAbs() {
		if u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto" {
			return ""
		}
		return u.String()
	}
	if docsBase == "" || u.Path == "" {
		return ""
	}
	base, err := url.Parse(docsBase)
	if err != nil || !base.IsAbs() {
		return ""
	}
	// Doc links climb out of the page's folder ("../../../../intl.zh-CN/…"):
	// they are relative to the root of the docs tree.
	p := u.Path
	for strings.HasPrefix(p, "../") || strings.HasPrefix(p, "./") {
		p = p[strings.IndexByte(p, '/')+1:]
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	ref := &url.URL{Path: p, Fragment: u.Fragment}
	return base.ResolveReference(ref).String()
}

func unescape(s string) string { return escapeRe.ReplaceAllString(s, "$1") }
