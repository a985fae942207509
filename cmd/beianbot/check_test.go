package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/dnstest"
	"github.com/beianbot/beianbot/internal/store"
	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

// startCheckDNS runs a DNS server on loopback, over UDP and TCP: names in
// zone get their A records, "servfail." names get SERVFAIL, "many." names
// 4,000 private A and 2,300 AAAA records plus one Hong Kong address
// (truncated over UDP, whole over TCP), everything else NXDOMAIN. No name
// resolves to a public mainland address, so no test probes anything.
func startCheckDNS(t testing.TB, zone map[string]string) string {
	t.Helper()
	pc, ln := dnstest.Listen(t)
	handler := func(overTCP bool) dns.HandlerFunc {
		return func(w dns.ResponseWriter, q *dns.Msg) {
			m := new(dns.Msg)
			m.SetReply(q)
			m.Compress = true
			name := strings.ToLower(q.Question[0].Name)
			qtype := q.Question[0].Qtype
			switch ip, ok := zone[name]; {
			case strings.HasPrefix(name, "servfail."):
				m.Rcode = dns.RcodeServerFailure
			case strings.HasPrefix(name, "many.") && !overTCP:
				m.Truncated = true
			case strings.HasPrefix(name, "many."):
				m.Answer = manyRecords(name, qtype)
			case !ok:
				m.Rcode = dns.RcodeNameError
			case qtype == dns.TypeA:
				rr, _ := dns.NewRR(name + " 60 IN A " + ip)
				m.Answer = append(m.Answer, rr)
			}
			w.WriteMsg(m)
		}
	}
	servers := []*dns.Server{
		{PacketConn: pc, Handler: handler(false)},
		{Listener: ln, Handler: handler(true)},
	}
	var wg sync.WaitGroup
	for _, srv := range servers {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		wg.Go(func() { srv.ActivateAndServe() })
		<-started
	}
	t.Cleanup(func() {
		for _, srv := range servers {
			srv.Shutdown()
		}
		wg.Wait()
	})
	return pc.LocalAddr().String()
}

// manyRecords is the answer for a "many." name: thousands of addresses.
func manyRecords(name string, qtype uint16) []dns.RR {
	var out []dns.RR
	add := func(rr dns.RR, err error) {
		if err == nil {
			out = append(out, rr)
		}
	}
	switch qtype {
	case dns.TypeA:
		for i := range 4000 {
			add(dns.NewRR(fmt.Sprintf("%s 60 IN A 10.%d.%d.1", name, i/250, i%250)))
		}
		add(dns.NewRR(name + " 60 IN A 8.210.1.1"))
	case dns.TypeAAAA:
		for i := range 2300 {
			add(dns.NewRR(fmt.Sprintf("%s 60 IN AAAA fd00::%x", name, i+1)))
		}
	}
	return out
}

func TestCheckCommand(t *testing.T) {
	server := startCheckDNS(t, map[string]string{
		"private.example.cn.": "10.1.2.3",
		"us.example.io.":      "8.8.8.8",
	})
	getenv := func(k string) string {
		return map[string]string{"BEIANBOT_DNS_SERVER": server}[k]
	}
	tests := []struct {
		args     []string
		code     int
		verdict  string   // for --json runs
		region   string   // first address's region, for --json runs
		faq      []string // for --json runs
		needs    any      // needs_filing, for --json runs
		stdoutIn []string // for human output
	}{
		{args: []string{"check", "--json", "missing.example.cn"}, code: 0, verdict: "not_resolving", faq: []string{"section_iym_mzr_zdb"}},
		{args: []string{"check", "--json", "servfail.example.cn"}, code: 0, verdict: "dns_error", faq: []string{}},
		{args: []string{"check", "--json", "http://private.example.cn:8080/x"}, code: 0, verdict: "private_address", region: "private", faq: []string{}},
		{args: []string{"check", "--json", "us.example.io"}, code: 0, verdict: "outside_mainland", region: "US", faq: []string{"section_cym_mzr_zdb"}, needs: false},
		{args: []string{"check", "--json", "8.8.8.8"}, code: 0, verdict: "ip_address", region: "US", faq: []string{"section_bym_mzr_zdb"}},
		{args: []string{"check", "--json", "[2400:3200::1]"}, code: 0, verdict: "ip_address", region: "CN", faq: []string{"section_bym_mzr_zdb"}},
		{args: []string{"check", "--json", "127.0.0.1"}, code: 0, verdict: "private_address", region: "private", faq: []string{}},
		{args: []string{"check", "114.114.114.114"}, code: 0, stdoutIn: []string{"114.114.114.114：IP 地址", "(ip_address, "}},
		{args: []string{"check", "--lang", "en", "us.example.io"}, code: 0, stdoutIn: []string{"Every address of us.example.io is outside mainland China",
			"Related FAQ:\n\n- 我的网站域名指向的是香港地区节点服务器，需要备案吗？"}},
		// The operator sees the private addresses the chat does not name.
		{args: []string{"check", "--lang=en", "private.example.cn"}, code: 0, stdoutIn: []string{"Address 10.1.2.3: private or reserved"}},
		{args: []string{"check", "missing.example.cn", "--json"}, code: 0, verdict: "not_resolving", faq: []string{"section_iym_mzr_zdb"}},
		{args: []string{"check"}, code: 2},
		{args: []string{"check", "a..b"}, code: 2},
		{args: []string{"check", "not a domain"}, code: 2},
		{args: []string{"check", "a.com", "b.com"}, code: 2},
		{args: []string{"check", "--bogus", "a.com"}, code: 2},
		{args: []string{"check", "--lang", "fr", "a.com"}, code: 2},
		{args: []string{"check", strings.Repeat("x", 10<<10)}, code: 2},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, getenv, strings.NewReader(""), &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("exit code %d, want %d; stderr %q", code, tt.code, stderr.String())
			}
			if code == 2 {
				if lines := strings.Count(strings.TrimSuffix(stderr.String(), "\n"), "\n"); lines != 0 || stderr.Len() == 0 {
					t.Errorf("stderr %q, want one line", stderr.String())
				}
				if stdout.Len() != 0 {
					t.Errorf("stdout %q, want nothing", stdout.String())
				}
				return
			}
			if tt.stdoutIn != nil {
				for _, want := range tt.stdoutIn {
					if !strings.Contains(stdout.String(), want) {
						t.Errorf("stdout %q lacks %q", stdout.String(), want)
					}
				}
				if n := strings.Count(stdout.String(), "Address "); n > 1 {
					t.Errorf("stdout lists %d addresses, want each once:\n%s", n, stdout.String())
				}
				return
			}
			var res struct {
				Verdict   string `json:"verdict"`
				Addresses []struct {
					Region string `json:"region"`
				} `json:"addresses"`
				HTTP        *json.RawMessage `json:"http"`
				FAQ         []string         `json:"faq"`
				Message     string           `json:"message"`
				NeedsFiling any              `json:"needs_filing"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout.String())
			}
			if strings.Count(strings.TrimSpace(stdout.String()), "\n") != 0 {
				t.Errorf("JSON output spans lines:\n%s", stdout.String())
			}
			var region string
			if len(res.Addresses) > 0 {
				region = res.Addresses[0].Region
			}
			if diff := cmp.Diff([]string{tt.verdict, tt.region}, []string{res.Verdict, region}); diff != "" {
				t.Errorf("verdict, region (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.faq, res.FAQ); diff != "" {
				t.Errorf("faq (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.needs, res.NeedsFiling); diff != "" {
				t.Errorf("needs_filing (-want +got):\n%s", diff)
			}
			if res.Message == "" || strings.Contains(res.Message, "**") {
				t.Errorf("message %q, want the verdict explained in plain words", res.Message)
			}
			if res.HTTP != nil {
				t.Errorf("http probe ran: %s", *res.HTTP)
			}
		})
	}
}

// TestCheckManyAddresses: a name with thousands of addresses gives a
// bounded result, reply and JSON.
func TestCheckManyAddresses(t *testing.T) {
	server := startCheckDNS(t, nil)
	getenv := func(k string) string { return map[string]string{"BEIANBOT_DNS_SERVER": server}[k] }
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"check", "--json", "many.example.com"}, getenv, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr %q", code, stderr.String())
	}
	var res struct {
		Verdict   string            `json:"verdict"`
		Addresses []json.RawMessage `json:"addresses"`
		More      map[string]int    `json:"more_addresses"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"ipv4": 4001 - 16, "ipv6": 2300 - 16}, res.More); diff != "" || res.Verdict != "outside_mainland" || len(res.Addresses) != 32 {
		t.Errorf("verdict %s, %d addresses, more_addresses (-want +got):\n%s", res.Verdict, len(res.Addresses), diff)
	}
	if stdout.Len() > 8<<10 {
		t.Errorf("JSON is %d bytes, want at most 8 KiB", stdout.Len())
	}
	stdout.Reset()
	if code := run(context.Background(), []string{"check", "--lang", "en", "many.example.com"}, getenv, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d; stderr %q", code, stderr.String())
	}
	if out := stdout.String(); len(out) > 4<<10 || !strings.Contains(out, "… and 6269 more") || !strings.Contains(out, "Address 8.210.1.1: Hong Kong") {
		t.Errorf("report (%d bytes) does not show the Hong Kong address and count the rest:\n%s", len(out), out)
	}
}

func TestDNSServer(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:5353": "127.0.0.1:5353",
		"127.0.0.1":      "127.0.0.1:53",
		"[::1]:53":       "[::1]:53",
		"::1":            "[::1]:53",
		"dns.example":    "dns.example:53",
	} {
		got, err := dnsServer(in)
		if err != nil || got != want {
			t.Errorf("dnsServer(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := dnsServer("bad value/x"); err == nil {
		t.Error("dnsServer accepted a bad value")
	}
}

// BenchmarkChecksOfManyAddresses runs chat checks of distinct names with
// thousands of addresses each through the responder, its cache in memory,
// and reports the live heap afterwards (everything cached is still held):
// compare -benchtime=100x with -benchtime=1000x.
func BenchmarkChecksOfManyAddresses(b *testing.B) {
	checker, err := newChecker(startCheckDNS(b, nil), nil)
	if err != nil {
		b.Fatal(err)
	}
	st := store.NewMemory()
	r := bot.New(bot.Config{Checker: checker, Store: st})
	ctx := context.Background()
	var longest int
	i := 0
	for b.Loop() {
		msg := bot.Message{Platform: bot.PlatformConsole, ChatID: "c", UserID: "u", Direct: true, Text: fmt.Sprintf("check many.%d.example.com", i)}
		i++
		ack := r.Handle(ctx, msg)
		if ack.FollowUp == nil {
			b.Fatalf("check not started: %q", ack.Text)
		}
		rep := ack.FollowUp(ctx)
		longest = max(longest, len(rep.Text))
	}
	b.StopTimer()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MB")
	b.ReportMetric(float64(longest), "reply-bytes")
	runtime.KeepAlive(r)
}
