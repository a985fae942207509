package domaincheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/beianbot/beianbot/internal/dnstest"
	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

// fakeDNS is a DNS server on loopback answering from a zone of records in
// presentation format, like a recursive resolver. Names starting "fail."
// get SERVFAIL, names starting "slow." no answer at all, and names starting
// "big." a truncated UDP answer (and the full answer over TCP).
type fakeDNS struct {
	addr string
	zone map[string][]dns.RR // by lower-case FQDN; not changed once serving
	tcp  atomic.Int32        // queries over TCP
}

func startDNS(t testing.TB, records ...string) *fakeDNS {
	t.Helper()
	f := &fakeDNS{zone: map[string][]dns.RR{}}
	for _, r := range records {
		f.add(t, r)
	}
	pc, ln := dnstest.Listen(t)
	f.addr = pc.LocalAddr().String()
	var wg sync.WaitGroup
	udp := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) { f.serve(w, q, false) })}
	tcp := &dns.Server{Listener: ln, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) { f.serve(w, q, true) })}
	started := make(chan struct{}, 2)
	udp.NotifyStartedFunc = func() { started <- struct{}{} }
	tcp.NotifyStartedFunc = func() { started <- struct{}{} }
	wg.Go(func() { udp.ActivateAndServe() })
	wg.Go(func() { tcp.ActivateAndServe() })
	<-started
	<-started
	t.Cleanup(func() {
		udp.Shutdown()
		tcp.Shutdown()
		wg.Wait()
	})
	return f
}

// add puts a record in the zone; only before the server starts.
func (f *fakeDNS) add(t testing.TB, record string) {
	t.Helper()
	rr, err := dns.NewRR(record)
	if err != nil {
		t.Fatalf("bad record %q: %v", record, err)
	}
	name := strings.ToLower(rr.Header().Name)
	f.zone[name] = append(f.zone[name], rr)
}

func (f *fakeDNS) serve(w dns.ResponseWriter, q *dns.Msg, overTCP bool) {
	if overTCP {
		f.tcp.Add(1)
	}
	name := strings.ToLower(q.Question[0].Name)
	if strings.HasPrefix(name, "slow.") {
		return
	}
	m := new(dns.Msg)
	m.SetReply(q)
	m.Compress = true
	switch {
	case strings.HasPrefix(name, "fail."):
		m.Rcode = dns.RcodeServerFailure
	case strings.HasPrefix(name, "big.") && !overTCP:
		m.Truncated = true
	default:
		// Answer like a recursive resolver: the CNAME chain and the records
		// of the asked type at its end.
		found := false
		for hop := 0; hop < 10; hop++ {
			rrs, ok := f.zone[name]
			found = found || ok
			next := ""
			for _, rr := range rrs {
				if rr.Header().Rrtype == q.Question[0].Qtype {
					m.Answer = append(m.Answer, rr)
				}
				if c, ok := rr.(*dns.CNAME); ok {
					m.Answer = append(m.Answer, rr)
					next = strings.ToLower(c.Target)
				}
			}
			if next == "" || strings.HasPrefix(next, "external.") {
				found = found || next != ""
				break
			}
			name = next
			if _, ok := f.zone[name]; !ok {
				found = false
			}
		}
		if !found {
			m.Rcode = dns.RcodeNameError
		}
	}
	w.WriteMsg(m)
}

func TestResolve(t *testing.T) {
	records := []string{
		"a.example. 60 IN A 1.2.3.4",
		"a.example. 60 IN A 1.2.3.5",
		"a.example. 60 IN AAAA 2400:3200::1",
		"www.example. 60 IN CNAME cdn.example.",
		"cdn.example. 60 IN CNAME edge.example.",
		"edge.example. 60 IN A 5.6.7.8",
		"v6.example. 60 IN AAAA ::ffff:8.8.8.8",
		"noaddr.example. 60 IN TXT \"hello\"",
		"big.example. 60 IN A 9.9.9.9",
		"loop1.example. 60 IN CNAME loop2.example.",
		"loop2.example. 60 IN CNAME loop1.example.",
		"self.example. 60 IN CNAME external.self.example.",
		"external.self.example. 60 IN CNAME self.example.",
		// The resolver does not follow this CNAME itself: the client asks again.
		"half.example. 60 IN CNAME external.example.",
		"external.example. 60 IN A 4.4.4.4",
	}
	// Chains of 8 and 9 CNAMEs, answered whole ("one") or one hop per query
	// ("hop", every target starting "external."), and 8 in one answer that
	// then needs a second query.
	for _, c := range []struct {
		start, prefix string
		n             int
	}{{"one8.example.", "c", 8}, {"one9.example.", "c", 9}, {"hop8.example.", "external.", 8}, {"hop9.example.", "external.", 9}} {
		name := c.start
		for i := 1; i <= c.n; i++ {
			next := fmt.Sprintf("%s%d.%s", c.prefix, i, c.start)
			records = append(records, name+" 60 IN CNAME "+next)
			name = next
		}
		records = append(records, name+" 60 IN A 4.4.4.8")
	}
	f := startDNS(t, records...)
	r := resolver{server: f.addr, timeout: 300 * time.Millisecond}
	tests := []struct {
		name      string
		want      []string
		wantCNAME []string
		wantErr   string // "notfound", a Cause, or ""
	}{
		{name: "a.example", want: []string{"1.2.3.4", "1.2.3.5", "2400:3200::1"}},
		{name: "www.example", want: []string{"5.6.7.8"}, wantCNAME: []string{"cdn.example", "edge.example"}},
		{name: "v6.example", want: []string{"8.8.8.8"}},
		{name: "half.example", want: []string{"4.4.4.4"}, wantCNAME: []string{"external.example"}},
		{name: "big.example", want: []string{"9.9.9.9"}},
		{name: "missing.example", wantErr: "notfound"},
		{name: "noaddr.example", wantErr: "notfound"},
		{name: "loop1.example", wantErr: CauseCNAMELoop},
		{name: "self.example", wantErr: CauseCNAMELoop},
		{name: "one8.example", want: []string{"4.4.4.8"}, wantCNAME: chain("c", "one8.example", 8)},
		{name: "hop8.example", want: []string{"4.4.4.8"}, wantCNAME: chain("external.", "hop8.example", 8)},
		{name: "one9.example", wantErr: CauseCNAMETooLong},
		{name: "hop9.example", wantErr: CauseCNAMETooLong},
		{name: "fail.example", wantErr: CauseServFail},
		{name: "slow.example", wantErr: CauseTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans, err := r.resolve(context.Background(), tt.name)
			switch tt.wantErr {
			case "notfound":
				if !errors.Is(err, errNotFound) {
					t.Fatalf("resolve error = %v, want errNotFound", err)
				}
				return
			case "":
			default:
				if err == nil || errors.Is(err, errNotFound) {
					t.Fatalf("resolve error = %v, want a DNS failure", err)
				}
				if got := dnsCause(err); got != tt.wantErr {
					t.Errorf("cause of %v = %s, want %s", err, got, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("resolve: %v", err)
			}
			var got []string
			for _, a := range ans.addrs {
				got = append(got, a.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("addresses (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantCNAME, ans.cname); diff != "" {
				t.Errorf("cname chain (-want +got):\n%s", diff)
			}
		})
	}
	if f.tcp.Load() == 0 {
		t.Error("truncated answer was not retried over TCP")
	}
}

// chain is the CNAME chain prefix1.start, prefix2.start, … prefixN.start.
func chain(prefix, start string, n int) []string {
	var out []string
	for i := 1; i <= n; i++ {
		out = append(out, fmt.Sprintf("%s%d.%s", prefix, i, start))
	}
	return out
}

func TestDNSCause(t *testing.T) {
	op := func(err error) error {
		return &net.OpError{Op: "read", Net: "udp", Err: &os.SyscallError{Syscall: "recvfrom", Err: err}}
	}
	for _, tt := range []struct {
		err  error
		want string
	}{
		{errNoServer, CauseNoServer},
		{fmt.Errorf("dns A x.: %w", op(syscall.ENETUNREACH)), CauseNetworkUnreachable},
		{fmt.Errorf("dns A x.: %w", op(syscall.ECONNREFUSED)), CauseConnectionRefused},
		{errors.Join(&rcodeError{dns.TypeA, "x.", dns.RcodeServerFailure}, context.DeadlineExceeded), CauseServFail},
		{&rcodeError{dns.TypeAAAA, "x.", dns.RcodeRefused}, CauseRefused},
		{fmt.Errorf("dns A x.: %w", context.DeadlineExceeded), CauseTimeout},
		{errors.New("something else"), CauseOther},
	} {
		if got := dnsCause(tt.err); got != tt.want {
			t.Errorf("dnsCause(%v) = %s, want %s", tt.err, got, tt.want)
		}
	}
}

func TestSystemDNSServer(t *testing.T) {
	path := t.TempDir() + "/resolv.conf"
	writeFile(t, path, "# comment\nnameserver 192.0.2.53\nnameserver 2001:db8::53\n")
	got, err := SystemDNSServer(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != "192.0.2.53:53" {
		t.Errorf("SystemDNSServer = %q, want 192.0.2.53:53", got)
	}
	writeFile(t, path, "search example\n")
	if _, err := SystemDNSServer(path); err == nil {
		t.Error("SystemDNSServer without nameserver succeeded")
	}
}
