package domaincheck

import (
	"slices"

	"github.com/beianbot/beianbot/internal/ipregion"
)

// Verdicts, as in the contract's `check --json`.
const (
	VerdictIPAddress           = "ip_address"
	VerdictNotResolving        = "not_resolving"
	VerdictDNSError            = "dns_error"
	VerdictPrivateAddress      = "private_address"
	VerdictOutsideMainland     = "outside_mainland"
	VerdictMainlandBlocked     = "mainland_blocked"
	VerdictMainlandReachable   = "mainland_reachable"
	VerdictMainlandUnreachable = "mainland_unreachable"
	VerdictMixed               = "mixed"
)

// Verdicts lists every verdict, in the contract's order.
func Verdicts() []string {
	return []string{VerdictIPAddress, VerdictNotResolving, VerdictDNSError, VerdictPrivateAddress,
		VerdictOutsideMainland, VerdictMainlandBlocked, VerdictMainlandReachable, VerdictMainlandUnreachable, VerdictMixed}
}

// Reasons: findings behind a verdict, as codes in Result.Reasons.
const (
	// ReasonTLDNotApproved: the suffix is not on MIIT's list, so the domain
	// can never be filed.
	ReasonTLDNotApproved = "tld_not_approved"
	// ReasonRegisteredCN: an address outside the mainland's routes is
	// registered to China (Address.Whois is CN); such space is usually used
	// in Hong Kong or abroad.
	ReasonRegisteredCN = "registered_cn_not_routed"
	// ReasonInterception: a probe got a filing interception page.
	ReasonInterception = "interception_page"
	// ReasonICPNumberShown: the served page shows a filing or licence
	// number (ICPNumber).
	ReasonICPNumberShown = "icp_number_shown"
	// ReasonNoICPNumber: the site is served but its page shows no number.
	ReasonNoICPNumber = "no_icp_number"
	// ReasonBareIPAnswers: the probed address answers a request without the
	// domain, though the domain got no answer: a block of the name.
	ReasonBareIPAnswers = "bare_ip_answers"
	// ReasonBareIPSilent: the probed address does not answer without the
	// domain either: no web server, or a firewall.
	ReasonBareIPSilent = "bare_ip_silent"
	// ReasonPrivateAddresses: some addresses are private or reserved; they
	// were not probed.
	ReasonPrivateAddresses = "private_addresses"
)

// DNS failure causes, in Result.DNSCause.
const (
	CauseNoServer           = "no_server"
	CauseTimeout            = "timeout"
	CauseServFail           = "servfail"
	CauseRefused            = "refused"
	CauseNetworkUnreachable = "network_unreachable"
	CauseConnectionRefused  = "connection_refused"
	CauseCNAMELoop          = "cname_loop"
	CauseCNAMETooLong       = "cname_chain_too_long"
	CauseOther              = "other"
)

// MaxAddresses is how many addresses of each family (IPv4, IPv6) a Result
// keeps; the rest are counted in Result.More.
const MaxAddresses = 16

// Result is the outcome of one check: data only, for a caller to word. It
// marshals to the JSON object of the contract's `check --json` (without
// `faq` and `message`, which come from the FAQ and the wording); fields
// after ElapsedMS are additions. Every part of it is bounded in size.
type Result struct {
	Input       string `json:"input"`
	Domain      string `json:"domain"`
	ASCII       string `json:"ascii"`
	TLD         string `json:"tld"`
	TLDApproved bool   `json:"tld_approved"`
	Verdict     string `json:"verdict"`
	// NeedsFiling is nil when the check could not tell (DNS failed, the
	// name does not resolve, only private addresses, an IP address).
	NeedsFiling *bool     `json:"needs_filing"`
	Addresses   []Address `json:"addresses"`
	HTTP        *Probe    `json:"http"`
	HTTPS       *Probe    `json:"https"`
	ICPNumber   *string   `json:"icp_number"`
	ElapsedMS   int64     `json:"elapsed_ms"`

	// Reasons are the findings behind the verdict (the Reason constants).
	Reasons []string `json:"reasons,omitempty"`
	// More counts the addresses left out of Addresses (at most MaxAddresses
	// per family are kept; the verdict considers them all).
	More *More `json:"more_addresses,omitempty"`
	// ICPKind is the kind of ICPNumber: icp_filing or icp_licence.
	ICPKind string `json:"icp_kind,omitempty"`
	// Numbers are all filing, licence and public-security numbers found in
	// the served pages.
	Numbers []Number `json:"numbers,omitempty"`
	// Registrable is the registrable domain (eTLD+1); ApprovedSuffix the
	// longest suffix on MIIT's list that the domain ends in.
	Registrable    string `json:"registrable,omitempty"`
	ApprovedSuffix string `json:"approved_suffix,omitempty"`
	// CNAME is the CNAME chain from the domain to its addresses.
	CNAME []string `json:"cname,omitempty"`
	// DNSCause is why DNS failed (a Cause constant), for dns_error;
	// DNSError the error itself.
	DNSCause string `json:"dns_cause,omitempty"`
	DNSError string `json:"dns_error,omitempty"`
	// Control is the plain-HTTP request to the probed address without the
	// domain: an answer there while the domain gets none points to a block
	// by host name rather than a dead server.
	Control *Probe `json:"control,omitempty"`
}

// More counts addresses left out of a Result, per family.
type More struct {
	IPv4 int `json:"ipv4"`
	IPv6 int `json:"ipv6"`
}

// Total is how many addresses were left out.
func (m *More) Total() int {
	if m == nil {
		return 0
	}
	return m.IPv4 + m.IPv6
}

// Address is one address the domain resolves to.
type Address struct {
	IP       string `json:"ip"`
	Region   string `json:"region"`
	Mainland bool   `json:"mainland"`
	// Whois is the country the address is registered to, when it differs
	// from Region.
	Whois string `json:"whois,omitempty"`
}

// Private reports whether a is a private or reserved address.
func (a Address) Private() bool { return a.Region == ipregion.Private }

// HasReason reports whether res found reason.
func (res *Result) HasReason(reason string) bool { return slices.Contains(res.Reasons, reason) }
