// Package pgtest starts a PostgreSQL server of a test's own on a loopback
// port, in a temporary directory, for tests of the learning store. A test
// on a machine without PostgreSQL is skipped, unless CI=true, where that
// is a failure.
package pgtest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to wait for the server
)

// Server is one postgres process; Stop and Start restart it on the same
// port and data.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	cred *syscall.Credential
	cmd  *exec.Cmd
	// exited is closed when cmd has been waited for.
	exited chan struct{}
}

// New initialises a data directory, starts the server and stops it when
// the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	bin := binDir(t)
	s := &Server{t: t, bin: bin, port: freePort(t)}
	if os.Geteuid() == 0 {
		// postgres refuses to run as root: run it as the postgres user.
		u, err := user.Lookup("postgres")
		if err != nil {
			missing(t, "running as root and there is no postgres user to run the server as: "+err.Error())
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	dir, err := os.MkdirTemp("", "beianbot-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s.dir = filepath.Join(dir, "data")
	if s.cred != nil {
		if err := os.Chown(dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	out, err := s.command(filepath.Join(bin, "initdb"), "-D", s.dir, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput()
	if err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Available reports why a server cannot be started here, or nil.
func Available() error {
	if _, err := findBinDir(); err != nil {
		return err
	}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			return fmt.Errorf("running as root and there is no postgres user to run the server as: %w", err)
		}
	}
	return nil
}

// missing skips t, or fails it under CI=true.
func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL is needed (install the postgresql package): %s", why)
	}
	t.Skipf("PostgreSQL not available: %s", why)
}

// binDir finds the directory of initdb and postgres.
func binDir(t testing.TB) string {
	t.Helper()
	d, err := findBinDir()
	if err != nil {
		missing(t, err.Error())
	}
	return d
}

func findBinDir() (string, error) {
	var dirs []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	dirs = append(dirs, found...)
	for _, d := range dirs {
		if fileExists(filepath.Join(d, "initdb")) && fileExists(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", errors.New("no initdb and postgres found (pg_config --bindir, /usr/lib/postgresql/*/bin)")
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = os.TempDir()
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// URL is the server's connection URL (database postgres).
func (s *Server) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
}

// Start runs the server and waits until it takes connections. After a
// kill, the old server's children may hold its shared memory a moment:
// a start that exits at once is tried again.
func (s *Server) Start() {
	s.t.Helper()
	db, err := sql.Open("pgx", s.URL())
	if err != nil {
		s.t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var logs bytes.Buffer
		cmd := s.command(filepath.Join(s.bin, "postgres"), "-D", s.dir, "-p", strconv.Itoa(s.port),
			"-h", "127.0.0.1", "-k", s.dir, "-F", "-c", "max_connections=50")
		cmd.Stdout = &logs
		cmd.Stderr = &logs
		if err := cmd.Start(); err != nil {
			s.t.Fatalf("start postgres: %v", err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			err = db.PingContext(ctx)
			cancel()
			if err == nil {
				s.cmd, s.exited = cmd, exited
				return
			}
			select {
			case <-exited:
			case <-time.After(50 * time.Millisecond):
				if time.Now().Before(deadline) {
					continue
				}
				cmd.Process.Kill()
				<-exited
			}
			break
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("postgres on port %d does not take connections: %v\n%s", s.port, err, logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Stop kills the server at once (as a crash would) and waits for it.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}
