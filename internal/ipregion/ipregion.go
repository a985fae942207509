// Package ipregion tells, offline, where an IP address is: mainland China,
// Hong Kong, Macao, Taiwan, another country, unknown, or not a public address
// at all.
//
// Two embedded data sets decide it, and they are combined by one rule:
// routing wins for the mainland.
//
//   - Mainland China is the set of routes that mainland operators announce in
//     BGP (gaoyifan/china-operator-ip, MIT; data/china.txt and data/china6.txt).
//     An address in it is "CN" whatever WHOIS says: several Alibaba Cloud and
//     Tencent Cloud mainland ranges are registered abroad (8.140.0.0/16 is
//     registered in Singapore but served from Beijing).
//   - Every other address gets the country of its range from the NRO-derived
//     GeoFeed/WHOIS/ASN table (npm @ip-location-db/geo-whois-asn-country,
//     CC BY 4.0 by the NRO; data/whois.bin), except one case: a range
//     registered in China ("CN" in WHOIS) that no mainland operator announces
//     is reported as "ZZ" (unknown), with Info.Whois set to "CN". Such space
//     is either not in use or served from outside the mainland (some cloud
//     space registered in China is announced from Hong Kong), and the table
//     cannot say which; calling it mainland would contradict the routing data,
//     and calling it Hong Kong would be a guess.
//
// Loopback, private, link-local, CGNAT, multicast, documentation and other
// special-purpose addresses are "private" (see Public).
//
// Lookups take well under a microsecond and do not allocate; the country
// table is read in place from the embedded bytes (see README.md for figures
// and the refresh command).
package ipregion

import (
	"bufio"
	"cmp"
	_ "embed"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Regions with a special meaning.
const (
	// Mainland is mainland China.
	Mainland = "CN"
	// Unknown is an address no data set places.
	Unknown = "ZZ"
	// Private is a loopback, private, link-local or other non-public address.
	Private = "private"
)

//go:embed data/whois.bin
var whoisBin string

//go:embed data/china.txt
var chinaV4 string

//go:embed data/china6.txt
var chinaV6 string

// Info is where an address is.
type Info struct {
	// Region is "CN" for mainland China, "HK", "MO", "TW", another ISO 3166
	// alpha-2 code, "ZZ" when unknown, or "private".
	Region string
	// Mainland is true when a mainland Chinese operator routes the address.
	Mainland bool
	// Whois is the country the address range is registered to (GeoFeed,
	// WHOIS or ASN data), "ZZ" when none is, "" for a private address.
	Whois string
}

// DB answers lookups. It is immutable and safe for concurrent use.
type DB struct {
	whois table
	cn4   []span[uint32]
	cn6   []span[uint64]
}

// span is an inclusive range of IPv4 addresses, or of the upper 64 bits of
// IPv6 addresses: every mainland IPv6 route is /48 or shorter, so the lower
// half never decides.
type span[T uint32 | uint64] struct{ lo, hi T }

// Load returns the DB built from the embedded data. It takes a few
// milliseconds (parsing the mainland route lists); call it once and share
// the result.
func Load() (*DB, error) {
	t, err := parseTable(whoisBin)
	if err != nil {
		return nil, fmt.Errorf("load ip country table: %w", err)
	}
	cn4, cn6, err := parseRoutes(chinaV4, chinaV6)
	if err != nil {
		return nil, fmt.Errorf("load mainland routes: %w", err)
	}
	return &DB{whois: t, cn4: cn4, cn6: cn6}, nil
}

// Lookup returns where addr is. An IPv4-mapped IPv6 address is looked up as
// the IPv4 address it carries.
func (db *DB) Lookup(addr netip.Addr) Info {
	addr = addr.Unmap()
	if !Public(addr) {
		return Info{Region: Private}
	}
	var whois string
	var mainland bool
	if addr.Is4() {
		a4 := addr.As4()
		v := uint32(a4[0])<<24 | uint32(a4[1])<<16 | uint32(a4[2])<<8 | uint32(a4[3])
		whois = db.whois.lookup4(v)
		mainland = in(db.cn4, v)
	} else {
		a := addr.As16()
		hi, lo := be64(a[:8]), be64(a[8:])
		whois = db.whois.lookup6(hi, lo)
		mainland = in(db.cn6, hi)
	}
	switch {
	case mainland:
		return Info{Region: Mainland, Mainland: true, Whois: whois}
	case whois == Mainland:
		return Info{Region: Unknown, Whois: whois}
	}
	return Info{Region: whois, Whois: whois}
}

// in reports whether v falls in one of the sorted, disjoint spans.
func in[T uint32 | uint64](spans []span[T], v T) bool {
	i, _ := slices.BinarySearchFunc(spans, v, func(s span[T], v T) int {
		switch {
		case s.hi < v:
			return -1
		case s.lo > v:
			return 1
		}
		return 0
	})
	return i < len(spans) && spans[i].lo <= v && v <= spans[i].hi
}

func be64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
		uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
}

// parseRoutes reads the CIDR lists, one prefix a line, into sorted, merged
// spans.
func parseRoutes(v4, v6 string) ([]span[uint32], []span[uint64], error) {
	var cn4 []span[uint32]
	var cn6 []span[uint64]
	for _, src := range []string{v4, v6} {
		sc := bufio.NewScanner(strings.NewReader(src))
		line := 0
		for sc.Scan() {
			line++
			s := strings.TrimSpace(sc.Text())
			if s == "" || strings.HasPrefix(s, "#") {
				continue
			}
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, nil, fmt.Errorf("line %d: %w", line, err)
			}
			p = p.Masked()
			if p.Addr().Is4() {
				a := p.Addr().As4()
				lo := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
				hi := lo | uint32(uint64(1)<<(32-p.Bits())-1)
				cn4 = append(cn4, span[uint32]{lo, hi})
				continue
			}
			if p.Bits() > 64 {
				return nil, nil, fmt.Errorf("line %d: %s is longer than /64", line, s)
			}
			a := p.Addr().As16()
			lo := be64(a[:8])
			hi := lo
			if p.Bits() < 64 {
				hi = lo | (uint64(1)<<(64-p.Bits()) - 1)
			}
			cn6 = append(cn6, span[uint64]{lo, hi})
		}
		if err := sc.Err(); err != nil {
			return nil, nil, err
		}
	}
	return mergeSpans(cn4), mergeSpans(cn6), nil
}

// mergeSpans sorts spans and joins overlapping and touching ones.
func mergeSpans[T uint32 | uint64](in []span[T]) []span[T] {
	slices.SortFunc(in, func(a, b span[T]) int { return cmp.Compare(a.lo, b.lo) })
	out := in[:0]
	for _, s := range in {
		if n := len(out); n > 0 && (s.lo <= out[n-1].hi || out[n-1].hi+1 == s.lo) {
			out[n-1].hi = max(out[n-1].hi, s.hi)
			continue
		}
		out = append(out, s)
	}
	return slices.Clip(out)
}
