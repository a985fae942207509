package domaincheck

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestResultJSON checks the contract's `check --json` shape, less `faq` and
// `message` (the caller's): every named field present, with null for what
// was not looked at or is not known.
func TestResultJSON(t *testing.T) {
	e := newEnv(t, map[string]site{"ok.example.cn": page(200, nil, "<footer>京ICP备12345678号</footer>")}, nil,
		"hk.example.com. 60 IN A 8.210.1.1",
		"ok.example.cn. 60 IN A 114.114.114.115")
	e.c.resolver.timeout = 200 * time.Millisecond
	contract := []string{"input", "domain", "ascii", "tld", "tld_approved", "verdict", "needs_filing",
		"addresses", "http", "https", "icp_number", "elapsed_ms"}
	for _, tt := range []struct {
		input string
		want  map[string]any // fields to compare exactly
	}{
		{"https://hk.example.com/x", map[string]any{
			"input": "https://hk.example.com/x", "domain": "hk.example.com", "ascii": "hk.example.com",
			"tld": "com", "tld_approved": true, "verdict": "outside_mainland", "needs_filing": false,
			"addresses": []any{map[string]any{"ip": "8.210.1.1", "region": "HK", "mainland": false}},
			"http":      nil, "https": nil, "icp_number": nil,
		}},
		{"ok.example.cn", map[string]any{
			"verdict": "mainland_reachable", "needs_filing": true, "icp_number": "京ICP备12345678号",
		}},
		{"8.8.8.8", map[string]any{
			"verdict": "ip_address", "tld": "", "http": nil, "https": nil, "icp_number": nil, "needs_filing": nil,
		}},
		{"missing.example.cn", map[string]any{"verdict": "not_resolving", "needs_filing": nil}},
		{"slow.example.cn", map[string]any{"verdict": "dns_error", "needs_filing": nil, "dns_cause": "timeout"}},
		{"fail.example.cn", map[string]any{"verdict": "dns_error", "needs_filing": nil, "dns_cause": "servfail"}},
	} {
		t.Run(tt.input, func(t *testing.T) {
			res := check(t, e.c, tt.input)
			b, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			for _, k := range contract {
				if _, ok := got[k]; !ok {
					t.Errorf("field %q missing from %s", k, b)
				}
			}
			for k, want := range tt.want {
				if diff := cmp.Diff(want, got[k]); diff != "" {
					t.Errorf("%s (-want +got):\n%s", k, diff)
				}
			}
			if p, ok := got["http"].(map[string]any); ok {
				for _, k := range []string{"status", "blocked"} {
					if _, ok := p[k]; !ok {
						t.Errorf("http.%s missing from %s", k, b)
					}
				}
			}
		})
	}
}

// TestCheckUnparsed: Check takes only targets from Parse.
func TestCheckUnparsed(t *testing.T) {
	c, err := New(Config{DNSServer: "127.0.0.1:1", Regions: testRegions})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Check(context.Background(), Target{Input: "x"})
	if !IsInputError(err) || res != nil {
		t.Errorf("Check(zero target) = %v, %v; want nil and an *InputError", res, err)
	}
}

// TestNoDNSServer: without a DNS server, names fail as DNS errors (nothing
// is sent anywhere) and IP addresses are still checked.
func TestNoDNSServer(t *testing.T) {
	c, err := New(Config{Regions: testRegions})
	if err != nil {
		t.Fatalf("New without a DNS server: %v", err)
	}
	res := check(t, c, "example.com")
	if res.Verdict != VerdictDNSError || res.DNSCause != CauseNoServer {
		t.Errorf("Check(example.com) = %s (%s), want %s (%s)", res.Verdict, res.DNSCause, VerdictDNSError, CauseNoServer)
	}
	if res := check(t, c, "8.8.8.8"); res.Verdict != VerdictIPAddress {
		t.Errorf("Check(8.8.8.8) = %s, want %s", res.Verdict, VerdictIPAddress)
	}
}
