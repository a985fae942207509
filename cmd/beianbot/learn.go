package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/beianbot/beianbot/bot"
	slackbot "github.com/beianbot/beianbot/bot/slack"
	tgbot "github.com/beianbot/beianbot/bot/telegram"
	"github.com/beianbot/beianbot/faq"
	"github.com/beianbot/beianbot/internal/learn"
	"github.com/beianbot/beianbot/internal/metrics"
)

// flushWindow is how long after SIGTERM the recorded questions may still
// be written: past serveOn's stopWindow, within the 10 s the process has.
const flushWindow = 9800 * time.Millisecond

// openTimeout bounds connecting to the learning database and migrating it.
const openTimeout = 15 * time.Second

// defaultRetention is BEIANBOT_RETENTION's default.
const defaultRetention = 90 * 24 * time.Hour

// learnSettings are the learning loop's settings from the environment.
type learnSettings struct {
	loc       learn.Location
	record    bool
	retention time.Duration
	admins    map[string]bool
	handoff   map[string][]string
	digest    *digestSpec
	// secret keys the user-key hash; empty: the one kept in the database.
	secret []byte
	// poll is how often taught phrasings are looked for.
	poll time.Duration
}

// digestSpec is BEIANBOT_DIGEST: how often, and where to.
type digestSpec struct {
	every    time.Duration
	platform string
	chat     string
}

var (
	slackHandoffRe = regexp.MustCompile(`^[SUW][A-Z0-9]{2,20}$`)
	slackChannelRe = regexp.MustCompile(`^[CGD][A-Z0-9]{2,20}$`)
	tgNameRe       = regexp.MustCompile(`^@[A-Za-z0-9_]{3,32}$`)
	tgChatRe       = regexp.MustCompile(`^-?[0-9]{1,20}$`)
	userIDRe       = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
)

// learnSettingsFrom reads and checks the settings; a bad value is a usage
// error naming the variable.
func learnSettingsFrom(getenv func(string) string) (learnSettings, error) {
	var s learnSettings
	var err error
	if s.loc, err = learn.ParseURL(getenv("BEIANBOT_DATABASE_URL")); err != nil {
		return s, usagef("BEIANBOT_DATABASE_URL %v", err)
	}
	switch v := strings.ToLower(strings.TrimSpace(getenv("BEIANBOT_RECORD_QUESTIONS"))); v {
	case "", "on", "true", "1", "yes":
		s.record = true
	case "off", "false", "0", "no":
	default:
		return s, usagef("BEIANBOT_RECORD_QUESTIONS %q: want on or off", v)
	}
	s.retention = defaultRetention
	if v := strings.TrimSpace(getenv("BEIANBOT_RETENTION")); v != "" {
		if s.retention, err = learn.ParseDuration(v); err != nil {
			return s, usagef("BEIANBOT_RETENTION %v", err)
		}
	}
	s.admins = map[string]bool{bot.PlatformConsole + ":console": true} // whoever sits at the terminal
	for _, pair := range splitList(getenv("BEIANBOT_ADMINS")) {
		platform, id, ok := strings.Cut(pair, ":")
		if !ok || (platform != bot.PlatformSlack && platform != bot.PlatformTelegram) || !userIDRe.MatchString(id) {
			return s, usagef("BEIANBOT_ADMINS %q: want platform:user-id pairs such as slack:U0123ABC or telegram:123456789", pair)
		}
		s.admins[platform+":"+id] = true
	}
	s.handoff = map[string][]string{}
	for _, pair := range splitList(getenv("BEIANBOT_HANDOFF")) {
		platform, target, _ := strings.Cut(pair, ":")
		switch {
		case platform == bot.PlatformSlack && slackHandoffRe.MatchString(target),
			platform == bot.PlatformTelegram && (tgNameRe.MatchString(target) || tgChatRe.MatchString(target)):
			s.handoff[platform] = append(s.handoff[platform], target)
		default:
			return s, usagef("BEIANBOT_HANDOFF %q: want slack:S… (a user group), slack:U… (a user), telegram:@name or telegram:-100… (a chat)", pair)
		}
	}
	if v := strings.TrimSpace(getenv("BEIANBOT_DIGEST")); v != "" {
		if s.digest, err = parseDigest(v); err != nil {
			return s, err
		}
	}
	if v := getenv("BEIANBOT_USER_KEY_SECRET"); v != "" {
		if len(v) < 16 {
			return s, usagef("BEIANBOT_USER_KEY_SECRET: want at least 16 characters")
		}
		s.secret = []byte(v)
	}
	if v := strings.TrimSpace(getenv("BEIANBOT_PHRASINGS_POLL")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond || d > time.Hour {
			return s, usagef("BEIANBOT_PHRASINGS_POLL %q: want a duration from 100ms to 1h", v)
		}
		s.poll = d
	}
	return s, nil
}

// parseDigest parses "weekly@slack:C0123ABC" or "daily@telegram:-100123".
func parseDigest(v string) (*digestSpec, error) {
	bad := usagef("BEIANBOT_DIGEST %q: want daily or weekly @ a destination, e.g. weekly@slack:C0123ABC or daily@telegram:-100123", v)
	when, dest, ok := strings.Cut(v, "@")
	if !ok {
		return nil, bad
	}
	d := &digestSpec{}
	switch strings.ToLower(when) {
	case "daily":
		d.every = 24 * time.Hour
	case "weekly":
		d.every = 7 * 24 * time.Hour
	default:
		return nil, bad
	}
	d.platform, d.chat, _ = strings.Cut(dest, ":")
	switch {
	case d.platform == bot.PlatformSlack && slackChannelRe.MatchString(d.chat),
		d.platform == bot.PlatformTelegram && tgChatRe.MatchString(d.chat):
		return d, nil
	}
	return nil, bad
}

// openLearnStore opens the database and the user-key hash.
func openLearnStore(ctx context.Context, s learnSettings) (learn.Store, *learn.Keyer, error) {
	octx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	st, err := learn.Open(octx, s.loc)
	if err != nil {
		return nil, nil, err
	}
	secret := s.secret
	if secret == nil {
		if secret, err = st.Secret(octx); err != nil {
			st.Close()
			return nil, nil, fmt.Errorf("open database %s: %w", s.loc, err)
		}
	}
	return st, learn.NewKeyer(secret), nil
}

// learning is the learning loop as the run command wires it.
type learning struct {
	settings learnSettings
	store    learn.Store
	keyer    *learn.Keyer
	recorder *learn.Recorder // nil when recording is off
	live     *learn.Live
	logger   *slog.Logger
}

// openLearning opens the database; swap is how a new FAQ index (with the
// taught phrasings) reaches the responder.
func openLearning(ctx context.Context, s learnSettings, logger *slog.Logger, m *metrics.Metrics, swap func(*faq.Index)) (*learning, error) {
	st, keyer, err := openLearnStore(ctx, s)
	if err != nil {
		return nil, err
	}
	logger = logger.With("component", "learn")
	l := &learning{settings: s, store: st, keyer: keyer, logger: logger,
		live: learn.NewLive(st, swap, s.poll, logger)}
	if s.record {
		l.recorder = learn.NewRecorder(learn.RecorderConfig{Store: st, Keyer: keyer, Retention: s.retention, Metrics: m, Logger: logger})
	}
	logger.Info("learning database open", "database", s.loc.String(), "record_questions", s.record, "retention", s.retention.String())
	return l, nil
}

// botConfig is the responder's side of the loop.
func (l *learning) botConfig() bot.Learning {
	cfg := bot.Learning{
		Admin:   &learn.Chat{Store: l.store, Live: l.live, Keyer: l.keyer},
		Admins:  l.settings.admins,
		Handoff: l.settings.handoff,
	}
	if l.recorder != nil {
		cfg.Recorder = l.recorder
	}
	return cfg
}

// poster is an adapter that can post a message on its own.
type poster interface {
	Post(ctx context.Context, chat string, rep bot.Reply) error
}

// run starts the writer, the phrasings poll and the digest schedule; the
// returned stop ends them, after the writer has flushed what is queued.
// Call it once the adapters are done, so no answer's record is lost.
func (l *learning) run(ctx context.Context, adapters []adapter) (stop func()) {
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	// The final flush ends within the process's stop window, counted from
	// the end of ctx (SIGTERM).
	var mu sync.Mutex
	var ended time.Time
	stopWatch := context.AfterFunc(ctx, func() {
		mu.Lock()
		ended = time.Now()
		mu.Unlock()
	})
	var wg sync.WaitGroup
	if l.recorder != nil {
		wg.Go(func() { l.recorder.Run(bg) })
	}
	wg.Go(func() { l.live.Run(bg) })
	if d := l.settings.digest; d != nil {
		var p poster
		for _, a := range adapters {
			switch a := a.(type) {
			case *slackbot.Adapter:
				if d.platform == bot.PlatformSlack {
					p = a
				}
			case *tgbot.Adapter:
				if d.platform == bot.PlatformTelegram {
					p = a
				}
			}
		}
		if p == nil {
			l.logger.Warn("BEIANBOT_DIGEST names a platform that is not configured; no digest will be posted", "platform", d.platform)
		} else {
			wg.Go(func() { l.digestLoop(bg, p, d) })
		}
	}
	return func() {
		stopWatch()
		cancel()
		wg.Wait()
		if l.recorder != nil {
			deadline := time.Now().Add(learn.FlushBudget)
			mu.Lock()
			if !ended.IsZero() && ended.Add(flushWindow).Before(deadline) {
				deadline = ended.Add(flushWindow)
			}
			mu.Unlock()
			fctx, cancelFlush := context.WithDeadline(context.WithoutCancel(ctx), deadline)
			l.recorder.Flush(fctx)
			cancelFlush()
		}
		if err := l.store.Close(); err != nil {
			l.logger.Warn("close learning database", "err", err)
		}
	}
}

// digestHour is the hour (UTC) a digest is posted: daily at 09:00,
// weekly on Mondays at 09:00.
const digestHour = 9

// nextSlot returns the first digest time after now.
func nextSlot(now time.Time, every time.Duration) time.Time {
	now = now.UTC()
	t := time.Date(now.Year(), now.Month(), now.Day(), digestHour, 0, 0, 0, time.UTC)
	for !t.After(now) || (every > 24*time.Hour && t.Weekday() != time.Monday) {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// digestLoop posts the digest at every slot until ctx ends. With several
// replicas, the first to claim a slot posts it.
func (l *learning) digestLoop(ctx context.Context, p poster, d *digestSpec) {
	for {
		slot := nextSlot(time.Now(), d.every)
		t := time.NewTimer(time.Until(slot))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if err := l.postDigest(ctx, p, d, slot); err != nil {
			l.logger.Warn("digest not posted", "slot", slot, "err", err)
		}
	}
}

// postDigest builds the review of the period ending at slot and posts it
// to the digest's destination, unless another replica claimed the slot.
func (l *learning) postDigest(ctx context.Context, p poster, d *digestSpec, slot time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	first, err := l.store.Claim(ctx, "digest:"+d.platform+":"+d.chat+":"+slot.UTC().Format(time.RFC3339))
	if err != nil || !first {
		return err
	}
	rv, err := learn.BuildReview(ctx, l.store, l.live.Base(), slot.Add(-d.every))
	if err != nil {
		return err
	}
	return p.Post(ctx, d.chat, bot.Reply{Outcome: bot.OutcomeAdmin, Text: rv.Markdown(5)})
}

// withTaught adds the taught phrasings to ix for a one-off command (ask),
// when the configured database exists: a SQLite file that is not there is
// not created for it. A database that cannot be read is skipped, with one
// line on stderr.
func withTaught(ctx context.Context, s learnSettings, ix *faq.Index, stderr io.Writer) *faq.Index {
	if !s.loc.Postgres {
		if _, err := os.Stat(s.loc.Path); err != nil {
			return ix
		}
	}
	octx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st, err := learn.Open(octx, s.loc)
	if err == nil {
		defer st.Close()
		var ps []learn.Phrasing
		if ps, err = st.Phrasings(octx); err == nil {
			taught := map[string][]string{}
			for _, p := range ps {
				taught[p.Entry] = append(taught[p.Entry], p.Text)
			}
			if len(taught) == 0 {
				return ix
			}
			return ix.WithPhrasings(taught)
		}
	}
	fmt.Fprintf(stderr, "beianbot: answering without the taught phrasings: %v\n", err)
	return ix
}
