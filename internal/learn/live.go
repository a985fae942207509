package learn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/beianbot/beianbot/faq"
)

// DefaultPoll is how often Live asks the database whether a phrasing was
// taught elsewhere (another replica, the CLI).
const DefaultPoll = 3 * time.Second

// ErrUnknownEntry is returned by Teach for an id the FAQ does not have.
var ErrUnknownEntry = errors.New("no FAQ entry with this id")

// ErrBadPhrasing is returned by Teach for an empty or oversized phrasing.
var ErrBadPhrasing = errors.New("the phrasing is empty or too long")

// MaxPhrasing bounds a taught phrasing, in bytes.
const MaxPhrasing = 300

// Live keeps the answering FAQ index in step with the taught phrasings:
// the FAQ as loaded (SetBase) plus every phrasing in the database, swapped
// in whenever either changes.
type Live struct {
	store  Store
	swap   func(*faq.Index)
	poll   time.Duration
	logger *slog.Logger

	mu      sync.Mutex // serialises rebuilds
	base    *faq.Index
	taught  map[string][]string
	version string
}

// NewLive returns a Live that swaps indexes in with swap (a responder's
// SetIndex) and polls the store every poll (DefaultPoll when 0).
func NewLive(store Store, swap func(*faq.Index), poll time.Duration, logger *slog.Logger) *Live {
	if poll <= 0 {
		poll = DefaultPoll
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Live{store: store, swap: swap, poll: poll, logger: logger}
}

// Start sets the FAQ as loaded and reads the taught phrasings once, so the
// first answer already knows them.
func (l *Live) Start(ctx context.Context, base *faq.Index) error {
	l.mu.Lock()
	l.base = base
	l.mu.Unlock()
	return l.refresh(ctx, true)
}

// SetBase swaps in a reloaded FAQ, with the taught phrasings added.
func (l *Live) SetBase(ix *faq.Index) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.base = ix
	l.swap(compose(ix, l.taught))
}

// Base returns the FAQ as loaded, without taught phrasings.
func (l *Live) Base() *faq.Index {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.base
}

// Run polls for phrasings taught elsewhere until ctx ends.
func (l *Live) Run(ctx context.Context) {
	t := time.NewTicker(l.poll)
	defer t.Stop()
	failing := false // log a failure once, and the recovery
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			err := l.refresh(ctx, false)
			switch {
			case err != nil && ctx.Err() == nil && !failing:
				failing = true
				l.logger.Warn("cannot read taught phrasings; answering with those already loaded", "err", err)
			case err == nil && failing:
				failing = false
				l.logger.Info("taught phrasings readable again")
			}
		}
	}
}

// Teach validates and stores a phrasing of entry and makes it live here
// at once (other replicas see it at their next poll). It reports false
// when the phrasing was already taught.
func (l *Live) Teach(ctx context.Context, entry, text, who string) (bool, error) {
	if err := Validate(l.Base(), entry, text); err != nil {
		return false, err
	}
	added, err := l.store.Teach(ctx, entry, strings.TrimSpace(text), who)
	if err != nil {
		return false, err
	}
	return added, l.refresh(ctx, true)
}

// Unteach deletes a taught phrasing of entry and takes it out here at once
// (other replicas at their next poll). It reports false when no such
// phrasing was taught. The entry need not be in the FAQ any more: a
// phrasing of an entry the FAQ lost can still be deleted.
func (l *Live) Unteach(ctx context.Context, entry, text string) (bool, error) {
	removed, err := l.store.Unteach(ctx, entry, strings.TrimSpace(text))
	if err != nil || !removed {
		return removed, err
	}
	return true, l.refresh(ctx, true)
}

// Validate checks a phrasing to teach against the FAQ in ix.
func Validate(ix *faq.Index, entry, text string) error {
	if !ix.Has(entry) {
		return fmt.Errorf("%q: %w", entry, ErrUnknownEntry)
	}
	// One line without | or -->, so that it can be exported as an FAQ
	// "ask:" line or a lexicon phrasing.
	if t := strings.TrimSpace(text); t == "" || len(t) > MaxPhrasing || strings.ContainsAny(t, "\r\n|") || strings.Contains(t, "-->") {
		return fmt.Errorf("%w (at most %d bytes on one line, without | or -->)", ErrBadPhrasing, MaxPhrasing)
	}
	return nil
}

// refresh reads the phrasings when their version changed (or always when
// force is set) and swaps in the composed index.
func (l *Live) refresh(ctx context.Context, force bool) error {
	v, err := l.store.PhrasingsVersion(ctx)
	if err != nil {
		return err
	}
	l.mu.Lock()
	same := v == l.version
	l.mu.Unlock()
	if same && !force {
		return nil
	}
	ps, err := l.store.Phrasings(ctx)
	if err != nil {
		return err
	}
	taught := map[string][]string{}
	for _, p := range ps {
		taught[p.Entry] = append(taught[p.Entry], p.Text)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.taught, l.version = taught, v
	if l.base != nil {
		l.swap(compose(l.base, taught))
		l.logger.Debug("taught phrasings loaded", "phrasings", len(ps), "version", v)
	}
	return nil
}

func compose(base *faq.Index, taught map[string][]string) *faq.Index {
	if len(taught) == 0 {
		return base
	}
	return base.WithPhrasings(taught)
}
