package domaincheck

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beianbot/beianbot/internal/ipregion"
	"github.com/google/go-cmp/cmp"
)

// fakeRegions places the test addresses.
type fakeRegions map[string]ipregion.Info

func (f fakeRegions) Lookup(a netip.Addr) ipregion.Info {
	if i, ok := f[a.String()]; ok {
		return i
	}
	return ipregion.Info{Region: "ZZ", Whois: "ZZ"}
}

var testRegions = fakeRegions{
	"114.114.114.114": {Region: "CN", Mainland: true, Whois: "CN"},
	"114.114.114.115": {Region: "CN", Mainland: true, Whois: "CN"},
	"114.114.114.116": {Region: "CN", Mainland: true, Whois: "CN"},
	"114.114.114.117": {Region: "CN", Mainland: true, Whois: "CN"},
	"114.114.114.118": {Region: "CN", Mainland: true, Whois: "CN"},
	"2400:3200::1":    {Region: "CN", Mainland: true, Whois: "CN"},
	"8.210.1.1":       {Region: "HK", Whois: "HK"},
	"8.8.8.8":         {Region: "US", Whois: "US"},
	"59.192.0.1":      {Region: "ZZ", Whois: "CN"},
}

// site is what the fake web servers serve for one Host.
type site func(w http.ResponseWriter, r *http.Request)

// env is a fake internet: a DNS server, a plain and a TLS web server on
// loopback, and a checker whose dialer sends every "public" address there.
type env struct {
	c        *Checker
	dns      *fakeDNS
	mu       sync.Mutex
	hosts    []string // Host headers seen
	sni      []string // TLS server names seen
	requests atomic.Int32
	dials    atomic.Int32
}

func newEnv(t testing.TB, sites map[string]site, dead []string, records ...string) *env {
	t.Helper()
	e := &env{dns: startDNS(t, records...)}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.requests.Add(1)
		e.mu.Lock()
		e.hosts = append(e.hosts, r.Host)
		e.mu.Unlock()
		if r.Header.Get("User-Agent") != userAgent {
			http.Error(w, "bad user agent", http.StatusBadRequest)
			return
		}
		if s, ok := sites[r.Host]; ok {
			s(w, r)
			return
		}
		http.NotFound(w, r)
	})
	plain := httptest.NewServer(handler)
	t.Cleanup(plain.Close)
	secure := httptest.NewUnstartedServer(handler)
	secure.TLS = &tls.Config{GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		e.mu.Lock()
		e.sni = append(e.sni, h.ServerName)
		e.mu.Unlock()
		return nil, nil
	}}
	secure.StartTLS()
	t.Cleanup(secure.Close)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := closed.Addr().String()
	closed.Close()

	c, err := New(Config{DNSServer: e.dns.addr, Regions: testRegions, ProbeTimeout: 2 * time.Second, DNSTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c.dialer.allow = func(a netip.Addr) bool { return a.IsLoopback() || ipregion.Public(a) }
	c.dialer.route = func(address string) string {
		e.dials.Add(1)
		ap := netip.MustParseAddrPort(address)
		switch {
		case slices.Contains(dead, ap.Addr().String()):
			return deadAddr
		case ap.Port() == 443:
			return secure.Listener.Addr().String()
		}
		return plain.Listener.Addr().String()
	}
	e.c = c
	return e
}

// check parses input and checks it.
func check(t *testing.T, c *Checker, input string) *Result {
	t.Helper()
	target, err := Parse(input)
	if err != nil {
		t.Fatalf("Parse(%q): %v", input, err)
	}
	res, err := c.Check(context.Background(), target)
	if err != nil {
		t.Fatalf("Check(%q): %v", input, err)
	}
	return res
}

// probeWantT is what a test expects of one probe.
type probeWantT struct {
	status    int
	blocked   bool
	blockedBy string
	location  string
	err       bool
}

func page(status int, headers map[string]string, body string) site {
	return func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
}

func TestCheckVerdicts(t *testing.T) {
	aliyun := string(readPage(t, "aliyun_block.html"))
	footer := string(readPage(t, "footer.html"))
	sites := map[string]site{
		"blocked.example.cn": page(403, map[string]string{"Server": "Beaver"}, aliyun),
		"tblock.example.cn":  page(302, map[string]string{"Location": "https://dnspod.qcloud.com/static/webblock.html?d=tblock.example.cn"}, ""),
		"ok.example.cn":      page(200, nil, footer),
		"www.ok.example.cn":  page(200, nil, footer),
		"nonum.example.com":  page(200, nil, "<html><title>hi</title>萌ICP备20240001号</html>"),
		"moved.example.cn":   page(301, map[string]string{"Location": "http://ok.example.cn/"}, ""),
		"mixed.example.cn":   page(200, nil, footer),
		"reset.example.cn": func(w http.ResponseWriter, _ *http.Request) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					tc.SetLinger(0)
				}
				conn.Close()
			}
		},
		"114.114.114.118": page(200, nil, "default site"),
	}
	e := newEnv(t, sites, []string{"114.114.114.116"},
		"blocked.example.cn. 60 IN A 114.114.114.114",
		"tblock.example.cn. 60 IN A 114.114.114.114",
		"ok.example.cn. 60 IN A 114.114.114.115",
		"www.ok.example.cn. 60 IN CNAME ok.example.cn.",
		"nonum.example.com. 60 IN AAAA 2400:3200::1",
		"moved.example.cn. 60 IN A 114.114.114.115",
		"dead.example.cn. 60 IN A 114.114.114.116",
		"reset.example.cn. 60 IN A 114.114.114.118",
		"mixed.example.cn. 60 IN A 114.114.114.115",
		"mixed.example.cn. 60 IN A 8.210.1.1",
		"hk.example.com. 60 IN A 8.210.1.1",
		"us.example.io. 60 IN A 8.8.8.8",
		"cnreg.example.com. 60 IN A 59.192.0.1",
		"private.example.cn. 60 IN A 127.0.0.1",
		"private.example.cn. 60 IN A 10.1.2.3",
		"private.example.cn. 60 IN A 169.254.169.254",
		"private.example.cn. 60 IN AAAA ::1",
		"halfprivate.example.com. 60 IN A 10.0.0.1",
		"halfprivate.example.com. 60 IN A 8.210.1.1",
	)

	yes, no := new(true), new(false)
	tests := []struct {
		input       string
		verdict     string
		needs       *bool // nil: unknown
		approved    bool
		reasons     []string
		addrs       []Address
		http, https *probeWantT
		icp         string
		kind        string
		cname       []string
	}{
		{input: "114.114.114.114", verdict: VerdictIPAddress, approved: false,
			addrs: []Address{{IP: "114.114.114.114", Region: "CN", Mainland: true}}},
		{input: "[2400:3200::1]", verdict: VerdictIPAddress,
			addrs: []Address{{IP: "2400:3200::1", Region: "CN", Mainland: true}}},
		{input: "127.0.0.1", verdict: VerdictPrivateAddress,
			addrs: []Address{{IP: "127.0.0.1", Region: "private"}}},
		{input: "missing.example.cn", verdict: VerdictNotResolving, approved: true, addrs: []Address{}},
		{input: "fail.example.cn", verdict: VerdictDNSError, approved: true, addrs: []Address{}},
		{input: "private.example.cn", verdict: VerdictPrivateAddress, approved: true,
			addrs: []Address{{IP: "127.0.0.1", Region: "private"}, {IP: "10.1.2.3", Region: "private"}, {IP: "169.254.169.254", Region: "private"}, {IP: "::1", Region: "private"}}},
		{input: "hk.example.com", verdict: VerdictOutsideMainland, needs: no, approved: true,
			addrs: []Address{{IP: "8.210.1.1", Region: "HK"}}},
		{input: "halfprivate.example.com", verdict: VerdictOutsideMainland, needs: no, approved: true, reasons: []string{ReasonPrivateAddresses},
			addrs: []Address{{IP: "10.0.0.1", Region: "private"}, {IP: "8.210.1.1", Region: "HK"}}},
		{input: "https://us.example.io/", verdict: VerdictOutsideMainland, needs: no, approved: false, reasons: []string{ReasonTLDNotApproved},
			addrs: []Address{{IP: "8.8.8.8", Region: "US"}}},
		{input: "cnreg.example.com", verdict: VerdictOutsideMainland, needs: no, approved: true, reasons: []string{ReasonRegisteredCN},
			addrs: []Address{{IP: "59.192.0.1", Region: "ZZ", Whois: "CN"}}},
		{input: "blocked.example.cn", verdict: VerdictMainlandBlocked, needs: yes, approved: true,
			reasons: []string{ReasonInterception},
			addrs:   []Address{{IP: "114.114.114.114", Region: "CN", Mainland: true}},
			http:    &probeWantT{status: 403, blocked: true, blockedBy: BlockAlibaba},
			https:   &probeWantT{status: 403, blocked: true, blockedBy: BlockAlibaba}},
		{input: "tblock.example.cn", verdict: VerdictMainlandBlocked, needs: yes, approved: true,
			reasons: []string{ReasonInterception},
			addrs:   []Address{{IP: "114.114.114.114", Region: "CN", Mainland: true}},
			http:    &probeWantT{status: 302, blocked: true, blockedBy: BlockTencent, location: "https://dnspod.qcloud.com/static/webblock.html?d=tblock.example.cn"},
			https:   &probeWantT{status: 302, blocked: true, blockedBy: BlockTencent, location: "https://dnspod.qcloud.com/static/webblock.html?d=tblock.example.cn"}},
		{input: "http://ok.example.cn/index.html", verdict: VerdictMainlandReachable, needs: yes, approved: true, reasons: []string{ReasonICPNumberShown},
			addrs: []Address{{IP: "114.114.114.115", Region: "CN", Mainland: true}},
			http:  &probeWantT{status: 200}, https: &probeWantT{status: 200},
			icp: "京ICP备12345678号-1", kind: KindFiling},
		{input: "www.ok.example.cn", verdict: VerdictMainlandReachable, needs: yes, approved: true, reasons: []string{ReasonICPNumberShown},
			addrs: []Address{{IP: "114.114.114.115", Region: "CN", Mainland: true}},
			http:  &probeWantT{status: 200}, https: &probeWantT{status: 200},
			icp: "京ICP备12345678号-1", kind: KindFiling, cname: []string{"ok.example.cn"}},
		{input: "nonum.example.com", verdict: VerdictMainlandReachable, needs: yes, approved: true, reasons: []string{ReasonNoICPNumber},
			addrs: []Address{{IP: "2400:3200::1", Region: "CN", Mainland: true}},
			http:  &probeWantT{status: 200}, https: &probeWantT{status: 200}},
		{input: "moved.example.cn", verdict: VerdictMainlandReachable, needs: yes, approved: true, reasons: []string{ReasonNoICPNumber},
			addrs: []Address{{IP: "114.114.114.115", Region: "CN", Mainland: true}},
			http:  &probeWantT{status: 301, location: "http://ok.example.cn/"}, https: &probeWantT{status: 301, location: "http://ok.example.cn/"}},
		{input: "dead.example.cn", verdict: VerdictMainlandUnreachable, needs: yes, approved: true, reasons: []string{ReasonBareIPSilent},
			addrs: []Address{{IP: "114.114.114.116", Region: "CN", Mainland: true}},
			http:  &probeWantT{err: true}, https: &probeWantT{err: true}},
		{input: "reset.example.cn", verdict: VerdictMainlandUnreachable, needs: yes, approved: true, reasons: []string{ReasonBareIPAnswers},
			addrs: []Address{{IP: "114.114.114.118", Region: "CN", Mainland: true}},
			http:  &probeWantT{err: true}, https: &probeWantT{err: true}},
		{input: "mixed.example.cn", verdict: VerdictMixed, needs: yes, approved: true,
			addrs: []Address{{IP: "114.114.114.115", Region: "CN", Mainland: true}, {IP: "8.210.1.1", Region: "HK"}},
			http:  &probeWantT{status: 200}, https: &probeWantT{status: 200}, icp: "京ICP备12345678号-1", kind: KindFiling},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			res := check(t, e.c, tt.input)
			if res.Verdict != tt.verdict {
				t.Errorf("verdict = %q, want %q", res.Verdict, tt.verdict)
			}
			if diff := cmp.Diff(tt.needs, res.NeedsFiling); diff != "" || res.TLDApproved != tt.approved {
				t.Errorf("needs_filing (-want +got):\n%s\ntld_approved = %v, want %v", diff, res.TLDApproved, tt.approved)
			}
			if diff := cmp.Diff(tt.reasons, res.Reasons); diff != "" {
				t.Errorf("reasons (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.addrs, res.Addresses); diff != "" {
				t.Errorf("addresses (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.cname, res.CNAME); diff != "" {
				t.Errorf("cname (-want +got):\n%s", diff)
			}
			checkProbe(t, "http", tt.http, res.HTTP)
			checkProbe(t, "https", tt.https, res.HTTPS)
			var icp string
			if res.ICPNumber != nil {
				icp = *res.ICPNumber
			}
			if icp != tt.icp || res.ICPKind != tt.kind {
				t.Errorf("icp_number, kind = %q, %q; want %q, %q", icp, res.ICPKind, tt.icp, tt.kind)
			}
		})
	}
	t.Run("probes carry the domain", func(t *testing.T) {
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, want := range []string{"blocked.example.cn", "ok.example.cn", "114.114.114.115"} {
			if !slices.Contains(e.hosts, want) {
				t.Errorf("no request with Host %q; saw %v", want, e.hosts)
			}
		}
		if !slices.Contains(e.sni, "blocked.example.cn") || slices.Contains(e.sni, "") {
			t.Errorf("TLS server names seen %v, want the domains", e.sni)
		}
	})
	t.Run("redirects are not followed", func(t *testing.T) {
		before := e.requests.Load()
		res := check(t, e.c, "moved.example.cn")
		// http, https and the control request: three, none for the redirect target.
		if got := e.requests.Load() - before; got != 3 {
			t.Errorf("%d requests for one check, want 3 (http, https, control); control %+v", got, res.Control)
		}
	})
}

func checkProbe(t *testing.T, name string, want *probeWantT, got *Probe) {
	t.Helper()
	if want == nil {
		if got != nil {
			t.Errorf("%s probe = %+v, want none", name, got)
		}
		return
	}
	if got == nil {
		t.Errorf("%s probe missing", name)
		return
	}
	if got.Status != want.status || got.Blocked != want.blocked || got.BlockedBy != want.blockedBy || got.Location != want.location || (got.Error != "") != want.err {
		t.Errorf("%s probe = %+v, want %+v", name, got, *want)
	}
}

// TestCheckNeverProbesPrivate: a name resolving to loopback, private and
// metadata addresses is never connected to, even with a dialer that would
// let loopback through.
func TestCheckNeverProbesPrivate(t *testing.T) {
	e := newEnv(t, nil, nil,
		"evil.example.com. 60 IN A 127.0.0.1",
		"evil.example.com. 60 IN A 10.0.0.1",
		"evil.example.com. 60 IN A 169.254.169.254",
		"evil.example.com. 60 IN A 100.64.0.1",
		"evil.example.com. 60 IN AAAA ::ffff:127.0.0.1",
		"evil.example.com. 60 IN AAAA 64:ff9b::a9fe:a9fe",
		"evil.example.com. 60 IN AAAA fe80::1",
	)
	// Even a region lookup that calls these addresses mainland changes nothing.
	e.c.regions = fakeRegions{
		"127.0.0.1": {Region: "CN", Mainland: true}, "10.0.0.1": {Region: "CN", Mainland: true},
		"169.254.169.254": {Region: "CN", Mainland: true}, "100.64.0.1": {Region: "CN", Mainland: true},
		"64:ff9b::a9fe:a9fe": {Region: "CN", Mainland: true}, "fe80::1": {Region: "CN", Mainland: true},
	}
	res := check(t, e.c, "evil.example.com")
	if res.Verdict != VerdictPrivateAddress {
		t.Errorf("verdict = %q, want private_address", res.Verdict)
	}
	if res.HTTP != nil || res.HTTPS != nil || res.Control != nil {
		t.Errorf("probes ran: http %+v https %+v control %+v", res.HTTP, res.HTTPS, res.Control)
	}
	if n := e.dials.Load(); n != 0 {
		t.Errorf("%d dials, want none", n)
	}
	if n := e.requests.Load(); n != 0 {
		t.Errorf("%d requests reached the servers, want none", n)
	}
	for _, a := range res.Addresses {
		if a.Region != ipregion.Private || a.Mainland {
			t.Errorf("address %+v, want region private", a)
		}
	}
}

// TestDialerGuard checks the dialer itself: it refuses non-public addresses
// it is asked for, and non-public addresses the socket would actually
// connect to (here after a rewrite, as a second DNS answer would be).
func TestDialerGuard(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int32
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	})
	defer wg.Wait()
	defer ln.Close()
	target := ln.Addr().String()
	d := dialer{allow: publicOnly, timeout: time.Second, route: func(string) string { return target }}
	for _, addr := range []string{
		"114.114.114.114:80", // public, but the socket would reach 127.0.0.1: Control refuses
		target,
		"10.0.0.1:80",
		"169.254.169.254:80",
		"100.64.0.1:80",
		"0.0.0.0:80",
		"[::1]:80",
		"[::ffff:127.0.0.1]:80",
		"[::ffff:8.8.8.8]:80",
		"[64:ff9b::7f00:1]:80",
		"[fe80::1%25lo]:80",
		"localhost:80",
		"example.com:80",
	} {
		conn, err := d.DialContext(context.Background(), "tcp", addr)
		if err == nil {
			conn.Close()
			t.Errorf("dial %s succeeded, want refusal", addr)
			continue
		}
		if !errors.Is(err, ErrNotPublic) {
			t.Errorf("dial %s: %v, want ErrNotPublic", addr, err)
		}
	}
	if n := accepted.Load(); n != 0 {
		t.Errorf("listener accepted %d connections, want none", n)
	}
	// The same dialer with loopback allowed does connect: the refusals above
	// are the guard's doing, not a broken route.
	d.allow = func(a netip.Addr) bool { return a.IsLoopback() || ipregion.Public(a) }
	conn, err := d.DialContext(context.Background(), "tcp", "114.114.114.114:80")
	if err != nil {
		t.Fatalf("dial with loopback allowed: %v", err)
	}
	conn.Close()
}

// TestCheckHungServer: a server that accepts and never answers gives
// mainland_unreachable with timeouts once the probe timeout passes.
func TestCheckHungServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	e := newEnv(t, nil, nil, "hung.example.cn. 60 IN A 114.114.114.117")
	e.c.probeTO = 300 * time.Millisecond
	e.c.dialer.route = func(string) string { return ln.Addr().String() }
	res := check(t, e.c, "hung.example.cn")
	if res.Verdict != VerdictMainlandUnreachable {
		t.Errorf("verdict = %q, want mainland_unreachable", res.Verdict)
	}
	for name, p := range map[string]*Probe{"http": res.HTTP, "https": res.HTTPS, "control": res.Control} {
		if p == nil || p.Error != "timeout" {
			t.Errorf("%s probe = %+v, want a timeout", name, p)
		}
	}
}

// TestCheckManyAddresses: a name with thousands of A and AAAA records,
// answered over TCP, gives a result of bounded size that keeps mainland
// addresses and counts the rest.
func TestCheckManyAddresses(t *testing.T) {
	e := newEnv(t, nil, []string{"114.114.114.116"}, manyRecords("big.many.example.com.")...)
	res := check(t, e.c, "big.many.example.com")
	if e.dns.tcp.Load() == 0 {
		t.Fatal("the answer did not come over TCP")
	}
	if res.Verdict != VerdictMixed {
		t.Errorf("verdict = %s, want mixed (one mainland and one Hong Kong address among the private ones)", res.Verdict)
	}
	if diff := cmp.Diff(&More{IPv4: 4002 - MaxAddresses, IPv6: 2300 - MaxAddresses}, res.More); diff != "" {
		t.Errorf("more_addresses (-want +got):\n%s", diff)
	}
	if len(res.Addresses) != 2*MaxAddresses {
		t.Errorf("%d addresses kept, want %d", len(res.Addresses), 2*MaxAddresses)
	}
	if diff := cmp.Diff([]Address{{IP: "114.114.114.116", Region: "CN", Mainland: true}, {IP: "8.210.1.1", Region: "HK"}}, res.Addresses[:2]); diff != "" {
		t.Errorf("first addresses kept (-want +got):\n%s", diff)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 8<<10 {
		t.Errorf("result is %d bytes of JSON, want at most 8 KiB", len(b))
	}
}

// BenchmarkCheckManyAddresses checks a name with 4,002 A and 2,300 AAAA
// records (over TCP from a loopback server) and reports the size of the
// result kept, in bytes of JSON.
func BenchmarkCheckManyAddresses(b *testing.B) {
	e := newEnv(b, nil, []string{"114.114.114.116"}, manyRecords("big.many.example.com.")...)
	target, err := Parse("big.many.example.com")
	if err != nil {
		b.Fatal(err)
	}
	var size int
	for b.Loop() {
		res, err := e.c.Check(context.Background(), target)
		if err != nil {
			b.Fatal(err)
		}
		j, err := json.Marshal(res)
		if err != nil {
			b.Fatal(err)
		}
		size = len(j)
	}
	b.ReportMetric(float64(size), "result-bytes")
}

// manyRecords gives name 4,000 private and one Hong Kong and one mainland
// A record, and 2,300 AAAA records.
func manyRecords(name string) []string {
	var records []string
	for i := range 4000 {
		records = append(records, fmt.Sprintf("%s 60 IN A 10.%d.%d.1", name, i/250, i%250))
	}
	for i := range 2300 {
		records = append(records, fmt.Sprintf("%s 60 IN AAAA 2001:db8::%x", name, i+1))
	}
	return append(records, name+" 60 IN A 8.210.1.1", name+" 60 IN A 114.114.114.116")
}
