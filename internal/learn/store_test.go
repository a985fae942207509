package learn

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/beianbot/beianbot/internal/learn/pgtest"
)

// backends returns a constructor of empty stores for each database kind:
// a SQLite file, and a database of its own on a PostgreSQL server the test
// starts.
func backends(t *testing.T) map[string]func(t *testing.T) Store {
	t.Helper()
	var pg *pgtest.Server
	if pgtest.Available() == nil {
		pg = pgtest.New(t)
	}
	var n atomic.Int64
	return map[string]func(t *testing.T) Store{
		"sqlite": func(t *testing.T) Store {
			return openT(t, Location{Path: filepath.Join(t.TempDir(), "learn.db")})
		},
		"postgres": func(t *testing.T) Store {
			if pg == nil {
				pgtest.New(t) // skips, or fails under CI=true
			}
			return openT(t, Location{Postgres: true, URL: newDatabase(t, pg.URL(), fmt.Sprintf("t%d", n.Add(1)))})
		},
	}
}

// newDatabase creates database name on the server at url and returns its URL.
func newDatabase(t testing.TB, url, name string) string {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	return strings.Replace(url, "/postgres?", "/"+name+"?", 1)
}

func openT(t testing.TB, loc Location) Store {
	t.Helper()
	s, err := Open(context.Background(), loc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var t0 = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

func question(id, user, text, outcome string, at time.Time, offered ...string) Question {
	return Question{ID: id, Platform: "slack", Chat: "C1", UserKey: user, Text: text, Outcome: outcome,
		Entry: "", Score: 0.3, Offered: offered, Time: at}
}

func TestStore(t *testing.T) {
	ctx := context.Background()
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("questions", func(t *testing.T) {
				s := open(t)
				long := strings.Repeat("备", MaxText) // 3 bytes a character
				qs := []Question{
					question("q1", "u1", "香港服务器要备案吗", OutcomeAnswered, t0),
					question("q2", "u2", long, OutcomeSuggested, t0.Add(time.Hour), "section_a", "section_b"),
					question("q3", "u1", "hello", OutcomeDeclined, t0.Add(2*time.Hour)),
				}
				qs[0].Entry, qs[0].Score = "section_cym_mzr_zdb", 0.91
				if err := s.AddQuestions(ctx, qs); err != nil {
					t.Fatal(err)
				}
				// The same id again (a retried batch) is left as it is.
				if err := s.AddQuestions(ctx, []Question{question("q1", "u9", "other", OutcomeDeclined, t0)}); err != nil {
					t.Fatal(err)
				}
				got, err := s.Questions(ctx, t0.Add(time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				want := []Question{qs[1], qs[2]}
				want[0].Text = strings.Repeat("备", MaxText/3)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Questions since +1h (-want +got):\n%s", diff)
				}
				q, ok, err := s.Question(ctx, "q1")
				if err != nil || !ok {
					t.Fatalf("Question(q1) = %v, %v", ok, err)
				}
				if diff := cmp.Diff(qs[0], q); diff != "" {
					t.Errorf("Question(q1) (-want +got):\n%s", diff)
				}
				if _, ok, err := s.Question(ctx, "nope"); ok || err != nil {
					t.Errorf("Question(nope) = %v, %v; want false, nil", ok, err)
				}
			})
			t.Run("feedback once per user and answer", func(t *testing.T) {
				s := open(t)
				steps := []struct {
					f    Feedback
					want bool
				}{
					{Feedback{Question: "q1", UserKey: "u1", Kind: KindUp, Entry: "e1", Time: t0}, true},
					{Feedback{Question: "q1", UserKey: "u1", Kind: KindUp, Entry: "e1", Time: t0}, false},
					{Feedback{Question: "q1", UserKey: "u1", Kind: KindDown, Entry: "e1", Time: t0}, false},
					{Feedback{Question: "q1", UserKey: "u2", Kind: KindDown, Entry: "e1", Time: t0}, true},
					{Feedback{Question: "q2", UserKey: "u1", Kind: KindPick, Entry: "e1", Time: t0}, true},
					{Feedback{Question: "q2", UserKey: "u1", Kind: KindPick, Entry: "e1", Time: t0}, false},
					{Feedback{Question: "q2", UserKey: "u1", Kind: KindPick, Entry: "e2", Time: t0}, true},
					{Feedback{Question: "q2", UserKey: "u1", Kind: KindUp, Entry: "e2", Time: t0}, true},
				}
				for i, st := range steps {
					got, err := s.AddFeedback(ctx, st.f)
					if err != nil {
						t.Fatal(err)
					}
					if got != st.want {
						t.Errorf("step %d: AddFeedback(%+v) = %v, want %v", i, st.f, got, st.want)
					}
				}
				if _, err := s.AddFeedback(ctx, Feedback{Question: "q", Kind: "meh"}); err == nil {
					t.Error("AddFeedback with an unknown kind: no error")
				}
				got, err := s.Feedback(ctx, t0)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 5 {
					t.Errorf("Feedback: %d rows, want 5: %+v", len(got), got)
				}
			})
			t.Run("teach", func(t *testing.T) {
				s := open(t)
				v0, err := s.PhrasingsVersion(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for i, st := range []struct {
					entry, text string
					want        bool
				}{{"e1", "备案号放哪", true}, {"e1", "备案号放哪", false}, {"e2", "备案号放哪", true}} {
					got, err := s.Teach(ctx, st.entry, st.text, "cli")
					if err != nil {
						t.Fatal(err)
					}
					if got != st.want {
						t.Errorf("step %d: Teach(%s, %s) = %v, want %v", i, st.entry, st.text, got, st.want)
					}
				}
				v1, err := s.PhrasingsVersion(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if v1 == v0 {
					t.Errorf("PhrasingsVersion unchanged by teaching: %s", v1)
				}
				ps, err := s.Phrasings(ctx)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, p := range ps {
					got = append(got, p.Entry+"="+p.Text+"/"+p.Who)
				}
				if diff := cmp.Diff([]string{"e1=备案号放哪/cli", "e2=备案号放哪/cli"}, got); diff != "" {
					t.Errorf("Phrasings (-want +got):\n%s", diff)
				}
				// Deleting the older of the two changes the version too.
				for i, st := range []struct {
					entry, text string
					want        bool
				}{{"e1", "备案号放哪", true}, {"e1", "备案号放哪", false}, {"e3", "备案号放哪", false}} {
					if got, err := s.Unteach(ctx, st.entry, st.text); err != nil || got != st.want {
						t.Errorf("step %d: Unteach(%s, %s) = %v, %v; want %v", i, st.entry, st.text, got, err, st.want)
					}
				}
				if v2, err := s.PhrasingsVersion(ctx); err != nil || v2 == v1 {
					t.Errorf("PhrasingsVersion after unteaching: %s, %v; want other than %s", v2, err, v1)
				}
				if ps, err := s.Phrasings(ctx); err != nil || len(ps) != 1 || ps[0].Entry != "e2" {
					t.Errorf("Phrasings after unteaching: %+v, %v; want e2's alone", ps, err)
				}
			})
			t.Run("forget", func(t *testing.T) {
				s := open(t)
				if err := s.AddQuestions(ctx, []Question{
					question("q1", "u1", "a", OutcomeDeclined, t0),
					question("q2", "u2", "b", OutcomeDeclined, t0.Add(48*time.Hour)),
					question("q3", "u1", "c", OutcomeDeclined, t0.Add(48*time.Hour)),
				}); err != nil {
					t.Fatal(err)
				}
				for _, f := range []Feedback{
					{Question: "q2", UserKey: "u1", Kind: KindUp, Entry: "e", Time: t0.Add(48 * time.Hour)},
					{Question: "q2", UserKey: "u2", Kind: KindUp, Entry: "e", Time: t0.Add(48 * time.Hour)},
				} {
					if _, err := s.AddFeedback(ctx, f); err != nil {
						t.Fatal(err)
					}
				}
				n, err := s.Forget(ctx, "u1")
				if err != nil || n != 3 {
					t.Errorf("Forget(u1) = %d, %v; want 3 rows", n, err)
				}
				n, err = s.ForgetBefore(ctx, t0.Add(24*time.Hour))
				if err != nil || n != 0 {
					t.Errorf("ForgetBefore(+24h) = %d, %v; want 0 rows (u1's are gone)", n, err)
				}
				n, err = s.ForgetBefore(ctx, t0.Add(72*time.Hour))
				if err != nil || n != 2 {
					t.Errorf("ForgetBefore(+72h) = %d, %v; want 2 rows", n, err)
				}
				qs, _ := s.Questions(ctx, time.Time{})
				fs, _ := s.Feedback(ctx, time.Time{})
				if len(qs)+len(fs) != 0 {
					t.Errorf("left after forgetting everything: %+v %+v", qs, fs)
				}
			})
			t.Run("claim", func(t *testing.T) {
				s := open(t)
				for i, want := range []bool{true, false} {
					if got, err := s.Claim(ctx, "digest:2026-11-23"); err != nil || got != want {
						t.Errorf("claim %d = %v, %v; want %v", i, got, err, want)
					}
				}
			})
			t.Run("secret", func(t *testing.T) {
				s := open(t)
				a, err := s.Secret(ctx)
				if err != nil {
					t.Fatal(err)
				}
				b, err := s.Secret(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(a) != 32 || string(a) != string(b) {
					t.Errorf("Secret: %x then %x; want the same 32 bytes", a, b)
				}
			})
		})
	}
}

func TestSQLiteReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "learn.db")
	s, err := Open(ctx, Location{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Teach(ctx, "e1", "怎么备案", "cli"); err != nil {
		t.Fatal(err)
	}
	secret, _ := s.Secret(ctx)
	s.Close()
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("new database file: %v, %v; want mode 0600", st.Mode(), err)
	}
	s = openT(t, Location{Path: path})
	ps, err := s.Phrasings(ctx)
	if err != nil || len(ps) != 1 {
		t.Errorf("after reopening: phrasings %v, %v; want the one taught", ps, err)
	}
	again, _ := s.Secret(ctx)
	if string(again) != string(secret) {
		t.Error("the user key secret changed on reopening")
	}
	var versions int
	if err := s.(*sqlStore).db.QueryRow(`SELECT COUNT(*) FROM schema_version`).Scan(&versions); err != nil || versions != len(migrations(sqliteDialect)) {
		t.Errorf("schema_version rows = %d, %v; want one per migration", versions, err)
	}
}

func TestSQLiteBadFile(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.db")
	if err := os.WriteFile(corrupt, []byte(strings.Repeat("not a database at all. ", 400)), 0o644); err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(dir, "newer.db")
	s := openT(t, Location{Path: newer})
	if _, err := s.(*sqlStore).db.Exec(`INSERT INTO schema_version (version) VALUES (99)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, tc := range []struct{ name, path, want string }{
		{"corrupt", corrupt, "not a database"},
		{"a directory", dir, ""},
		{"in a missing directory", filepath.Join(dir, "missing", "x.db"), ""},
		{"newer schema", newer, "newer than this binary"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(context.Background(), Location{Path: tc.path})
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s): no error", tc.path)
			}
			if !strings.Contains(err.Error(), tc.path) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open(%s) error %q: want it to name the file and say %q", tc.path, err, tc.want)
			}
		})
	}
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Location
		bad  bool
	}{
		{in: "", want: Location{Path: DefaultFile}},
		{in: "data/bot.db", want: Location{Path: "data/bot.db"}},
		{in: "sqlite:/var/lib/beianbot/bot.db", want: Location{Path: "/var/lib/beianbot/bot.db"}},
		{in: "sqlite:///var/lib/beianbot/bot.db", want: Location{Path: "/var/lib/beianbot/bot.db"}},
		{in: "postgres://bot:pw@db:5432/beianbot", want: Location{Postgres: true, URL: "postgres://bot:pw@db:5432/beianbot"}},
		{in: "postgresql://db/beianbot", want: Location{Postgres: true, URL: "postgresql://db/beianbot"}},
		{in: "mysql://db/x", bad: true},
		{in: "postgres:///nohost", bad: true},
		{in: "sqlite:", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseURL(tc.in)
			if tc.bad {
				if err == nil {
					t.Fatalf("ParseURL(%q) = %+v, want an error", tc.in, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseURL(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
	if s := (Location{Postgres: true, URL: "postgres://bot:secret@db:5432/beianbot"}).String(); strings.Contains(s, "secret") {
		t.Errorf("Location.String() = %q shows the password", s)
	}
}
