package faq

import (
	"strings"
	"unicode"
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

// withoutSignature returns q less its closing signature, if it has one and
// something is left before it: a sign-off and a short name ("Thanks, Kevin",
// "Best regards,\nMarkus Weber") or a dash and a name ("——市场部 小王",
// "— Jonas"), at the very end. A name the FAQ does not have would otherwise
// count against every entry as a rare word.
func withoutSignature(q string) string {
	t := strings.TrimRightFunc(q, unicode.IsSpace)
	end := len(t)
	for k := 1; k <= maxSignatureWords; k++ {
		// The last k words: name runes, separated by spaces.
		j := end
		for j > 0 {
			r, size := utf8.DecodeLastRuneInString(t[:j])
			if !nameRune(r) {
				break
			}
			j -= size
		}
		if j == end {
			return q
		}
		before := strings.TrimRightFunc(t[:j], unicode.IsSpace)
		if cut := signedBefore(before, k); cut >= 0 {
			if rest := strings.TrimSpace(t[:cut]); rest != "" {
				return rest
			}
			return q
		}
		if len(before) == j || before == "" {
			return q // no space before this word: it is no name of words
		}
		end = len(before)
	}
	return q
}

// maxSignatureWords bounds how many words a signature's name may have.
const maxSignatureWords = 4

// nameRune reports whether r can be part of a name in a signature.
func nameRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '\'' || r == '_' || r == '-'
}

// signedBefore returns where the sign-off or dash that ends s begins, when s
// (the text before a name of k words) ends with one, or -1.
func signedBefore(s string, k int) int {
	if k <= 2 {
		for _, d := range []string{"——", "—", "--", "–"} {
			if strings.HasSuffix(s, d) {
				i := len(s) - len(d)
				if r, _ := utf8.DecodeLastRuneInString(s[:i]); i > 0 && (unicode.IsSpace(r) || strings.ContainsRune("。！？!?.,，", r)) {
					return i
				}
			}
		}
	}
	s = strings.TrimRight(s, ",，!！.")
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	for _, w := range signOffs {
		if len(s) < len(w) || !strings.EqualFold(s[len(s)-len(w):], w) {
			continue
		}
		i := len(s) - len(w)
		if r, _ := utf8.DecodeLastRuneInString(s[:i]); i == 0 || unicode.IsSpace(r) || strings.ContainsRune("。！？!?.,，", r) {
			return i
		}
	}
	return -1
}

// signOffs are the words that close a message before the writer's name,
// longer first, so that "best regards" is taken whole.
var signOffs = []string{"best regards", "kind regards", "warm regards", "best wishes", "many thanks", "thank you", "sincerely", "regards", "thanks", "cheers", "yours", "best", "thx", "br"}
