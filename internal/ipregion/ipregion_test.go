package ipregion

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func loadDB(t testing.TB) *DB {
	t.Helper()
	db, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return db
}

func TestLookup(t *testing.T) {
	db := loadDB(t)
	tests := []struct {
		addr string
		want Info
	}{
		// Mainland by routing, and by WHOIS too.
		{"114.114.114.114", Info{Region: "CN", Mainland: true, Whois: "CN"}},
		{"223.5.5.5", Info{Region: "CN", Mainland: true, Whois: "CN"}},
		// Routing wins: Alibaba Cloud Beijing space registered in Singapore.
		{"8.140.218.13", Info{Region: "CN", Mainland: true, Whois: "SG"}},
		// Routed in the mainland although WHOIS says HK.
		{"119.29.29.29", Info{Region: "CN", Mainland: true, Whois: "HK"}},
		{"8.210.1.1", Info{Region: "HK", Whois: "HK"}},
		{"43.154.1.1", Info{Region: "HK", Whois: "HK"}},
		{"202.175.3.3", Info{Region: "MO", Whois: "MO"}},
		{"168.95.1.1", Info{Region: "TW", Whois: "TW"}},
		{"8.8.8.8", Info{Region: "US", Whois: "US"}},
		{"1.1.1.1", Info{Region: "AU", Whois: "AU"}},
		// Registered in China, announced by no mainland operator: unknown.
		{"59.192.0.1", Info{Region: "ZZ", Whois: "CN"}},
		// IPv4-mapped IPv6 is looked up as IPv4.
		{"::ffff:114.114.114.114", Info{Region: "CN", Mainland: true, Whois: "CN"}},
		// IPv6.
		{"2400:3200::1", Info{Region: "CN", Mainland: true, Whois: "CN"}},
		{"2402:4e00::", Info{Region: "CN", Mainland: true, Whois: "CN"}},
		{"240e::1", Info{Region: "CN", Mainland: true, Whois: "CN"}},
		{"2001:da8::1", Info{Region: "CN", Mainland: true, Whois: "AU"}}, // CERNET; the WHOIS row is wrong, routing wins
		{"2001:4860:4860::8888", Info{Region: "US", Whois: "US"}},
		{"2001:b000::1", Info{Region: "TW", Whois: "TW"}},
		{"2001:218:6000:2::1", Info{Region: "HK", Whois: "HK"}},
		// Not public.
		{"127.0.0.1", Info{Region: "private"}},
		{"10.1.2.3", Info{Region: "private"}},
		{"169.254.169.254", Info{Region: "private"}},
		{"100.64.0.1", Info{Region: "private"}},
		{"::1", Info{Region: "private"}},
		{"fd00::1", Info{Region: "private"}},
		{"::ffff:10.0.0.1", Info{Region: "private"}},
		{"64:ff9b::a00:1", Info{Region: "private"}},
		{"255.255.255.255", Info{Region: "private"}},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got := db.Lookup(netip.MustParseAddr(tt.addr))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Lookup(%s) mismatch (-want +got):\n%s", tt.addr, diff)
			}
		})
	}
}
