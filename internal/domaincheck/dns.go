package domaincheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// maxCNAME bounds how many CNAME hops the resolver follows.
const maxCNAME = 8

// errNotFound is NXDOMAIN or a name with no A or AAAA record.
var errNotFound = errors.New("no such domain or no address records")

// dnsAnswer is what resolving a name gave.
type dnsAnswer struct {
	addrs []netip.Addr
	cname []string // the CNAME chain, in order, without the queried name
	nx    bool     // NXDOMAIN
}

// resolver asks one DNS server for A and AAAA records.
type resolver struct {
	server  string        // host:port
	timeout time.Duration // per query
}

// SystemDNSServer returns the first name server in resolvConf (usually
// /etc/resolv.conf) as host:port.
func SystemDNSServer(resolvConf string) (string, error) {
	cfg, err := dns.ClientConfigFromFile(resolvConf)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", resolvConf, err)
	}
	if len(cfg.Servers) == 0 {
		return "", fmt.Errorf("read %s: no nameserver", resolvConf)
	}
	return net.JoinHostPort(cfg.Servers[0], cfg.Port), nil
}

// errNoServer is the DNS failure of a checker that has no server to ask.
var errNoServer = errors.New("no DNS server configured (set BEIANBOT_DNS_SERVER)")

// resolve looks up the A and AAAA records of the ASCII name, following the
// CNAME chain. It returns errNotFound when the name does not exist or has
// no address, and another error when DNS failed (timeout, SERVFAIL).
func (r resolver) resolve(ctx context.Context, name string) (dnsAnswer, error) {
	if r.server == "" {
		return dnsAnswer{}, errNoServer
	}
	type one struct {
		addrs []netip.Addr
		cname []string
		nx    bool
		err   error
	}
	var wg sync.WaitGroup
	var res [2]one
	for i, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
		wg.Go(func() {
			a, c, nx, err := r.lookup(ctx, name, qt)
			res[i] = one{a, c, nx, err}
		})
	}
	wg.Wait()
	var ans dnsAnswer
	for _, o := range res {
		ans.addrs = append(ans.addrs, o.addrs...)
		if len(o.cname) > len(ans.cname) {
			ans.cname = o.cname
		}
		ans.nx = ans.nx || o.nx
	}
	if len(ans.addrs) > 0 {
		return ans, nil
	}
	if ans.nx {
		return ans, errNotFound
	}
	if res[0].err != nil || res[1].err != nil {
		return ans, errors.Join(res[0].err, res[1].err)
	}
	return ans, errNotFound
}

// lookup asks for one record type. It follows the CNAME chain through the
// answer, and asks again for the end of the chain when the server did not
// resolve it (at most maxCNAME hops in all).
func (r resolver) lookup(ctx context.Context, name string, qtype uint16) (addrs []netip.Addr, chain []string, nx bool, err error) {
	target := dns.Fqdn(name)
	for {
		msg, err := r.exchange(ctx, target, qtype)
		if err != nil {
			return nil, chain, false, err
		}
		switch msg.Rcode {
		case dns.RcodeSuccess:
		case dns.RcodeNameError:
			return nil, chain, true, nil
		default:
			return nil, chain, false, fmt.Errorf("dns %s %s: %s", dns.TypeToString[qtype], target, dns.RcodeToString[msg.Rcode])
		}
		end := target
		for len(chain) < maxCNAME {
			next, ok := cnameOf(msg, end)
			if !ok {
				break
			}
			chain = append(chain, strings.TrimSuffix(next, "."))
			end = next
		}
		addrs = addrsOf(msg, end, qtype)
		if len(addrs) > 0 || end == target || len(chain) >= maxCNAME {
			return addrs, chain, false, nil
		}
		target = end
	}
}

func cnameOf(msg *dns.Msg, name string) (string, bool) {
	for _, rr := range msg.Answer {
		if c, ok := rr.(*dns.CNAME); ok && strings.EqualFold(c.Hdr.Name, name) {
			return c.Target, true
		}
	}
	return "", false
}

func addrsOf(msg *dns.Msg, name string, qtype uint16) []netip.Addr {
	var out []netip.Addr
	for _, rr := range msg.Answer {
		if !strings.EqualFold(rr.Header().Name, name) {
			continue
		}
		switch v := rr.(type) {
		case *dns.A:
			if a, ok := netip.AddrFromSlice(v.A.To4()); ok && qtype == dns.TypeA {
				out = append(out, a)
			}
		case *dns.AAAA:
			if a, ok := netip.AddrFromSlice(v.AAAA.To16()); ok && qtype == dns.TypeAAAA {
				out = append(out, a.Unmap())
			}
		}
	}
	return out
}

// exchange sends one query over UDP, and again over TCP when the answer is
// truncated.
func (r resolver) exchange(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	q := new(dns.Msg)
	q.SetQuestion(name, qtype)
	q.RecursionDesired = true
	q.SetEdns0(1232, false)
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	c := &dns.Client{Net: "udp", Timeout: r.timeout}
	msg, _, err := c.ExchangeContext(ctx, q, r.server)
	if err == nil && msg.Truncated {
		c.Net = "tcp"
		msg, _, err = c.ExchangeContext(ctx, q, r.server)
	}
	if err != nil {
		return nil, fmt.Errorf("dns %s %s: %w", dns.TypeToString[qtype], name, err)
	}
	return msg, nil
}
