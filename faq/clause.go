package faq

import (
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
