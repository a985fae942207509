package reload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/beianbot/beianbot/internal/syncbuf"

	"github.com/beianbot/beianbot/internal/metrics"
)

// fakeIndex stands in for the FAQ index: the entry count read from files.
type fakeIndex struct{ n int }

func (f fakeIndex) Len() int { return f.n }

// loadDir is a loader in the spirit of faq.Load: every file in dir holds an
// entry count; a file saying "BROKEN" fails validation, "PANIC" panics.
func loadDir(dir string) (fakeIndex, error) {
	files, err := os.ReadDir(dir)
	if err != nil {
		return fakeIndex{}, err
	}
	var ix fakeIndex
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			return fakeIndex{}, err
		}
		s := strings.TrimSpace(string(b))
		if s == "PANIC" {
			panic("loader bug")
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return fakeIndex{}, fmt.Errorf("%s:1: not an entry count: %q", f.Name(), s)
		}
		ix.n += n
	}
	return ix, nil
}

// fixture is a Watcher over a temp folder, running until the test ends.
type fixture struct {
	t       *testing.T
	dir     string
	metrics *metrics.Metrics
	logs    *syncbuf.Buffer
	hup     chan os.Signal
	swapped chan fakeIndex
	mu      sync.Mutex
	current fakeIndex
	mtime   time.Time
}

func newFixture(t *testing.T, files map[string]string) *fixture {
	f := &fixture{
		t: t, dir: t.TempDir(), metrics: metrics.New(), logs: &syncbuf.Buffer{},
		hup: make(chan os.Signal), swapped: make(chan fakeIndex, 10),
		mtime: time.Now().Add(-time.Hour),
	}
	for name, body := range files {
		f.write(name, body)
	}
	ix, err := loadDir(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	f.current = ix
	w := New(Config[fakeIndex]{
		Paths: []string{f.dir},
		Load:  func() (fakeIndex, error) { return loadDir(f.dir) },
		Swap: func(ix fakeIndex) {
			f.mu.Lock()
			f.current = ix
			f.mu.Unlock()
			f.swapped <- ix
		},
		Interval: 2 * time.Millisecond,
		Metrics:  f.metrics,
		Logger:   slog.New(slog.NewTextHandler(f.logs, nil)),
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx, f.hup); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return f
}

// write replaces a file atomically (written beside, then renamed in), with
// a fresh, distinct modification time, so that neither a half-written file
// nor a coarse file-system clock plays a part.
func (f *fixture) write(name, body string) {
	f.t.Helper()
	tmp := filepath.Join(f.t.TempDir(), name)
	if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
		f.t.Fatal(err)
	}
	f.mtime = f.mtime.Add(time.Second)
	if err := os.Chtimes(tmp, f.mtime, f.mtime); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(f.dir, name)); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) index() fakeIndex {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.current
}

func (f *fixture) waitSwap() fakeIndex {
	f.t.Helper()
	select {
	case ix := <-f.swapped:
		return ix
	case <-time.After(10 * time.Second):
		f.t.Fatal("no reload within 10s")
		return fakeIndex{}
	}
}

// waitLog waits until the log holds s.
func (f *fixture) waitLog(s string) {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(f.logs.String(), s) {
		if time.Now().After(deadline) {
			f.t.Fatalf("log lacks %q after 10s:\n%s", s, f.logs)
		}
		time.Sleep(time.Millisecond)
	}
}

func (f *fixture) failures() float64 {
	fams, err := f.metrics.Registry.Gather()
	if err != nil {
		f.t.Fatal(err)
	}
	for _, fam := range fams {
		if fam.GetName() == "beianbot_faq_reload_failures_total" {
			return fam.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return -1
}

func (f *fixture) waitFailures(n float64) {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for f.failures() < n {
		if time.Now().After(deadline) {
			f.t.Fatalf("reload failures = %v, want %v within 10s", f.failures(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestReloadOnFileChange(t *testing.T) {
	f := newFixture(t, map[string]string{"a.md": "3"})
	f.write("a.md", "5")
	if got := f.waitSwap(); got.n != 5 {
		t.Errorf("after editing a.md: %d entries, want 5", got.n)
	}
	f.write("b.md", "2") // a new file in the folder
	if got := f.waitSwap(); got.n != 7 {
		t.Errorf("after adding b.md: %d entries, want 7", got.n)
	}
	f.waitLog("faq reloaded")
}

func TestBrokenFilesKeepTheOldIndex(t *testing.T) {
	f := newFixture(t, map[string]string{"a.md": "3"})
	f.write("a.md", "BROKEN")
	f.waitFailures(1)
	if got := f.index(); got.n != 3 {
		t.Errorf("after a broken edit: %d entries, want the old 3", got.n)
	}
	f.waitLog(`a.md:1: not an entry count`)

	f.write("a.md", "PANIC")
	f.waitFailures(2)
	if got := f.index(); got.n != 3 {
		t.Errorf("after a loader panic: %d entries, want the old 3", got.n)
	}

	f.write("a.md", "4") // fixed
	if got := f.waitSwap(); got.n != 4 {
		t.Errorf("after the fix: %d entries, want 4", got.n)
	}
	if got := f.failures(); got != 2 {
		t.Errorf("reload failures = %v, want 2", got)
	}
}

func TestReloadOnSignal(t *testing.T) {
	f := newFixture(t, map[string]string{"a.md": "3"})
	f.hup <- syscall.SIGHUP
	if got := f.waitSwap(); got.n != 3 {
		t.Errorf("after SIGHUP: %d entries, want 3", got.n)
	}
	f.waitLog("cause=hangup")
}

func TestReloadUpdatesMetrics(t *testing.T) {
	m := metrics.New()
	w := New(Config[fakeIndex]{
		Load:    func() (fakeIndex, error) { return fakeIndex{n: 9}, nil },
		Swap:    func(fakeIndex) {},
		Metrics: m,
	})
	before := time.Now().Unix()
	if err := w.Reload("test"); err != nil {
		t.Fatal(err)
	}
	fams, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, fam := range fams {
		if strings.HasPrefix(fam.GetName(), "beianbot_faq_") && fam.GetMetric()[0].Gauge != nil {
			got[fam.GetName()] = fam.GetMetric()[0].GetGauge().GetValue()
		}
	}
	if got["beianbot_faq_entries"] != 9 {
		t.Errorf("beianbot_faq_entries = %v, want 9", got["beianbot_faq_entries"])
	}
	if ts := got["beianbot_faq_last_reload_timestamp_seconds"]; ts < float64(before) {
		t.Errorf("beianbot_faq_last_reload_timestamp_seconds = %v, want ≥ %d", ts, before)
	}

	w = New(Config[fakeIndex]{
		Load:    func() (fakeIndex, error) { return fakeIndex{}, errors.New("bad") },
		Swap:    func(fakeIndex) { t.Error("a failed load was swapped in") },
		Metrics: m,
	})
	if err := w.Reload("test"); err == nil {
		t.Error("Reload of a failing load returned nil")
	}
}

func TestStamps(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.md")
	write := func(body string, mod time.Time) {
		t.Helper()
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(file, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	base := time.Unix(1_700_000_000, 0)
	write("one", base)
	link := filepath.Join(t.TempDir(), "current")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	paths := []string{dir, link, filepath.Join(dir, "missing.md")}
	s0 := stamps(paths)
	if !maps.Equal(s0, stamps(paths)) {
		t.Fatal("stamps of unchanged files differ")
	}
	for _, step := range []struct {
		name   string
		change func()
	}{
		{"size", func() { write("three", base) }},
		{"mtime", func() { write("three", base.Add(time.Second)) }},
		{"create", func() { os.WriteFile(filepath.Join(dir, "missing.md"), []byte("x"), 0o644) }},
		{"delete", func() { os.Remove(file) }},
	} {
		before := stamps(paths)
		step.change()
		if maps.Equal(before, stamps(paths)) {
			t.Errorf("%s: change not seen", step.name)
		}
	}
}
