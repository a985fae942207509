package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/beianbot/beianbot/bot/console"
	"github.com/beianbot/beianbot/faq"
	"github.com/beianbot/beianbot/internal/learn"
)

// cmdReview is "beianbot review [--json] [--since 7d]".
func cmdReview(ctx context.Context, args []string, cfg config, stdout io.Writer) error {
	fs := flag.NewFlagSet("review", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "print the review as one JSON object")
	since := fs.String("since", "7d", "how far back to look: 7d, 2w, 36h")
	if err := fs.Parse(args); err != nil {
		return usagef("review: %v", err)
	}
	if fs.NArg() > 0 {
		return usagef("review takes no arguments besides --json and --since")
	}
	window, err := learn.ParseDuration(*since)
	if err != nil {
		return usagef("review --since %v", err)
	}
	ix, err := cfg.FAQ.load(nil)
	if err != nil {
		return err
	}
	st, _, err := openExisting(ctx, cfg.Learn)
	if err != nil {
		return err
	}
	defer st.Close()
	rv, err := learn.BuildReview(ctx, st, ix, time.Now().Add(-window).Truncate(time.Second))
	if err != nil {
		return err
	}
	if *asJSON {
		b, err := json.Marshal(rv)
		if err != nil {
			return fmt.Errorf("encode review: %w", err)
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	_, err = fmt.Fprintln(stdout, console.Render(rv.Markdown(20)))
	return err
}

// cmdTeach is "beianbot teach ENTRY-ID PHRASING".
func cmdTeach(ctx context.Context, args []string, cfg config, stdout io.Writer) error {
	if len(args) < 2 {
		return usagef("usage: beianbot teach ENTRY-ID PHRASING")
	}
	id, phrasing := args[0], strings.TrimSpace(strings.Join(args[1:], " "))
	ix, err := cfg.FAQ.load(nil)
	if err != nil {
		return err
	}
	if err := learn.Validate(ix, id, phrasing); err != nil {
		if errors.Is(err, learn.ErrUnknownEntry) {
			return usagef("teach: no FAQ entry %q ('beianbot faq list' lists them)", id)
		}
		return usagef("teach: %v", err)
	}
	st, _, err := openLearnStore(ctx, cfg.Learn)
	if err != nil {
		return err
	}
	defer st.Close()
	added, err := st.Teach(ctx, id, phrasing, "cli")
	if err != nil {
		return err
	}
	if !added {
		_, err = fmt.Fprintf(stdout, "already taught: %s = %s\n", id, phrasing)
		return err
	}
	_, err = fmt.Fprintf(stdout, "taught: %s = %s (live on every running bot within seconds)\n", id, phrasing)
	return err
}

// cmdUnteach is "beianbot unteach ENTRY-ID PHRASING": it deletes a taught
// phrasing; exit 1 when there is none. The FAQ is not read: a phrasing of an
// entry the FAQ no longer has can be deleted too.
func cmdUnteach(ctx context.Context, args []string, cfg config, stdout io.Writer) error {
	if len(args) < 2 {
		return usagef("usage: beianbot unteach ENTRY-ID PHRASING")
	}
	id, phrasing := args[0], strings.TrimSpace(strings.Join(args[1:], " "))
	st, _, err := openExisting(ctx, cfg.Learn)
	if err != nil {
		return err
	}
	defer st.Close()
	removed, err := st.Unteach(ctx, id, phrasing)
	if err != nil {
		return err
	}
	if !removed {
		return fmt.Errorf("unteach: %s = %s was never taught ('beianbot phrasings export' lists what was)", id, phrasing)
	}
	_, err = fmt.Fprintf(stdout, "deleted: %s = %s (gone from every running bot within seconds)\n", id, phrasing)
	return err
}

// cmdPhrasings is "beianbot phrasings export [--lexicon]": the taught
// phrasings in the FAQ's own phrasing format, a "<!-- beianbot ask: … -->"
// block per entry to paste under its heading; with --lexicon, as the
// [phrasings] section of a lexicon file (BEIANBOT_LEXICON) instead.
func cmdPhrasings(ctx context.Context, args []string, cfg config, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "export" {
		return usagef("usage: beianbot phrasings export [--lexicon]")
	}
	fs := flag.NewFlagSet("phrasings export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	lexicon := fs.Bool("lexicon", false, "write a lexicon [phrasings] section instead of FAQ comments")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return usagef("usage: beianbot phrasings export [--lexicon]")
	}
	st, _, err := openExisting(ctx, cfg.Learn)
	if err != nil {
		return err
	}
	defer st.Close()
	ps, err := st.Phrasings(ctx)
	if err != nil {
		return err
	}
	if *lexicon {
		return writeLexicon(stdout, ps)
	}
	ix, err := cfg.FAQ.load(nil)
	if err != nil {
		return err
	}
	return writeDirectives(stdout, ps, ix)
}

// byEntry groups phrasings by entry, entries in the order they were first
// taught.
func byEntry(ps []learn.Phrasing) (order []string, texts map[string][]string) {
	texts = map[string][]string{}
	for _, p := range ps {
		if texts[p.Entry] == nil {
			order = append(order, p.Entry)
		}
		texts[p.Entry] = append(texts[p.Entry], p.Text)
	}
	return order, texts
}

// writeDirectives writes, per entry, a comment naming the entry and where
// it is, then the "<!-- beianbot" block of "ask:" lines the FAQ loader reads.
func writeDirectives(w io.Writer, ps []learn.Phrasing, ix *faq.Index) error {
	order, texts := byEntry(ps)
	bw := bufio.NewWriter(w)
	for i, id := range order {
		if i > 0 {
			fmt.Fprintln(bw)
		}
		where := "not in the loaded FAQ"
		if e := ix.Lookup(id, "zh"); e != nil {
			where = fmt.Sprintf("%s (%s:%d)", e.Question, e.File, e.Line)
		}
		fmt.Fprintf(bw, "<!-- %s: %s; paste the block below under its heading -->\n", id, strings.ReplaceAll(where, "--", "- -"))
		fmt.Fprintln(bw, "<!-- beianbot")
		for _, t := range texts[id] {
			fmt.Fprintf(bw, "ask: %s\n", t)
		}
		fmt.Fprintln(bw, "-->")
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write phrasings: %w", err)
	}
	return nil
}

// writeLexicon writes "id = phrasing | phrasing" lines under [phrasings].
func writeLexicon(w io.Writer, ps []learn.Phrasing) error {
	order, texts := byEntry(ps)
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "# Taught phrasings, exported by 'beianbot phrasings export --lexicon'.")
	fmt.Fprintln(bw, "[phrasings]")
	for _, id := range order {
		fmt.Fprintf(bw, "%s = %s\n", id, strings.Join(texts[id], " | "))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write phrasings: %w", err)
	}
	return nil
}

// cmdForget is "beianbot forget --user KEY" or "--before DATE".
func cmdForget(ctx context.Context, args []string, cfg config, stdout io.Writer) error {
	fs := flag.NewFlagSet("forget", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	user := fs.String("user", "", "a user key (32 hex digits), or platform:user-id")
	before := fs.String("before", "", "a date (2026-11-01) or time (RFC 3339)")
	if err := fs.Parse(args); err != nil {
		return usagef("forget: %v", err)
	}
	if fs.NArg() > 0 || (*user == "") == (*before == "") {
		return usagef("usage: beianbot forget --user KEY | --before DATE")
	}
	var cutoff time.Time
	if *before != "" {
		var err error
		if cutoff, err = parseDate(*before); err != nil {
			return err
		}
	}
	if *user != "" && !isUserKey(*user) {
		if p, id, ok := strings.Cut(*user, ":"); !ok || p == "" || id == "" {
			return usagef("forget --user %q: want a user key (32 hex digits) or platform:user-id", *user)
		}
	}
	st, keyer, err := openExisting(ctx, cfg.Learn)
	if err != nil {
		return err
	}
	defer st.Close()
	var n int64
	if *user != "" {
		key := *user
		if !isUserKey(key) {
			p, id, _ := strings.Cut(key, ":")
			key = keyer.Key(p, id)
		}
		n, err = st.Forget(ctx, key)
	} else {
		n, err = st.ForgetBefore(ctx, cutoff)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "deleted %d records\n", n)
	return err
}

// openExisting opens the learning database for a command that reads or
// deletes what a bot recorded: a SQLite file that is not there is an error
// rather than a new empty database (a command run in the wrong folder).
func openExisting(ctx context.Context, s learnSettings) (learn.Store, *learn.Keyer, error) {
	if !s.loc.Postgres {
		if _, err := os.Stat(s.loc.Path); errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("no learning database at %s (set BEIANBOT_DATABASE_URL to the bot's)", s.loc.Path)
		}
	}
	return openLearnStore(ctx, s)
}

// isUserKey reports whether s is a stored user key: 32 hex digits.
func isUserKey(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil && len(s) == 32
}

func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("forget --before %q: want a date such as 2026-11-01 or an RFC 3339 time", s)
}
