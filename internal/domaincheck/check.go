// Package domaincheck is the live domain check: given a domain, URL or IP
// address it finds where the name points, whether those addresses are in
// mainland China, whether the suffix can be filed at all, and, for mainland
// addresses, whether the site is served or replaced by a filing interception
// page. The Result is data only: a verdict, the facts found and the reasons
// behind the verdict as codes; wording it, and finding the FAQ entries that
// explain it, is the caller's.
//
// The check never connects to a non-public address (see ipregion.Public):
// the dialer checks the address it is given and, again, the address the
// socket connects to. It follows no redirect, reads at most 256 KiB of a
// page, finishes within 10 seconds, and keeps a bounded result however
// many records DNS returns. See README.md for the data it uses.
package domaincheck

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/beianbot/beianbot/internal/ipregion"
)

// Limits.
const (
	// MaxTimeout bounds a whole check.
	MaxTimeout = 10 * time.Second
	// DefaultDNSTimeout bounds one DNS query.
	DefaultDNSTimeout = 2500 * time.Millisecond
	// DefaultProbeTimeout bounds one HTTP or HTTPS request.
	DefaultProbeTimeout = 4 * time.Second
)

// RegionLookup says where an address is; *ipregion.DB is one.
type RegionLookup interface {
	Lookup(addr netip.Addr) ipregion.Info
}

// Config configures a Checker.
type Config struct {
	// DNSServer is the host:port of the DNS server to ask. Without one,
	// names get verdict dns_error; IP addresses are still checked.
	DNSServer string
	// Regions places addresses; nil loads the embedded ipregion data.
	Regions RegionLookup
	// Timeout bounds the whole check; 0 or more than MaxTimeout means
	// MaxTimeout.
	Timeout time.Duration
	// DNSTimeout bounds each DNS query, ProbeTimeout each HTTP(S) request.
	DNSTimeout   time.Duration
	ProbeTimeout time.Duration
}

// Checker runs checks. It is safe for concurrent use.
type Checker struct {
	regions  RegionLookup
	suffixes *Suffixes
	resolver resolver
	dialer   dialer
	timeout  time.Duration
	probeTO  time.Duration
}

// New returns a Checker for cfg.
func New(cfg Config) (*Checker, error) {
	c := &Checker{
		regions: cfg.Regions,
		timeout: cfg.Timeout,
		probeTO: cfg.ProbeTimeout,
	}
	if c.regions == nil {
		db, err := ipregion.Load()
		if err != nil {
			return nil, fmt.Errorf("new domain checker: %w", err)
		}
		c.regions = db
	}
	s, err := LoadSuffixes()
	if err != nil {
		return nil, fmt.Errorf("new domain checker: %w", err)
	}
	c.suffixes = s
	if c.timeout <= 0 || c.timeout > MaxTimeout {
		c.timeout = MaxTimeout
	}
	if c.probeTO <= 0 {
		c.probeTO = DefaultProbeTimeout
	}
	dnsTO := cfg.DNSTimeout
	if dnsTO <= 0 {
		dnsTO = DefaultDNSTimeout
	}
	c.resolver = resolver{server: cfg.DNSServer, timeout: dnsTO}
	c.dialer = dialer{allow: publicOnly, timeout: c.probeTO}
	return c, nil
}

// Check checks t, a target from Parse. Any check that ran returns a
// Result, whatever its verdict; the error is an *InputError only when t
// is not a parsed target.
func (c *Checker) Check(ctx context.Context, t Target) (*Result, error) {
	start := time.Now()
	if t.ASCII == "" {
		return nil, &InputError{Input: t.Input, Reason: "empty"}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	res := &Result{Input: t.Input, Domain: t.Domain, ASCII: t.ASCII, Addresses: []Address{}}
	if t.IsIP() {
		a := c.address(t.IP)
		res.Addresses = append(res.Addresses, a)
		var n kinds
		n.add(a)
		pre := VerdictIPAddress
		if a.Private() {
			pre = ""
		}
		decide(res, pre, n)
		res.ElapsedMS = time.Since(start).Milliseconds()
		return res, nil
	}
	sfx := c.suffixes.Lookup(t.ASCII)
	res.TLD, res.TLDApproved, res.Registrable, res.ApprovedSuffix = sfx.TLD, sfx.Approved, sfx.Registrable, sfx.Match

	ans, err := c.resolver.resolve(ctx, t.ASCII)
	res.CNAME = ans.cname
	var pre string
	var n kinds
	switch {
	case errors.Is(err, errNotFound):
		pre = VerdictNotResolving
	case err != nil:
		pre = VerdictDNSError
		res.DNSCause, res.DNSError = dnsCause(err), err.Error()
	default:
		n = c.classify(ctx, t.ASCII, res, ans.addrs)
	}
	decide(res, pre, n)
	res.ElapsedMS = time.Since(start).Milliseconds()
	return res, nil
}

// address places one address.
func (c *Checker) address(a netip.Addr) Address {
	if !ipregion.Public(a) {
		return Address{IP: a.String(), Region: ipregion.Private}
	}
	info := c.regions.Lookup(a)
	ad := Address{IP: a.String(), Region: info.Region, Mainland: info.Mainland && info.Region == ipregion.Mainland}
	if info.Whois != "" && info.Whois != info.Region {
		ad.Whois = info.Whois
	}
	return ad
}

// classify places every address, keeps at most MaxAddresses of each
// family in res (counting the rest), probes a public mainland one, and
// returns the counts by kind over all of them.
func (c *Checker) classify(ctx context.Context, host string, res *Result, addrs []netip.Addr) kinds {
	slices.SortStableFunc(addrs, func(a, b netip.Addr) int { return cmp.Compare(a.BitLen(), b.BitLen()) }) // IPv4 first
	var target netip.Addr
	var n kinds
	seen := make(map[netip.Addr]bool, len(addrs))
	var v4, v6 []Address
	for _, a := range addrs {
		if seen[a] {
			continue
		}
		seen[a] = true
		ad := c.address(a)
		n.add(ad)
		if a.Is4() {
			v4 = append(v4, ad)
		} else {
			v6 = append(v6, ad)
		}
		if ad.Mainland && !target.IsValid() {
			target = a
		}
	}
	var more More
	v4, more.IPv4 = keep(v4)
	v6, more.IPv6 = keep(v6)
	res.Addresses = append(append(res.Addresses, v4...), v6...)
	if more.Total() > 0 {
		res.More = &more
	}
	if !target.IsValid() {
		return n
	}
	var wg sync.WaitGroup
	wg.Go(func() { res.HTTP = c.dialer.probe(ctx, "http", host, target, c.probeTO) })
	wg.Go(func() { res.HTTPS = c.dialer.probe(ctx, "https", host, target, c.probeTO) })
	wg.Go(func() { res.Control = c.dialer.probe(ctx, "http", target.String(), target, c.probeTO) })
	wg.Wait()
	for _, p := range []*Probe{res.HTTP, res.HTTPS} {
		for _, num := range p.numbers {
			if !slices.Contains(res.Numbers, num) {
				res.Numbers = append(res.Numbers, num)
			}
		}
	}
	// The filing number is the ICP备 number; failing that, the licence.
	for _, kind := range []string{KindFiling, KindLicence} {
		if i := slices.IndexFunc(res.Numbers, func(n Number) bool { return n.Kind == kind }); i >= 0 {
			num := res.Numbers[i].Number
			res.ICPNumber, res.ICPKind = &num, kind
			break
		}
	}
	return n
}

// keep returns at most MaxAddresses of addrs and how many it left out.
// When it must leave some out it keeps mainland addresses first, then
// other public ones, then private ones, so that what the verdict rests on
// is shown.
func keep(addrs []Address) ([]Address, int) {
	if len(addrs) <= MaxAddresses {
		return addrs, 0
	}
	rank := func(a Address) int {
		switch {
		case a.Mainland:
			return 0
		case a.Private():
			return 2
		}
		return 1
	}
	slices.SortStableFunc(addrs, func(a, b Address) int { return cmp.Compare(rank(a), rank(b)) })
	return slices.Clone(addrs[:MaxAddresses]), len(addrs) - MaxAddresses
}
