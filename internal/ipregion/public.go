package ipregion

import "net/netip"

// Public reports whether addr is a public unicast address that may be
// connected to on the internet. It is false for the unspecified address,
// loopback, RFC 1918 and unique-local (fc00::/7) space, link-local (including
// the cloud metadata address 169.254.169.254), CGNAT (100.64.0.0/10),
// multicast, broadcast, documentation and benchmarking ranges, the IETF
// protocol assignments, reserved 240.0.0.0/4, site-local fec0::/10, and
// addresses with a zone. It is also false for every IPv6 form that carries
// an IPv4 address (IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96, NAT64
// 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16, Teredo 2001::/32): such an
// address can reach an IPv4 host that this check never sees, so callers that
// want the IPv4 address judged must unmap it first.
func Public(addr netip.Addr) bool {
	if !addr.IsValid() || addr.Zone() != "" {
		return false
	}
	if addr.Is4() {
		return public4(addr.As4())
	}
	if addr.Is4In6() {
		return false
	}
	if addr.IsLoopback() || addr.IsUnspecified() || addr.IsMulticast() ||
		addr.IsLinkLocalUnicast() || addr.IsPrivate() {
		return false
	}
	a := addr.As16()
	switch {
	case a[0]&0xe0 != 0x20: // only 2000::/3 is allocated global unicast
		return false
	case a[0] == 0x20 && a[1] == 0x01 && a[2] < 0x02: // 2001::/23 IETF protocol assignments, incl. Teredo
		return false
	case a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8: // 2001:db8::/32 documentation
		return false
	case a[0] == 0x20 && a[1] == 0x02: // 2002::/16 6to4
		return false
	case a[0] == 0x3f && a[1] == 0xff && a[2]&0xf0 == 0: // 3fff::/20 documentation
		return false
	}
	return true
}

func public4(a [4]byte) bool {
	switch {
	case a[0] == 0, // 0.0.0.0/8 "this network"
		a[0] == 10,                               // 10.0.0.0/8 private
		a[0] == 100 && a[1]&0xc0 == 64,           // 100.64.0.0/10 CGNAT
		a[0] == 127,                              // loopback
		a[0] == 169 && a[1] == 254,               // link-local, cloud metadata
		a[0] == 172 && a[1]&0xf0 == 16,           // 172.16.0.0/12 private
		a[0] == 192 && a[1] == 0 && a[2] == 0,    // 192.0.0.0/24 IETF protocol assignments
		a[0] == 192 && a[1] == 0 && a[2] == 2,    // TEST-NET-1
		a[0] == 192 && a[1] == 88 && a[2] == 99,  // 6to4 relay anycast (deprecated)
		a[0] == 192 && a[1] == 168,               // private
		a[0] == 198 && a[1]&0xfe == 18,           // 198.18.0.0/15 benchmarking
		a[0] == 198 && a[1] == 51 && a[2] == 100, // TEST-NET-2
		a[0] == 203 && a[1] == 0 && a[2] == 113,  // TEST-NET-3
		a[0] >= 224:                              // multicast, 240/4 reserved, broadcast
		return false
	}
	return true
}
