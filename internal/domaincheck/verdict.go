package domaincheck

import "github.com/beianbot/beianbot/internal/ipregion"

// decide sets the verdict, NeedsFiling and Reasons of res from its
// addresses and probes. pre is ip_address for a public IP input,
// not_resolving or dns_error when DNS gave no address, and "" otherwise;
// counts are the addresses found by kind, including any left out of
// res.Addresses.
func decide(res *Result, pre string, n kinds) {
	reason := func(r string) { res.Reasons = append(res.Reasons, r) }
	switch {
	case pre != "":
		res.Verdict = pre
	case n.mainland == 0 && n.outside == 0:
		res.Verdict = VerdictPrivateAddress
	case n.mainland == 0:
		res.Verdict = VerdictOutsideMainland
		res.NeedsFiling = new(false)
		if n.registeredCN > 0 {
			reason(ReasonRegisteredCN)
		}
	default:
		decideMainland(res, n.outside > 0, reason)
	}
	if n.private > 0 && res.Verdict != VerdictPrivateAddress {
		reason(ReasonPrivateAddresses)
	}
	if !res.TLDApproved && res.TLD != "" && res.Verdict != VerdictIPAddress {
		reason(ReasonTLDNotApproved)
	}
}

// kinds counts addresses by what they mean for the verdict.
type kinds struct {
	mainland, outside, private, registeredCN int
}

func (k *kinds) add(a Address) {
	switch {
	case a.Region == ipregion.Private:
		k.private++
	case a.Mainland:
		k.mainland++
	default:
		k.outside++
		if a.Region == ipregion.Unknown && a.Whois == ipregion.Mainland {
			k.registeredCN++
		}
	}
}

// decideMainland handles a domain with at least one mainland address.
func decideMainland(res *Result, outside bool, reason func(string)) {
	res.NeedsFiling = new(true)
	blocked := res.Blocked() != nil
	switch {
	case outside:
		res.Verdict = VerdictMixed
		if blocked {
			reason(ReasonInterception)
		}
	case blocked:
		res.Verdict = VerdictMainlandBlocked
		reason(ReasonInterception)
	case res.HTTP.answered() || res.HTTPS.answered():
		res.Verdict = VerdictMainlandReachable
		if res.ICPNumber != nil {
			reason(ReasonICPNumberShown)
		} else {
			reason(ReasonNoICPNumber)
		}
	default:
		res.Verdict = VerdictMainlandUnreachable
		if res.Control.answered() {
			reason(ReasonBareIPAnswers)
		} else {
			reason(ReasonBareIPSilent)
		}
	}
}

// Blocked returns the first of the HTTP and HTTPS probes that got a filing
// interception page, or nil.
func (res *Result) Blocked() *Probe {
	for _, p := range []*Probe{res.HTTP, res.HTTPS} {
		if p != nil && p.Blocked {
			return p
		}
	}
	return nil
}
