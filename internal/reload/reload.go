// Package reload keeps a loaded value, such as the FAQ index, fresh while
// the bot runs: it loads it again on a signal (SIGHUP) or when its files
// change, builds the new value beside the one in use and swaps it in only
// when the load succeeds. A failed load keeps the old value and says why.
package reload

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/beianbot/beianbot/internal/metrics"
)

// Sized is a loaded value that can say how many entries it holds.
type Sized interface{ Len() int }

// Config configures a Watcher.
type Config[T Sized] struct {
	// Paths are the files and folders (read recursively) Load reads. A
	// change in their names, sizes or modification times triggers a
	// reload. Empty: only the signal triggers one.
	Paths []string
	// Load builds a new value from the files. Required.
	Load func() (T, error)
	// Swap puts a successfully loaded value in service. Required.
	Swap func(T)
	// Interval is how often Paths are polled (default 2s; negative turns
	// polling off).
	Interval time.Duration
	// Metrics may be nil.
	Metrics *metrics.Metrics
	// Logger may be nil (nothing is logged).
	Logger *slog.Logger
}

// Watcher reloads a value; see the package doc.
type Watcher[T Sized] struct {
	cfg    Config[T]
	mu     sync.Mutex // one reload at a time
	loaded map[string]stamp
}

// New returns a Watcher for cfg. It notes the files' state at once: create
// it before the first load, so that a change made while that load runs is
// not missed.
func New[T Sized](cfg Config[T]) *Watcher[T] {
	if cfg.Interval == 0 {
		cfg.Interval = 2 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Watcher[T]{cfg: cfg, loaded: stamps(cfg.Paths)}
}

// Run reloads on every value received from trigger and, when polling is on,
// when the watched files change and then stay unchanged for one more poll
// (so a file being written is not read half-way). It returns when ctx ends.
// Run once per Watcher.
func (w *Watcher[T]) Run(ctx context.Context, trigger <-chan os.Signal) {
	var tick <-chan time.Time
	polling := w.cfg.Interval > 0 && len(w.cfg.Paths) > 0
	if polling {
		t := time.NewTicker(w.cfg.Interval)
		defer t.Stop()
		tick = t.C
	}
	loaded := w.loaded
	last := loaded
	for {
		select {
		case <-ctx.Done():
			return
		case sig := <-trigger:
			if polling {
				loaded = stamps(w.cfg.Paths)
				last = loaded
			}
			w.Reload(fmt.Sprint(sig))
		case <-tick:
			now := stamps(w.cfg.Paths)
			changed := !maps.Equal(now, loaded) && maps.Equal(now, last)
			last = now
			if changed {
				// Whatever the outcome, these files have had their
				// chance: a broken file is not retried until it changes.
				loaded = now
				w.Reload("file change")
			}
		}
	}
}

// Reload loads the value again and swaps it in if the load succeeds. On
// failure it keeps the value in service, logs why and counts the failure.
// cause says what asked for the reload, for the log.
func (w *Watcher[T]) Reload(cause string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	v, err := w.load()
	if err != nil {
		w.cfg.Metrics.FAQReloadFailed()
		w.cfg.Logger.Error("faq reload failed; still answering from the previous faq",
			"cause", cause, "err", err)
		return err
	}
	w.cfg.Swap(v)
	w.cfg.Metrics.FAQLoaded(v.Len(), time.Now())
	w.cfg.Logger.Info("faq reloaded", "cause", cause, "entries", v.Len())
	return nil
}

// load runs Load, turning a panic on bad input into an error so that a
// broken file can never take the bot down.
func (w *Watcher[T]) load() (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("reload faq: loader panicked: %v", p)
		}
	}()
	return w.cfg.Load()
}

// stamp is what polling compares: a file's size and modification time, a
// watched path's link target, or the error that kept it from being read.
type stamp struct {
	size   int64
	mod    time.Time
	target string
	err    string
}

// stamps returns the stamp of every file under paths. Symbolic links are
// followed, so that a folder mounted through links (a Kubernetes ConfigMap)
// is seen to change when its link is switched.
func stamps(paths []string) map[string]stamp {
	out := make(map[string]stamp)
	for _, root := range paths {
		resolved, err := filepath.EvalSymlinks(root)
		if err != nil {
			out[root] = stamp{err: err.Error()}
			continue
		}
		out[root] = stamp{target: resolved}
		filepath.WalkDir(resolved, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				out[path] = stamp{err: err.Error()}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			info, err := os.Stat(path)
			if err != nil {
				out[path] = stamp{err: err.Error()}
				return nil
			}
			out[path] = stamp{size: info.Size(), mod: info.ModTime()}
			return nil
		})
	}
	return out
}
