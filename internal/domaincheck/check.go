// Package domaincheck is the live domain check: given a domain, URL or IP
// address it finds where the name points, whether those addresses are in
// mainland China, whether the suffix can be filed at all, and, for mainland
// addresses, whether the site is served or replaced by a filing interception
// page. The Result names a verdict, explains it in Chinese and English, and
// points at the FAQ entries that explain it.
//
// The check never connects to a non-public address (see ipregion.Public):
// the dialer checks the address it is given and, again, the address the
// socket connects to. It follows no redirect, reads at most 256 KiB of a
// page, and finishes within 10 seconds. See README.md for the data it uses.
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
	// Filings looks up filing records; nil means none (see FilingLookup).
	Filings FilingLookup
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
	filings  FilingLookup
	resolver resolver
	dialer   dialer
	timeout  time.Duration
	probeTO  time.Duration
}

// New returns a Checker for cfg.
func New(cfg Config) (*Checker, error) {
	c := &Checker{
		regions: cfg.Regions,
		filings: cfg.Filings,
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

// Check checks input. The error is an *InputError when input is not a
// domain, URL or IP address; any check that ran returns a Result, whatever
// its verdict.
func (c *Checker) Check(ctx context.Context, input string) (*Result, error) {
	start := time.Now()
	t, err := Parse(input)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	res := &Result{Input: input, Domain: t.Domain, ASCII: t.ASCII, Addresses: []Address{}, FAQ: []string{}}
	if t.IsIP() {
		res.Addresses = append(res.Addresses, c.address(t.IP))
		decide(res, VerdictIPAddress)
		res.ElapsedMS = time.Since(start).Milliseconds()
		return res, nil
	}
	sfx := c.suffixes.Lookup(t.ASCII)
	res.TLD, res.TLDApproved, res.Registrable, res.ApprovedSuffix = sfx.TLD, sfx.Approved, sfx.Registrable, sfx.Match

	var wg sync.WaitGroup
	if c.filings != nil && sfx.Registrable != "" {
		wg.Go(func() {
			if f, err := c.filings.Filing(ctx, sfx.Registrable); err == nil {
				res.Filing = f
			}
		})
	}
	defer wg.Wait()

	ans, err := c.resolver.resolve(ctx, t.ASCII)
	res.CNAME = ans.cname
	var dnsVerdict string
	switch {
	case errors.Is(err, errNotFound):
		dnsVerdict = VerdictNotResolving
	case err != nil:
		dnsVerdict = VerdictDNSError
		res.DNSError = err.Error()
	default:
		c.classify(ctx, t.ASCII, res, ans.addrs)
	}
	wg.Wait()
	decide(res, dnsVerdict)
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

// classify places every address and probes a public mainland one.
func (c *Checker) classify(ctx context.Context, host string, res *Result, addrs []netip.Addr) {
	slices.SortStableFunc(addrs, func(a, b netip.Addr) int { return cmp.Compare(a.BitLen(), b.BitLen()) }) // IPv4 first
	var target netip.Addr
	seen := map[netip.Addr]bool{}
	for _, a := range addrs {
		if seen[a] {
			continue
		}
		seen[a] = true
		ad := c.address(a)
		res.Addresses = append(res.Addresses, ad)
		if ad.Mainland && !target.IsValid() {
			target = a
		}
	}
	if !target.IsValid() {
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() { res.HTTP = c.dialer.probe(ctx, "http", host, target, c.probeTO) })
	wg.Go(func() { res.HTTPS = c.dialer.probe(ctx, "https", host, target, c.probeTO) })
	wg.Go(func() { res.Control = c.dialer.probe(ctx, "http", target.String(), target, c.probeTO) })
	wg.Wait()
	for _, p := range []*Probe{res.HTTP, res.HTTPS} {
		for _, n := range p.numbers {
			if !slices.Contains(res.Numbers, n) {
				res.Numbers = append(res.Numbers, n)
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
}
