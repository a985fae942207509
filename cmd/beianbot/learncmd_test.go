package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/faq"
)

func TestLearnCLI(t *testing.T) {
	getenv := env(map[string]string{"BEIANBOT_DATABASE_URL": filepath.Join(t.TempDir(), "learn.db")})
	for _, args := range [][]string{{"review"}, {"phrasings", "export"}, {"forget", "--before", "2026-01-01"}, {"unteach", "section_fym_mzr_zdb", "x"}} {
		if code, _, errOut := runCLI(t, getenv, "", args...); code != 1 || !strings.Contains(errOut, "no learning database at") {
			t.Errorf("%v before any database: exit %d, %q; want exit 1, no learning database", args, code, errOut)
		}
	}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string // a piece of it
		stderr string
	}{
		{"teach", []string{"teach", "section_fym_mzr_zdb", "网站底部悬挂的号码写在哪"}, 0, "taught: section_fym_mzr_zdb = 网站底部悬挂的号码写在哪", ""},
		{"teach again", []string{"teach", "section_fym_mzr_zdb", "网站底部悬挂的号码写在哪"}, 0, "already taught", ""},
		{"teach several words", []string{"teach", "section_fym_mzr_zdb", "is", "my", "site", "up", "while", "filing"}, 0, "= is my site up while filing", ""},
		{"teach another entry", []string{"teach", "section_bym_mzr_zdb", "只有IP没有域名"}, 0, "taught", ""},
		{"unknown id", []string{"teach", "section_nope", "x"}, 2, "", `no FAQ entry "section_nope"`},
		{"no phrasing", []string{"teach", "section_fym_mzr_zdb"}, 2, "", "usage"},
		{"bad phrasing", []string{"teach", "section_fym_mzr_zdb", "a | b"}, 2, "", "phrasing"},
		{"phrasing closing a comment", []string{"teach", "section_fym_mzr_zdb", "a --> b"}, 2, "", "phrasing"},
		{"export", []string{"phrasings", "export"}, 0,
			"<!-- beianbot\nask: 网站底部悬挂的号码写在哪\nask: is my site up while filing\n-->\n", ""},
		{"export as a lexicon", []string{"phrasings", "export", "--lexicon"}, 0,
			"[phrasings]\nsection_fym_mzr_zdb = 网站底部悬挂的号码写在哪 | is my site up while filing\nsection_bym_mzr_zdb = 只有IP没有域名\n", ""},
		{"export what", []string{"phrasings"}, 2, "", "usage"},
		{"unteach", []string{"unteach", "section_bym_mzr_zdb", "只有IP没有域名"}, 0, "deleted: section_bym_mzr_zdb = 只有IP没有域名", ""},
		{"unteach again", []string{"unteach", "section_bym_mzr_zdb", "只有IP没有域名"}, 1, "", "never taught"},
		{"unteach what", []string{"unteach", "section_bym_mzr_zdb"}, 2, "", "usage"},
		{"review", []string{"review", "--since", "2w"}, 0, "Nothing went unanswered", ""},
		{"review bad since", []string{"review", "--since", "soon"}, 2, "", "--since"},
		{"forget a user", []string{"forget", "--user", "slack:U0123"}, 0, "deleted 0 records", ""},
		{"forget a key", []string{"forget", "--user", "0123456789abcdef0123456789abcdef"}, 0, "deleted 0 records", ""},
		{"forget before", []string{"forget", "--before", "2026-11-01"}, 0, "deleted 0 records", ""},
		{"forget both", []string{"forget", "--user", "slack:U1", "--before", "2026-11-01"}, 2, "", "usage"},
		{"forget a bad date", []string{"forget", "--before", "last week"}, 2, "", "want a date"},
		{"forget a bad user", []string{"forget", "--user", "nobody"}, 2, "", "platform:user-id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, getenv, "", tc.args...)
			if code != tc.code || !strings.Contains(out, tc.stdout) || !strings.Contains(errOut, tc.stderr) {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
					tc.args, code, out, errOut, tc.code, tc.stdout, tc.stderr)
			}
			if tc.code == 2 && strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
				t.Errorf("usage error on more than one line: %q", errOut)
			}
		})
	}
	if _, out, _ := runCLI(t, getenv, "", "phrasings", "export", "--lexicon"); strings.Contains(out, "只有IP没有域名") || !strings.Contains(out, "网站底部悬挂的号码写在哪") {
		t.Errorf("export after unteach: %q; want the deleted phrasing gone and the other kept", out)
	}
	code, out, errOut := runCLI(t, getenv, "", "review", "--json")
	if code != 0 {
		t.Fatalf("review --json: exit %d: %s", code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("review --json: %v\n%s", err, out)
	}
	var keys []string
	for _, k := range []string{"since", "handled", "answered", "groups", "entries"} {
		if _, ok := m[k]; ok {
			keys = append(keys, k)
		}
	}
	if diff := cmp.Diff([]string{"since", "handled", "answered", "groups", "entries"}, keys); diff != "" {
		t.Errorf("review --json keys (-want +got):\n%s", diff)
	}
}

func TestLearnSettings(t *testing.T) {
	for _, tc := range []struct {
		name, key, value, want string
	}{
		{"database", "BEIANBOT_DATABASE_URL", "mysql://db/x", "BEIANBOT_DATABASE_URL"},
		{"record", "BEIANBOT_RECORD_QUESTIONS", "sometimes", "BEIANBOT_RECORD_QUESTIONS"},
		{"retention", "BEIANBOT_RETENTION", "forever", "BEIANBOT_RETENTION"},
		{"admins", "BEIANBOT_ADMINS", "irc:bob", "BEIANBOT_ADMINS"},
		{"handoff", "BEIANBOT_HANDOFF", "slack:#support", "BEIANBOT_HANDOFF"},
		{"handoff telegram", "BEIANBOT_HANDOFF", "telegram:support", "BEIANBOT_HANDOFF"},
		{"digest", "BEIANBOT_DIGEST", "hourly@slack:C0123", "BEIANBOT_DIGEST"},
		{"digest destination", "BEIANBOT_DIGEST", "weekly@slack:#general", "BEIANBOT_DIGEST"},
		{"secret", "BEIANBOT_USER_KEY_SECRET", "short", "BEIANBOT_USER_KEY_SECRET"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, env(map[string]string{tc.key: tc.value}), "", "run")
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Errorf("%s=%q: exit %d, stderr %q; want exit 2 naming %s", tc.key, tc.value, code, errOut, tc.want)
			}
		})
	}
	s, err := learnSettingsFrom(env(map[string]string{
		"BEIANBOT_ADMINS":  "slack:U0123ABC, telegram:123456789",
		"BEIANBOT_HANDOFF": "slack:S0123ABC,telegram:@beian_support,telegram:-100123",
		"BEIANBOT_DIGEST":  "weekly@telegram:-100123",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !s.admins["slack:U0123ABC"] || !s.admins["telegram:123456789"] || !s.record || s.retention != defaultRetention {
		t.Errorf("settings: %+v", s)
	}
	if diff := cmp.Diff(map[string][]string{"slack": {"S0123ABC"}, "telegram": {"@beian_support", "-100123"}}, s.handoff); diff != "" {
		t.Errorf("handoff (-want +got):\n%s", diff)
	}
	if s.digest == nil || s.digest.platform != "telegram" || s.digest.chat != "-100123" || s.digest.every != 7*24*3600e9 {
		t.Errorf("digest: %+v", s.digest)
	}
}

func TestCorruptDatabaseStops(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.db")
	if err := writeFile(path, strings.Repeat("garbage ", 1000)); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"review"}, {"run"}} {
		code, _, errOut := runCLI(t, env(map[string]string{
			"BEIANBOT_DATABASE_URL": path,
			// run gets as far as the database, which comes before the platform
			"TELEGRAM_BOT_TOKEN":    "1234:e2e-token",
			"TELEGRAM_API_ENDPOINT": "http://127.0.0.1:1/bot%s/%s",
		}), "", args...)
		if code != 1 || !strings.Contains(errOut, path) || strings.Contains(errOut, "telegram") || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%v on a corrupt database: exit %d, stderr %q; want exit 1 and one line naming %s", args, code, errOut, path)
		}
	}
}

func TestNextSlot(t *testing.T) {
	day, week := 24*time.Hour, 7*24*time.Hour
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tc := range []struct {
		now   string
		every time.Duration
		want  string
	}{
		{"2026-12-01T08:00:00Z", day, "2026-12-01T09:00:00Z"},
		{"2026-12-01T09:00:00Z", day, "2026-12-02T09:00:00Z"},
		{"2026-12-01T10:00:00Z", week, "2026-12-07T09:00:00Z"}, // a Tuesday: next Monday
		{"2026-12-07T08:59:00Z", week, "2026-12-07T09:00:00Z"},
	} {
		if got := nextSlot(at(tc.now), tc.every); !got.Equal(at(tc.want)) {
			t.Errorf("nextSlot(%s, %v) = %s, want %s", tc.now, tc.every, got, tc.want)
		}
	}
}

// postedDigest is a poster that keeps what it was given.
type postedDigest struct {
	chats []string
	texts []string
}

func (p *postedDigest) Post(ctx context.Context, chat string, rep bot.Reply) error {
	p.chats = append(p.chats, chat)
	p.texts = append(p.texts, rep.Text)
	return nil
}

// TestDigestOncePerSlot: two replicas sharing a database reach the same
// slot; one posts.
func TestDigestOncePerSlot(t *testing.T) {
	ctx := context.Background()
	s, err := learnSettingsFrom(env(map[string]string{
		"BEIANBOT_DATABASE_URL": filepath.Join(t.TempDir(), "learn.db"),
		"BEIANBOT_DIGEST":       "daily@telegram:-100123",
	}))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := faq.LoadEmbedded(faq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var p postedDigest
	slot := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for range 2 {
		l, err := openLearning(ctx, s, slog.New(slog.DiscardHandler), nil, func(*faq.Index) {})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.live.Start(ctx, ix); err != nil {
			t.Fatal(err)
		}
		if err := l.postDigest(ctx, &p, s.digest, slot); err != nil {
			t.Fatal(err)
		}
		l.store.Close()
	}
	if len(p.chats) != 1 || p.chats[0] != "-100123" || !strings.Contains(p.texts[0], "Review since 2026-11-30 09:00 UTC") {
		t.Errorf("posted %q %q; want one digest of the day before the slot to -100123", p.chats, p.texts)
	}
}

// TestExportedPhrasingsLoad: the export, pasted under its entry's heading
// in the FAQ file, is read back as that entry's phrasings.
func TestExportedPhrasingsLoad(t *testing.T) {
	dir := t.TempDir()
	getenv := env(map[string]string{"BEIANBOT_DATABASE_URL": filepath.Join(dir, "learn.db")})
	for _, p := range []string{"网站底部悬挂的号码写在哪", "is my site up while filing"} {
		if code, _, errOut := runCLI(t, getenv, "", "teach", "section_fym_mzr_zdb", p); code != 0 {
			t.Fatalf("teach: %s", errOut)
		}
	}
	code, out, errOut := runCLI(t, getenv, "", "phrasings", "export")
	if code != 0 {
		t.Fatalf("export: %s", errOut)
	}
	src, err := os.ReadFile(filepath.Join("..", "..", "faq", "data", "seed_website_access.md"))
	if err != nil {
		t.Fatal(err)
	}
	const heading = "{#section_fym_mzr_zdb .section}\n"
	i := strings.Index(string(src), heading)
	if i < 0 {
		t.Fatal("seed FAQ has no section_fym_mzr_zdb heading")
	}
	edited := string(src[:i+len(heading)]) + "\n" + out + string(src[i+len(heading):])
	path := filepath.Join(dir, "faq.md")
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	ix, err := faq.Load([]string{path}, faq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := ix.Lookup("section_fym_mzr_zdb", "zh").Phrasings
	for _, want := range []string{"网站底部悬挂的号码写在哪", "is my site up while filing"} {
		if !slices.Contains(got, want) {
			t.Errorf("phrasings read back %q, want %q among them", got, want)
		}
	}
}

// TestAskUsesTaught: beianbot ask answers with what beianbot teach taught.
func TestAskUsesTaught(t *testing.T) {
	getenv := env(map[string]string{"BEIANBOT_DATABASE_URL": filepath.Join(t.TempDir(), "learn.db")})
	// No FAQ word in it: answered only once taught, however the matcher is tuned.
	const q = "紫色长颈鹿在月球上跳舞"
	answered := func() bool {
		code, out, errOut := runCLI(t, getenv, "", "ask", "--json", q)
		if code != 0 || errOut != "" {
			t.Fatalf("ask: exit %d, stderr %q", code, errOut)
		}
		return strings.Contains(out, `"answered":true`) && strings.Contains(out, "section_fym_mzr_zdb")
	}
	if answered() {
		t.Fatalf("%q answered before teaching", q)
	}
	if code, _, errOut := runCLI(t, getenv, "", "teach", "section_fym_mzr_zdb", q); code != 0 {
		t.Fatalf("teach: %s", errOut)
	}
	if !answered() {
		t.Errorf("%q not answered with the taught entry", q)
	}
}
