package domaincheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"syscall"
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
// no address, and another error when DNS failed (timeout, SERVFAIL, a
// CNAME loop or over-long chain).
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

// errCNAMELoop and errCNAMETooLong are CNAME chains the resolver gives up
// on: DNS failures of the domain, not a name that does not exist.
var (
	errCNAMELoop    = errors.New("CNAME loop")
	errCNAMETooLong = fmt.Errorf("CNAME chain longer than %d", maxCNAME)
)

// rcodeError is an answer with a failure code (SERVFAIL, REFUSED, ...).
type rcodeError struct {
	qtype uint16
	name  string
	rcode int
}

func (e *rcodeError) Error() string {
	return fmt.Sprintf("dns %s %s: %s", dns.TypeToString[e.qtype], e.name, dns.RcodeToString[e.rcode])
}

// lookup asks for one record type. It follows the CNAME chain through the
// answer, and asks again for the end of the chain when the server did not
// resolve it. A chain of more than maxCNAME names, or one that comes back
// to a name already seen, is an error.
func (r resolver) lookup(ctx context.Context, name string, qtype uint16) (addrs []netip.Addr, chain []string, nx bool, err error) {
	target := dns.Fqdn(name)
	seen := map[string]bool{strings.ToLower(target): true}
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
			return nil, chain, false, &rcodeError{qtype: qtype, name: target, rcode: msg.Rcode}
		}
		end := target
		for {
			next, ok := cnameOf(msg, end)
			if !ok {
				break
			}
			switch {
			case seen[strings.ToLower(next)]:
				return nil, chain, false, fmt.Errorf("dns %s %s: %w", dns.TypeToString[qtype], name, errCNAMELoop)
			case len(chain) == maxCNAME:
				return nil, chain, false, fmt.Errorf("dns %s %s: %w", dns.TypeToString[qtype], name, errCNAMETooLong)
			}
			seen[strings.ToLower(next)] = true
			chain = append(chain, strings.TrimSuffix(next, "."))
			end = next
		}
		addrs = addrsOf(msg, end, qtype)
		if len(addrs) > 0 || end == target {
			return addrs, chain, false, nil
		}
		// The server stopped at a CNAME: ask for its target. Every round
		// adds to the chain, so there are at most maxCNAME+1 queries.
		target = end
	}
}

// dnsCause names why resolving failed, as a Cause constant.
func dnsCause(err error) string {
	var rc *rcodeError
	var ne net.Error
	switch {
	case errors.Is(err, errNoServer):
		return CauseNoServer
	case errors.Is(err, errCNAMELoop):
		return CauseCNAMELoop
	case errors.Is(err, errCNAMETooLong):
		return CauseCNAMETooLong
	case errors.As(err, &rc) && rc.rcode == dns.RcodeServerFailure:
		return CauseServFail
	case errors.As(err, &rc) && rc.rcode == dns.RcodeRefused:
		return CauseRefused
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return CauseNetworkUnreachable
	case errors.Is(err, syscall.ECONNREFUSED):
		return CauseConnectionRefused
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return CauseTimeout
	}
	return CauseOther
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
