package dnstest

import (
	"net"
	"testing"
)

func TestListen(t *testing.T) {
	pc, ln := Listen(t)
	defer pc.Close()
	defer ln.Close()
	if pc.LocalAddr().String() != ln.Addr().String() {
		t.Errorf("UDP on %s, TCP on %s; want one address", pc.LocalAddr(), ln.Addr())
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		t.Errorf("listening on %s, want loopback", ip)
	}
}
