package faq

import "sort"

// translation is a term of the other language and how strongly the FAQ's
// bilingual entries tie it to the term it translates.
type translation struct {
	term     int32
	strength float32
}

// Learning translations from the FAQ's own parallel entries: an id with
// both a Chinese and an English entry says the same thing twice. A word
// that turns up in the English version of the entries where a Chinese term
// turns up, and rarely elsewhere, translates it (Dice's coefficient over
// entries). That lets an English question reach an entry that only exists
// in Chinese, and the reverse, with nobody writing a dictionary.
const (
	// transText is how much of each answer (in runes) the learning reads:
	// the opening of an answer restates the question; the rest is detail.
	transText = 240
	// transMinPairs is the least number of parallel entries a pair of terms
	// must share; transMinDice the least Dice coefficient; transMax the most
	// translations kept per term.
	transMinPairs = 2
	transMinDice  = 0.6
	transMax      = 2
)

// learnTranslations returns, for terms of either language, their learned
// translations into the other.
func (ix *Index) learnTranslations() map[int32][]translation {
	type bag = map[int32]bool
	var zh, en []bag
	var buf []string
	terms := func(e *Entry) bag {
		b := bag{}
		text := e.Question + "\n" + headRunes(urlRe.ReplaceAllString(e.answerText(), " "), transText)
		buf = ix.an.analyzeDoc(text, buf[:0])
		for _, t := range buf {
			ti, ok := ix.voc.ids[t]
			if !ok || ix.voc.weak[ti] {
				continue
			}
			if !ix.wordTerm(t) {
				continue // a pair that straddles two words translates nothing
			}
			b[ti] = true
		}
		return b
	}
	for _, grp := range ix.groups {
		if grp.langs != 3 {
			continue
		}
		var z, e bag
		for _, en := range grp.entries {
			if en.Lang == "zh" && z == nil {
				z = terms(en)
			} else if en.Lang == "en" && e == nil {
				e = terms(en)
			}
		}
		// A term both versions share (备案 for "beian") is no translation.
		for t := range z {
			if e[t] {
				delete(z, t)
				delete(e, t)
			}
		}
		zh, en = append(zh, z), append(en, e)
	}
	if len(zh) < 3 {
		return nil
	}
	nz, ne := map[int32]int{}, map[int32]int{}
	both := map[[2]int32]int{}
	for i := range zh {
		for t := range zh[i] {
			nz[t]++
		}
		for t := range en[i] {
			ne[t]++
			for z := range zh[i] {
				both[[2]int32{t, z}]++
			}
		}
	}
	out := map[int32][]translation{}
	for k, c := range both {
		if c < transMinPairs {
			continue
		}
		e, z := k[0], k[1]
		dice := float32(2*c) / float32(ne[e]+nz[z])
		if dice < transMinDice {
			continue
		}
		out[e] = append(out[e], translation{z, dice})
		out[z] = append(out[z], translation{e, dice})
	}
	for t, ts := range out {
		sort.Slice(ts, func(i, j int) bool {
			if ts[i].strength != ts[j].strength {
				return ts[i].strength > ts[j].strength
			}
			return ts[i].term < ts[j].term
		})
		if len(ts) > transMax {
			out[t] = ts[:transMax]
		}
	}
	return out
}

// headRunes returns the first n runes of s.
func headRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
