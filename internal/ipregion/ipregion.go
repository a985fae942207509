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
	cn4   []span4
	cn6   []span6
}

type span4 struct{ lo, hi uint32 }

// span6 holds the upper 64 bits of an IPv6 range: every mainland IPv6 route
// is /48 or shorter, so the lower half never decides.
type span6 struct{ lo, hi uint64 }

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
		mainland = in4(db.cn4, v)
	} else {
		a := addr.As16()
		hi, lo := be64(a[:8]), be64(a[8:])
		whois = db.whois.lookup6(hi, lo)
		mainland = in6(db.cn6, hi)
	}
	switch {
	case mainland:
		return Info{Region: Mainland, Mainland: true, Whois: whois}
	case whois == Mainland:
		return Info{Region: Unknown, Whois: whois}
	}
	return Info{Region: whois, Whois: whois}
}

func in4(spans []span4, v uint32) bool {
	i, _ := slices.BinarySearchFunc(spans, v, func(s span4, v uint32) int {
		if s.hi < v {
			return -1
		}
		if s.lo > v {
			return 1
		}
		return 0
	})
	return i < len(spans) && spans[i].lo <= v && v <= spans[i].hi
}

func in6(spans []span6, v uint64) bool {
	i, _ := slices.BinarySearchFunc(spans, v, func(s span6, v uint64) int {
		if s.hi < v {
			return -1
		}
		if s.lo > v {
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
func parseRoutes(v4, v6 string) ([]span4, []span6, error) {
	var cn4 []span4
	var cn6 []span6
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
				cn4 = append(cn4, span4{lo, hi})
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
			cn6 = append(cn6, span6{lo, hi})
		}
		if err := sc.Err(); err != nil {
			return nil, nil, err
		}
	}
	slices.SortFunc(cn4, func(a, b span4) int { return cmpU(a.lo, b.lo) })
	slices.SortFunc(cn6, func(a, b span6) int { return cmpU(a.lo, b.lo) })
	return mergeSpans(cn4, func(s span4) (uint64, uint64) { return uint64(s.lo), uint64(s.hi) },
			func(lo, hi uint64) span4 { return span4{uint32(lo), uint32(hi)} }),
		mergeSpans(cn6, func(s span6) (uint64, uint64) { return s.lo, s.hi },
			func(lo, hi uint64) span6 { return span6{lo, hi} }), nil
}

func cmpU[T uint32 | uint64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// mergeSpans joins overlapping and touching spans of a sorted list.
func mergeSpans[S any](in []S, get func(S) (uint64, uint64), mk func(lo, hi uint64) S) []S {
	out := in[:0]
	var curLo, curHi uint64
	have := false
	for _, s := range in {
		lo, hi := get(s)
		if have && (lo <= curHi || (curHi != ^uint64(0) && lo == curHi+1)) {
			curHi = max(curHi, hi)
			continue
		}
		if have {
			out = append(out, mk(curLo, curHi))
		}
		curLo, curHi, have = lo, hi, true
	}
	if have {
		out = append(out, mk(curLo, curHi))
	}
	return slices.Clip(out)
}
