package ipregion

import "fmt"

// table is the country table, read in place from data/whois.bin:
//
//	"ipregion"            8-byte magic
//	n4, n6                uint32 big-endian: number of IPv4 and IPv6 rows
//	n4 × 4 bytes          IPv4 row starts, ascending, the first 0.0.0.0
//	n4 × 2 bytes          IPv4 row countries (ISO 3166 alpha-2, "ZZ" unknown)
//	n6 × 16 bytes         IPv6 row starts, ascending, the first ::
//	n6 × 2 bytes          IPv6 row countries
//
// Each row runs from its start up to the next row's start. Neighbouring rows
// never share a country. gen/main.go writes it.
type table struct {
	data          string
	n4, n6        int
	cc4, st6, cc6 int // offsets of the sections after the IPv4 starts
}

const headerLen = 16

func parseTable(data string) (table, error) {
	if len(data) < headerLen || data[:8] != "ipregion" {
		return table{}, fmt.Errorf("not an ipregion table")
	}
	n4 := int(be32(data, 8))
	n6 := int(be32(data, 12))
	t := table{data: data, n4: n4, n6: n6}
	t.cc4 = headerLen + 4*n4
	t.st6 = t.cc4 + 2*n4
	t.cc6 = t.st6 + 16*n6
	if n4 == 0 || n6 == 0 || t.cc6+2*n6 != len(data) {
		return table{}, fmt.Errorf("table size %d does not match its %d IPv4 and %d IPv6 rows", len(data), n4, n6)
	}
	if be32(data, headerLen) != 0 || data[t.st6:t.st6+16] != string(make([]byte, 16)) {
		return table{}, fmt.Errorf("table does not start at address zero")
	}
	return t, nil
}

func be32(s string, off int) uint32 {
	_ = s[off+3]
	return uint32(s[off])<<24 | uint32(s[off+1])<<16 | uint32(s[off+2])<<8 | uint32(s[off+3])
}

func be64s(s string, off int) uint64 {
	return uint64(be32(s, off))<<32 | uint64(be32(s, off+4))
}

// lookup4 returns the country of the IPv4 address v.
func (t table) lookup4(v uint32) string {
	// Find the last row whose start is <= v; row 0 starts at 0.
	lo, hi := 0, t.n4 // invariant: start(lo) <= v, start(hi) > v (hi == n4: past the end)
	for hi-lo > 1 {
		mid := int(uint(lo+hi) >> 1)
		if be32(t.data, headerLen+4*mid) <= v {
			lo = mid
		} else {
			hi = mid
		}
	}
	off := t.cc4 + 2*lo
	return t.data[off : off+2]
}

// lookup6 returns the country of the IPv6 address hi:lo.
func (t table) lookup6(ahi, alo uint64) string {
	lo, hi := 0, t.n6
	for hi-lo > 1 {
		mid := int(uint(lo+hi) >> 1)
		off := t.st6 + 16*mid
		shi := be64s(t.data, off)
		if shi < ahi || (shi == ahi && be64s(t.data, off+8) <= alo) {
			lo = mid
		} else {
			hi = mid
		}
	}
	off := t.cc6 + 2*lo
	return t.data[off : off+2]
}
