package faq

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxClauses bounds how many clauses of a long message are told apart; the
// rest joins the last.
const maxClauses = 16

// longClause is the length (see textLen) from which a sentence is split
// further at its commas.
const longClause = 24

// textLen is how long s reads: a Han character counts one, an English word
// two (a word says about what two characters do, and an English sentence
// would be split at every comma if its letters were counted).
func textLen(s string) int {
	n, inWord := 0, false
	for _, r := range s {
		switch {
		case isHan(r):
			n++
			inWord = false
		case r < utf8.RuneSelf && isWordRune(r):
			if !inWord {
				n += 2
			}
			inWord = true
		default:
			inWord = false
		}
	}
	return n
}

// splitClauses splits a message into its sentences, and long sentences into
// clauses at commas, so that the clause that asks can be scored apart from
// the story around it. Short messages are one clause.
func splitClauses(q string) []string {
	var out []string
	start := 0
	flush := func(end int) {
		if c := strings.TrimSpace(q[start:end]); c != "" {
			out = append(out, c)
		}
		start = end
	}
	for i, r := range q {
		if len(out) >= maxClauses-1 {
			break
		}
		switch r {
		case '。', '！', '？', '!', '?', '；', ';', '\n', '…':
			flush(i + utf8.RuneLen(r))
		case '，', ',', '、':
			if textLen(q[start:i]) >= longClause/2 && textLen(q) >= longClause {
				flush(i + utf8.RuneLen(r))
			}
		case '.':
			// A full stop ends an English sentence, not a number ("1.5") or a
			// domain name ("example.com").
			if i+1 == len(q) || q[i+1] == ' ' {
				flush(i + 1)
			}
		}
	}
	flush(len(q))
	return out
}

// asking returns the index of the clause that asks: the last one with a
// question word (qts are the clauses' question types) or a question mark;
// -1 when none asks, and the message is read whole.
func asking(clauses []string, qts []qtype) int {
	for i := len(clauses) - 1; i >= 0; i-- {
		if qts[i] != 0 || strings.ContainsAny(clauses[i], "?？") {
			return i
		}
	}
	return -1
}

// signOffRe and signDashRe match a message's closing signature: a sign-off
// and a short name ("Thanks, Kevin", "Best regards,\nMarkus Weber"), or a
// dash and a name ("——市场部 小王", "— Jonas"), at the very end. A name the
// FAQ does not have would otherwise count against every entry as a rare
// word.
var (
	signOffRe  = regexp.MustCompile(`(?i)(?:^|[\s,.!！。，])((?:thanks|thank you|many thanks|thx|cheers|regards|best regards|kind regards|warm regards|best wishes|best|br|sincerely|yours)\s*[,，!！.]?\s+(?:[\p{L}\p{N}.'_-]+\s*){1,4})$`)
	signDashRe = regexp.MustCompile(`[\s。！？!?.,，]\s*((?:——|—|--|–)\s*(?:[\p{L}\p{N}.'_-]+\s*){1,2})$`)
)

// withoutSignature returns q less its closing signature (with the sign-off
// word, a stop word anyway), if it has one and something is left before it.
func withoutSignature(q string) string {
	// Only the end of the message is looked at: a signature is short.
	from := max(0, len(q)-signatureTail)
	for from > 0 && !utf8.RuneStart(q[from]) {
		from++
	}
	tail := q[from:]
	loc := signOffRe.FindStringSubmatchIndex(tail)
	if loc == nil {
		loc = signDashRe.FindStringSubmatchIndex(tail)
	}
	if loc == nil || strings.ContainsAny(tail[loc[2]:], "?？") {
		return q
	}
	if rest := strings.TrimSpace(q[:from+loc[2]]); rest != "" {
		return rest
	}
	return q
}

// signatureTail is how many bytes at the end of a message may hold its
// signature.
const signatureTail = 96
