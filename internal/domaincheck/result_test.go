package domaincheck

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestResultJSON checks the contract's `check --json` shape: every named
// field present, with null for what was not looked at.
func TestResultJSON(t *testing.T) {
	e := newEnv(t, map[string]site{"ok.example.cn": page(200, nil, "<footer>京ICP备12345678号</footer>")}, nil,
		"hk.example.com. 60 IN A 8.210.1.1",
		"ok.example.cn. 60 IN A 114.114.114.115")
	contract := []string{"input", "domain", "ascii", "tld", "tld_approved", "verdict", "needs_filing",
		"addresses", "http", "https", "icp_number", "faq", "message", "elapsed_ms"}
	for _, tt := range []struct {
		input string
		want  map[string]any // fields to compare exactly
	}{
		{"https://hk.example.com/x", map[string]any{
			"input": "https://hk.example.com/x", "domain": "hk.example.com", "ascii": "hk.example.com",
			"tld": "com", "tld_approved": true, "verdict": "outside_mainland", "needs_filing": false,
			"addresses": []any{map[string]any{"ip": "8.210.1.1", "region": "HK", "mainland": false}},
			"http":      nil, "https": nil, "icp_number": nil, "faq": []any{"section_cym_mzr_zdb"},
		}},
		{"ok.example.cn", map[string]any{
			"verdict": "mainland_reachable", "needs_filing": true, "icp_number": "京ICP备12345678号",
		}},
		{"8.8.8.8", map[string]any{
			"verdict": "ip_address", "tld": "", "http": nil, "https": nil, "icp_number": nil, "faq": []any{"section_bym_mzr_zdb"},
		}},
	} {
		t.Run(tt.input, func(t *testing.T) {
			res, err := e.c.Check(context.Background(), tt.input)
			if err != nil {
				t.Fatal(err)
			}
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
			if m, _ := got["message"].(string); m == "" {
				t.Errorf("empty message in %s", b)
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

func TestCheckBadInput(t *testing.T) {
	c, err := New(Config{DNSServer: "127.0.0.1:1", Regions: testRegions})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{"", "not a domain", "a..b", "javascript:alert(1)"} {
		res, err := c.Check(context.Background(), in)
		if !IsInputError(err) || res != nil {
			t.Errorf("Check(%q) = %v, %v; want nil and an *InputError", in, res, err)
		}
	}
}

// TestNoDNSServer: without a DNS server, names fail as DNS errors (nothing
// is sent anywhere) and IP addresses are still checked.
func TestNoDNSServer(t *testing.T) {
	c, err := New(Config{Regions: testRegions})
	if err != nil {
		t.Fatalf("New without a DNS server: %v", err)
	}
	res, err := c.Check(context.Background(), "example.com")
	if err != nil || res.Verdict != VerdictDNSError {
		t.Errorf("Check(example.com) = %+v, %v; want verdict %s", res, err, VerdictDNSError)
	}
	res, err = c.Check(context.Background(), "8.8.8.8")
	if err != nil || res.Verdict != VerdictIPAddress {
		t.Errorf("Check(8.8.8.8) = %+v, %v; want verdict %s", res, err, VerdictIPAddress)
	}
}

type fakeFilings map[string]*Filing

func (f fakeFilings) Filing(_ context.Context, registrable string) (*Filing, error) {
	return f[registrable], nil
}

func TestFilingLookupSeam(t *testing.T) {
	e := newEnv(t, nil, nil, "www.hk.example.com. 60 IN A 8.210.1.1")
	e.c.filings = fakeFilings{"example.com": {Number: "京ICP备12345678号", Source: "test"}}
	res, err := e.c.Check(context.Background(), "www.hk.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Filing{Number: "京ICP备12345678号", Source: "test"}, res.Filing); diff != "" {
		t.Errorf("filing (-want +got):\n%s", diff)
	}
}
