package domaincheck

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

// FAQ entry ids the verdicts point at (section anchors of the embedded FAQ).
const (
	// FAQIPOnly: IP-only sites are not filed through Alibaba Cloud.
	FAQIPOnly = "section_bym_mzr_zdb"
	// FAQOutsideMainland: a domain pointing at a Hong Kong server needs no filing.
	FAQOutsideMainland = "section_cym_mzr_zdb"
	// FAQDuringFiling: the site cannot be opened while it is being filed.
	FAQDuringFiling = "section_fym_mzr_zdb"
	// FAQApprovedToday: approved today, not yet synced to the provider.
	FAQApprovedToday = "section_hym_mzr_zdb"
	// FAQWhyBlocked: why the site cannot be accessed (not filed, filed
	// elsewhere and not connected, just approved, DNS not pointed).
	FAQWhyBlocked = "section_iym_mzr_zdb"
)

// Result is the outcome of one check. It marshals to the JSON object of the
// contract's `check --json`; fields after ElapsedMS are additions.
type Result struct {
	Input       string    `json:"input"`
	Domain      string    `json:"domain"`
	ASCII       string    `json:"ascii"`
	TLD         string    `json:"tld"`
	TLDApproved bool      `json:"tld_approved"`
	Verdict     string    `json:"verdict"`
	NeedsFiling bool      `json:"needs_filing"`
	Addresses   []Address `json:"addresses"`
	HTTP        *Probe    `json:"http"`
	HTTPS       *Probe    `json:"https"`
	ICPNumber   *string   `json:"icp_number"`
	FAQ         []string  `json:"faq"`
	// Message explains the verdict in Chinese; MessageEN in English.
	Message   string `json:"message"`
	ElapsedMS int64  `json:"elapsed_ms"`

	MessageEN string `json:"message_en"`
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
	// DNSError says what went wrong with DNS, for dns_error.
	DNSError string `json:"dns_error,omitempty"`
	// Control is the plain-HTTP request to the probed address without the
	// domain: an answer there while the domain gets none points to a block
	// by host name rather than a dead server.
	Control *Probe `json:"control,omitempty"`
	// Filing is the filing record from a FilingLookup, when one is configured.
	Filing *Filing `json:"filing,omitempty"`
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
