package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type cmdKind int

const (
	cmdAsk cmdKind = iota
	cmdHelp
	cmdCheck
)

type command struct {
	kind cmdKind
	arg  string
}

// checkWords start a domain check when a message begins with one of them.
var checkWords = []string{"check", "检查", "檢查", "查询", "查詢", "检测", "檢測"}

// parseCommand recognises "/beian …", "/help", "/start", "/check …", and the
// plain forms "help", "帮助", "check", "check <domain>", "检查 <domain>". ok
// is false for an ordinary question.
func parseCommand(text string) (command, bool) {
	if strings.HasPrefix(text, "/") {
		word, arg := splitWord(text[1:])
		if at := strings.IndexByte(word, '@'); at >= 0 {
			word = word[:at]
		}
		return slashCommand(word, arg)
	}
	return parsePlain(text)
}

// commandOf returns the command of msg: the one its adapter delivered, or
// one written in its text.
func commandOf(msg Message, text string) (command, bool) {
	if msg.Command != "" {
		return slashCommand(msg.Command, strings.TrimSpace(msg.Args))
	}
	return parseCommand(text)
}

// slashCommand interprets the command word (without "/") and its argument.
func slashCommand(word, arg string) (command, bool) {
	switch strings.ToLower(word) {
	case "beian", "备案", "faq":
		w, rest := splitWord(arg)
		for _, cw := range checkWords {
			if strings.EqualFold(w, cw) {
				return command{kind: cmdCheck, arg: rest}, true
			}
		}
		if c, ok := parsePlain(arg); ok {
			return c, true
		}
		if arg == "" {
			return command{kind: cmdHelp}, true
		}
		return command{kind: cmdAsk, arg: arg}, true
	case "start", "help":
		return command{kind: cmdHelp}, true
	case "check":
		return command{kind: cmdCheck, arg: arg}, true
	}
	return command{}, false
}

func parsePlain(text string) (command, bool) {
	switch strings.ToLower(strings.TrimSpace(text)) {
	case "help", "帮助", "幫助", "?", "？":
		return command{kind: cmdHelp, arg: text}, true
	}
	word, arg := splitWord(text)
	for _, w := range checkWords {
		if strings.EqualFold(word, w) && (arg == "" || looksLikeTarget(arg)) {
			// A bare "check" is the command without its domain: the reply
			// asks for one.
			return command{kind: cmdCheck, arg: arg}, true
		}
		// "检查example.com": Chinese verbs are often written without a space.
		if rest, ok := strings.CutPrefix(text, w); ok && w != "check" && looksLikeTarget(strings.TrimSpace(rest)) {
			return command{kind: cmdCheck, arg: strings.TrimSpace(rest)}, true
		}
	}
	return command{}, false
}

// looksLikeTarget reports whether s is one token that could be a domain, URL
// or IP address, so that "check why my site is down" stays a question.
func looksLikeTarget(s string) bool {
	if s == "" || strings.ContainsFunc(s, unicode.IsSpace) {
		return false
	}
	return strings.ContainsAny(s, ".:。．") && utf8.RuneCountInString(s) <= 2048
}

func splitWord(s string) (word, rest string) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}
