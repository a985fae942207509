// Package dnstest helps tests run DNS servers on loopback.
package dnstest

import (
	"net"
	"testing"
)

// Listen returns a UDP socket and a TCP listener on one loopback port, as a
// DNS server needs (TCP for truncated answers). A port whose TCP side is
// taken by someone else is given up and another one tried.
func Listen(t testing.TB) (net.PacketConn, net.Listener) {
	t.Helper()
	var err error
	for range 20 {
		var pc net.PacketConn
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		var ln net.Listener
		ln, err = net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln
		}
		pc.Close()
	}
	t.Fatalf("no loopback port free for both UDP and TCP: %v", err)
	return nil, nil
}
