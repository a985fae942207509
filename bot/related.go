package bot

import (
	"slices"

	"github.com/beianbot/beianbot/faq"
	"github.com/beianbot/beianbot/internal/domaincheck"
)

// related maps each check verdict to the ids of the FAQ entries that
// explain it, best first.
type related map[string][]string

// relatedEntries finds, for every verdict, the entries of ix that explain
// it: the entries that declare the verdict (faq.Entry.Verdicts) when any
// do, and otherwise the entries the matcher is confident answer the
// verdict's questions (verdictQuestions), at least min. An FAQ that answers
// none of them gives a verdict no related entries.
func relatedEntries(ix FAQ, min float64) related {
	out := related{}
	if ix == nil {
		return out
	}
	for _, v := range domaincheck.Verdicts() {
		var ids []string
		add := func(id string) {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		for _, e := range ix.Entries() {
			if slices.Contains(e.Verdicts, v) {
				add(e.ID)
			}
		}
		if len(ids) == 0 {
			for _, q := range verdictQuestions(v) {
				if res := ix.Match(q); res.Best.Entry != nil && res.Best.Score >= min {
					add(res.Best.Entry.ID)
				}
			}
		}
		if len(ids) > 0 {
			out[v] = ids
		}
	}
	return out
}

// verdictQuestions are the questions, in Chinese and English, that a user
// with a verdict's result would ask; the FAQ's answers to them are the
// related questions of a check reply. Verdicts that are no filing matter
// (a DNS failure, private addresses) and a reachable site ask none.
func verdictQuestions(verdict string) []string {
	const (
		ipOnly     = "只通过 IP 访问的网站如何备案"
		ipOnlyEN   = "how do I file a website reached only by IP address"
		why        = "网站无法访问的原因是什么"
		whyEN      = "why can't my website be accessed"
		outside    = "域名指向香港服务器需要备案吗"
		outsideEN  = "does a domain pointing at a Hong Kong server need filing"
		today      = "备案成功当天网站为什么无法访问"
		todayEN    = "why is my site still blocked on the day filing was approved"
		during     = "备案期间网站能访问吗"
		duringEN   = "can my website be accessed while filing is in progress"
		unresolved = "域名没有解析网站打不开"
	)
	switch verdict {
	case domaincheck.VerdictIPAddress:
		return []string{ipOnly, ipOnlyEN}
	case domaincheck.VerdictNotResolving:
		return []string{unresolved, whyEN}
	case domaincheck.VerdictOutsideMainland:
		return []string{outside, outsideEN}
	case domaincheck.VerdictMainlandBlocked:
		return []string{why, whyEN, today, todayEN, during, duringEN}
	case domaincheck.VerdictMainlandUnreachable:
		return []string{why, whyEN}
	case domaincheck.VerdictMixed:
		return []string{outside, outsideEN, why, whyEN}
	}
	return nil
}

// relatedFor returns the entries explaining verdict in lang (or their
// other language).
func (l *loaded) relatedFor(verdict, lang string) []*faq.Entry {
	var out []*faq.Entry
	for _, id := range l.related[verdict] {
		if e := l.index.Lookup(id, lang); e != nil {
			out = append(out, e)
		}
	}
	return out
}
