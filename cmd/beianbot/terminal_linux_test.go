package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/beianbot/beianbot/internal/syncbuf"

	"golang.org/x/sys/unix"
)

// testTerminal is a pseudo-terminal: what is written to input, the program
// reads from stdin as typed lines.
type testTerminal struct {
	input, stdin *os.File
}

// openTerminal opens a pseudo-terminal pair, closed when the test ends.
func openTerminal(t *testing.T) testTerminal {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	// Drain what the terminal echoes, so that it never blocks the writer.
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, err := m.Read(buf); err != nil {
				return
			}
		}
	}()
	return testTerminal{input: m, stdin: s}
}

// openDevNull opens /dev/null for reading, as a container's stdin is.
func openDevNull(t *testing.T) *os.File {
	t.Helper()
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestConsoleChat(t *testing.T) {
	term := openTerminal(t)
	io.WriteString(term.input, "香港服务器要备案吗\n备案\n1\nhelp\nquit\nnever read\n")
	var out, errb syncbuf.Buffer
	code := run(t.Context(), []string{"run"}, env(nil), term.stdin, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{
		"我的网站域名指向的是香港地区节点服务器，需要备案吗？", // the answer names its question
		"  1. ", "(type a number to pick)", // suggestions for a bare keyword
		"/beian check", // help
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("console output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "never read") {
		t.Errorf("console went on after quit")
	}
}

func TestRunWithoutPlatformOrTerminal(t *testing.T) {
	for name, stdin := range map[string]func(t *testing.T) io.Reader{
		"pipe":      func(*testing.T) io.Reader { return strings.NewReader("香港服务器要备案吗\n") },
		"/dev/null": func(t *testing.T) io.Reader { return openDevNull(t) },
	} {
		t.Run(name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(t.Context(), []string{"run"}, env(nil), stdin(t), &out, &errb)
			if code != exitUsage || strings.TrimSpace(errb.String()) != "beianbot: "+noPlatform {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, errb.String(), noPlatform)
			}
			if out.Len() > 0 {
				t.Errorf("stdout %q, want nothing (no chat started)", out.String())
			}
		})
	}
}
