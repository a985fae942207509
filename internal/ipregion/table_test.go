package ipregion

import (
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"
)

// makeTable builds a table in the whois.bin format from rows of
// "start country" for each family.
func makeTable(t *testing.T, v4, v6 []string) string {
	t.Helper()
	var b []byte
	b = append(b, "ipregion"...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(v4)))
	b = binary.BigEndian.AppendUint32(b, uint32(len(v6)))
	var cc []byte
	for _, r := range v4 {
		a, c, _ := strings.Cut(r, " ")
		x := netip.MustParseAddr(a).As4()
		b = append(b, x[:]...)
		cc = append(cc, c...)
	}
	b = append(b, cc...)
	cc = cc[:0]
	for _, r := range v6 {
		a, c, _ := strings.Cut(r, " ")
		x := netip.MustParseAddr(a).As16()
		b = append(b, x[:]...)
		cc = append(cc, c...)
	}
	return string(append(b, cc...))
}

func TestTableLookup(t *testing.T) {
	data := makeTable(t,
		[]string{"0.0.0.0 ZZ", "1.0.0.0 AU", "1.0.1.0 CN", "1.0.4.0 ZZ", "255.255.255.255 US"},
		[]string{":: ZZ", "2001:db8:: JP", "2001:db8::8000 DE", "2001:db9:: ZZ"})
	tab, err := parseTable(data)
	if err != nil {
		t.Fatalf("parseTable: %v", err)
	}
	tests := []struct{ addr, want string }{
		{"0.0.0.0", "ZZ"},
		{"0.255.255.255", "ZZ"},
		{"1.0.0.0", "AU"},
		{"1.0.0.255", "AU"},
		{"1.0.1.0", "CN"},
		{"1.0.3.255", "CN"},
		{"1.0.4.0", "ZZ"},
		{"255.255.255.254", "ZZ"},
		{"255.255.255.255", "US"},
		{"::", "ZZ"},
		{"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "ZZ"},
		{"2001:db8::", "JP"},
		{"2001:db8::7fff", "JP"},
		{"2001:db8::8000", "DE"},
		{"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "DE"},
		{"2001:db9::", "ZZ"},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ZZ"},
	}
	for _, tt := range tests {
		a := netip.MustParseAddr(tt.addr)
		var got string
		if a.Is4() {
			x := a.As4()
			got = tab.lookup4(binary.BigEndian.Uint32(x[:]))
		} else {
			x := a.As16()
			got = tab.lookup6(binary.BigEndian.Uint64(x[:8]), binary.BigEndian.Uint64(x[8:]))
		}
		if got != tt.want {
			t.Errorf("lookup(%s) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

func TestParseTableRejects(t *testing.T) {
	good := makeTable(t, []string{"0.0.0.0 ZZ"}, []string{":: ZZ"})
	tests := map[string]string{
		"empty":          "",
		"bad magic":      "ipregioX" + good[8:],
		"truncated":      good[:len(good)-1],
		"trailing bytes": good + "x",
		"not from zero":  makeTable(t, []string{"1.0.0.0 ZZ"}, []string{":: ZZ"}),
		"v6 not from 0":  makeTable(t, []string{"0.0.0.0 ZZ"}, []string{"::1 ZZ"}),
		"no v6 rows":     makeTable(t, []string{"0.0.0.0 ZZ"}, nil),
	}
	for name, data := range tests {
		if _, err := parseTable(data); err == nil {
			t.Errorf("%s: parseTable succeeded, want an error", name)
		}
	}
	if _, err := parseTable(good); err != nil {
		t.Errorf("parseTable(good): %v", err)
	}
}

func TestParseRoutes(t *testing.T) {
	cn4, cn6, err := parseRoutes("# comment\n1.0.2.0/24\n1.0.0.0/24\n1.0.1.0/24\n1.0.1.128/25\n\n9.0.0.0/8\n",
		"2400:3200::/32\n2400:3201::/32\n240e::/18\n")
	if err != nil {
		t.Fatalf("parseRoutes: %v", err)
	}
	if len(cn4) != 2 || len(cn6) != 2 {
		t.Fatalf("got %d IPv4 and %d IPv6 spans, want 2 and 2 (merged): %v %v", len(cn4), len(cn6), cn4, cn6)
	}
	for _, s := range []struct {
		addr string
		want bool
	}{{"1.0.0.0", true}, {"1.0.2.255", true}, {"1.0.3.0", false}, {"0.255.255.255", false}, {"9.255.255.255", true}, {"10.0.0.0", false}} {
		a := netip.MustParseAddr(s.addr).As4()
		if got := in(cn4, binary.BigEndian.Uint32(a[:])); got != s.want {
			t.Errorf("in(%s) = %v, want %v", s.addr, got, s.want)
		}
	}
	for _, s := range []struct {
		addr string
		want bool
	}{{"2400:3200::1", true}, {"2400:3201:ffff::", true}, {"2400:3202::", false}, {"240e:3fff::", true}, {"240e:4000::", false}, {"2400:31ff::", false}} {
		a := netip.MustParseAddr(s.addr).As16()
		if got := in(cn6, binary.BigEndian.Uint64(a[:8])); got != s.want {
			t.Errorf("in(%s) = %v, want %v", s.addr, got, s.want)
		}
	}
	for _, bad := range []string{"1.2.3.4", "1.0.0.0/33", "x"} {
		if _, _, err := parseRoutes(bad, ""); err == nil {
			t.Errorf("parseRoutes(%q) succeeded, want an error", bad)
		}
	}
	if _, _, err := parseRoutes("", "2400::/96"); err == nil {
		t.Error("parseRoutes accepted an IPv6 route longer than /64")
	}
}

func TestPublic(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"8.8.8.8", true},
		{"114.114.114.114", true},
		{"100.63.255.255", true},
		{"100.128.0.0", true},
		{"172.32.0.1", true},
		{"223.255.255.255", true},
		{"2400:3200::1", true},
		{"2001:4860:4860::8888", true},
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"10.0.0.1", false},
		{"100.64.0.1", false},
		{"100.127.255.255", false},
		{"127.0.0.1", false},
		{"127.1.2.3", false},
		{"169.254.169.254", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.0.0.8", false},
		{"192.0.2.1", false},
		{"192.168.1.1", false},
		{"198.18.0.1", false},
		{"198.19.255.255", false},
		{"198.51.100.1", false},
		{"203.0.113.1", false},
		{"224.0.0.1", false},
		{"240.0.0.1", false},
		{"255.255.255.255", false},
		{"::", false},
		{"::1", false},
		{"::ffff:8.8.8.8", false}, // mapped: callers unmap first
		{"::ffff:127.0.0.1", false},
		{"::127.0.0.1", false},
		{"64:ff9b::7f00:1", false},
		{"64:ff9b:1::a9fe:a9fe", false},
		{"2002:7f00:1::", false},
		{"2001::1", false},
		{"2001:db8::1", false},
		{"3fff::1", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"fe80::1", false},
		{"fec0::1", false},
		{"ff02::1", false},
		{"fe80::1%eth0", false},
	}
	for _, tt := range tests {
		if got := Public(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("Public(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
	if Public(netip.Addr{}) {
		t.Error("Public(zero Addr) = true, want false")
	}
}

func BenchmarkLookupV4(b *testing.B) {
	db := loadDB(b)
	addrs := []netip.Addr{netip.MustParseAddr("114.114.114.114"), netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("8.210.1.1"), netip.MustParseAddr("168.95.1.1")}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		db.Lookup(addrs[i%len(addrs)])
	}
}

func BenchmarkLookupV6(b *testing.B) {
	db := loadDB(b)
	addrs := []netip.Addr{netip.MustParseAddr("2400:3200::1"), netip.MustParseAddr("2001:4860:4860::8888"), netip.MustParseAddr("2001:b000::1"), netip.MustParseAddr("2001:218:6000:2::1")}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		db.Lookup(addrs[i%len(addrs)])
	}
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}
