package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/beianbot/beianbot/faq"
)

// hasLetter reports whether s has a letter in it, so a language can be
// told from it.
func hasLetter(s string) bool { return strings.ContainsFunc(s, unicode.IsLetter) }

// cutAt returns the longest prefix of s of at most max bytes that ends on a
// whole character.
func cutAt(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}

// pick returns en when lang is "en", zh otherwise.
func pick(lang, zh, en string) string {
	if lang == "en" {
		return en
	}
	return zh
}

func helpText(lang string) string {
	zh := "我是备案助手，可以回答 ICP 备案常见问题，并检查域名为何无法访问。\n\n" +
		"- 直接提问，例如：`香港服务器需要备案吗`\n" +
		"- `/beian <问题>`：回答备案问题\n" +
		"- `/beian check <域名>`：检查域名解析、服务器所在地区和备案拦截情况\n" +
		"- `/beian help`：显示本帮助"
	en := "I answer ICP filing (beian) questions and check why a domain is blocked.\n\n" +
		"- Just ask, e.g. `do I need ICP filing for a Hong Kong server`\n" +
		"- `/beian <question>`: answer a filing question\n" +
		"- `/beian check <domain>`: check DNS, server region and filing interception\n" +
		"- `/beian help`: show this help"
	switch lang {
	case "zh":
		return zh
	case "en":
		return en
	}
	return zh + "\n\n" + en
}

// checkLang is the language to report a check in: Chinese unless the user
// wrote English words besides the command and the domain.
func checkLang(text, target string) string {
	rest := strings.Replace(text, target, " ", 1)
	for _, w := range strings.Fields(rest) {
		w = strings.ToLower(strings.TrimLeft(w, "/"))
		if i := strings.IndexByte(w, '@'); i >= 0 {
			w = w[:i]
		}
		if w == "beian" || w == "faq" {
			continue
		}
		if hasLetter(w) {
			return faq.Lang(w)
		}
	}
	return "zh"
}
