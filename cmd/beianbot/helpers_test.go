package main

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/beianbot/beianbot/internal/syncbuf"
)

// freeAddr returns a loopback address nobody listens on (just now).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// backgroundRun is "beianbot run" in the background, as a test drives it end to end.
type backgroundRun struct {
	stderr syncbuf.Buffer
	done   chan int // receives run's exit code
	cancel context.CancelFunc
}

// startRun starts run(ctx, ["run"], getenv, …) with empty stdin.
func startRun(t *testing.T, getenv func(string) string) *backgroundRun {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	r := &backgroundRun{done: make(chan int, 1), cancel: cancel}
	t.Cleanup(cancel)
	var stdout syncbuf.Buffer
	go func() { r.done <- run(ctx, []string{"run"}, getenv, strings.NewReader(""), &stdout, &r.stderr) }()
	return r
}

// stop ends run's context and requires it to exit 0 promptly.
func (r *backgroundRun) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case code := <-r.done:
		if code != exitOK {
			t.Errorf("run exited %d, want 0; log:\n%s", code, r.stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return within 15s of its context ending")
	}
}
