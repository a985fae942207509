package learn

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/beianbot/beianbot/faq"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func embedded(t testing.TB) *faq.Index {
	t.Helper()
	ix, err := faq.LoadEmbedded(faq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func reviewFixture() ([]Question, []Feedback) {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	qs := []Question{
		{ID: "a1", Text: "备案号放在网站哪里", Outcome: OutcomeSuggested, Offered: []string{"section_fym_mzr_zdb", "section_cym_mzr_zdb"}, Time: at(1)},
		{ID: "a2", Text: "备案号放在哪里？", Outcome: OutcomeSuggested, Offered: []string{"section_fym_mzr_zdb"}, Time: at(2)},
		{ID: "a3", Text: "网站的备案号要放哪里", Outcome: OutcomeSuggested, Offered: []string{"section_fym_mzr_zdb"}, Time: at(3)},
		{ID: "a4", Text: "备案号放在哪里", Outcome: OutcomeSuggested, Offered: []string{"section_fym_mzr_zdb"}, Time: at(4)},
		{ID: "b1", Text: "How do I cancel my ICP filing?", Outcome: OutcomeDeclined, Time: at(5)},
		{ID: "b2", Text: "how do i cancel my icp filing", Outcome: OutcomeDeclined, Time: at(6)},
		{ID: "c1", Text: "蓝色大象在哪里吃午饭", Outcome: OutcomeDeclined, Time: at(7)},
		{ID: "d1", Text: "香港服务器要备案吗", Outcome: OutcomeAnswered, Entry: "section_cym_mzr_zdb", Score: 0.9, Time: at(8)},
		{ID: "d2", Text: "IP 网站备案", Outcome: OutcomeAnswered, Entry: "section_bym_mzr_zdb", Score: 0.8, Time: at(9)},
	}
	fs := []Feedback{
		{Question: "a1", UserKey: "u1", Kind: KindPick, Entry: "section_fym_mzr_zdb", Time: at(1)},
		{Question: "a3", UserKey: "u2", Kind: KindPick, Entry: "section_fym_mzr_zdb", Time: at(3)},
		{Question: "d1", UserKey: "u1", Kind: KindUp, Entry: "section_cym_mzr_zdb", Time: at(8)},
		{Question: "d1", UserKey: "u2", Kind: KindDown, Entry: "section_cym_mzr_zdb", Time: at(8)},
		{Question: "d2", UserKey: "u3", Kind: KindDown, Entry: "section_bym_mzr_zdb", Time: at(9)},
		{Question: "d2", UserKey: "u4", Kind: KindDown, Entry: "section_bym_mzr_zdb", Time: at(9)},
	}
	return qs, fs
}

func TestSummarise(t *testing.T) {
	ix := embedded(t)
	qs, fs := reviewFixture()
	got := Summarise(qs, fs, ix, t0)
	q := func(id string) string { return ix.Lookup(id, "zh").Question }
	want := Review{
		Since: t0, Handled: 9, Answered: 2,
		Groups: []Group{
			{Count: 4, Questions: []string{"备案号放在哪里？", "备案号放在网站哪里", "网站的备案号要放哪里"}, Offered: []Offer{
				{ID: "section_fym_mzr_zdb", Question: q("section_fym_mzr_zdb"), Offered: 4, Picked: 2},
				{ID: "section_cym_mzr_zdb", Question: q("section_cym_mzr_zdb"), Offered: 1},
			}},
			{Count: 2, Questions: []string{"How do I cancel my ICP filing?"}, Offered: []Offer{}},
			{Count: 1, Questions: []string{"蓝色大象在哪里吃午饭"}, Offered: []Offer{}},
		},
		Entries: []EntryFeedback{
			{ID: "section_bym_mzr_zdb", Question: q("section_bym_mzr_zdb"), Down: 2},
			{ID: "section_cym_mzr_zdb", Question: q("section_cym_mzr_zdb"), Up: 1, Down: 1},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Summarise (-want +got):\n%s", diff)
	}
	golden(t, "digest.golden", got.Markdown(5))
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

func TestBuildReview(t *testing.T) {
	ctx := context.Background()
	s := openT(t, Location{Path: filepath.Join(t.TempDir(), "learn.db")})
	qs, fs := reviewFixture()
	if err := s.AddQuestions(ctx, qs); err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if _, err := s.AddFeedback(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	rv, err := BuildReview(ctx, s, embedded(t), t0.Add(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if rv.Handled != 5 || rv.Answered != 2 || len(rv.Groups) != 2 {
		t.Errorf("review since +5m: handled %d, answered %d, %d groups; want 5, 2, 2", rv.Handled, rv.Answered, len(rv.Groups))
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{{"90d", 90 * 24 * time.Hour}, {"2w", 14 * 24 * time.Hour}, {"36h", 36 * time.Hour}, {"0d", 0}, {"-1h", 0}, {"soon", 0}, {"d", 0}} {
		got, err := ParseDuration(tc.in)
		if tc.want == 0 {
			if err == nil {
				t.Errorf("ParseDuration(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestLive(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "learn.db")
	here := openT(t, Location{Path: path})
	there := openT(t, Location{Path: path}) // another replica, or the CLI
	base := embedded(t)
	const q = "紫色长颈鹿在月球上跳舞" // no FAQ word in it: answered only once taught
	const id = "section_fym_mzr_zdb"
	var current *faq.Index
	live := NewLive(here, func(ix *faq.Index) { current = ix }, 0, nil)
	if err := live.Start(ctx, base); err != nil {
		t.Fatal(err)
	}
	if res := current.Match(q); res.Answered {
		t.Fatalf("before teaching, %q is answered with %s", q, res.Best.Entry.ID)
	}
	if _, err := there.Teach(ctx, id, q, "cli"); err != nil {
		t.Fatal(err)
	}
	if err := live.refresh(ctx, false); err != nil { // one poll
		t.Fatal(err)
	}
	answered := func(when string) {
		t.Helper()
		if res := current.Match(q); !res.Answered || res.Best.Entry.ID != id {
			t.Errorf("%s: %q answered %v with %v; want %s", when, q, res.Answered, res.Best.Entry, id)
		}
	}
	answered("after a poll")
	live.SetBase(embedded(t)) // an FAQ reload
	answered("after an FAQ reload")
	for _, tc := range []struct{ entry, text string }{{"section_nope", "x"}, {id, " "}, {id, "a|b"}} {
		if _, err := live.Teach(ctx, tc.entry, tc.text, "cli"); err == nil {
			t.Errorf("Teach(%q, %q): no error", tc.entry, tc.text)
		}
	}
	// Unteaching here takes it out at once; unteaching on another replica,
	// at the next poll.
	if removed, err := live.Unteach(ctx, id, " "+q+" "); err != nil || !removed {
		t.Fatalf("Unteach: %v, %v", removed, err)
	}
	if res := current.Match(q); res.Answered {
		t.Errorf("after unteaching, %q is still answered with %s", q, res.Best.Entry.ID)
	}
	if _, err := live.Teach(ctx, id, q, "cli"); err != nil {
		t.Fatal(err)
	}
	answered("taught again")
	if removed, err := there.Unteach(ctx, id, q); err != nil || !removed {
		t.Fatalf("Unteach on another replica: %v, %v", removed, err)
	}
	if err := live.refresh(ctx, false); err != nil {
		t.Fatal(err)
	}
	if res := current.Match(q); res.Answered {
		t.Errorf("after another replica unteached it and a poll, %q is still answered", q)
	}
}

// TestGroupingOnLabelledQuestions groups labelled questions (each with the
// entry it means), offered what the matcher offers, and measures pairs:
// two questions in one group should mean one entry (precision), and two
// that mean one entry should mostly share a group (recall).
func TestGroupingOnLabelledQuestions(t *testing.T) {
	ix := embedded(t)
	raw, err := os.ReadFile(filepath.Join("testdata", "paraphrases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var qs []Question
	gold := map[string]string{}
	for i, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var r struct {
			Query  string `json:"query"`
			Expect string `json:"expect"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		res := ix.Match(r.Query)
		var offered []string
		if res.Best.Entry != nil {
			offered = append(offered, res.Best.Entry.ID)
		}
		id := strconv.Itoa(i)
		gold[id] = r.Expect
		qs = append(qs, Question{ID: id, Text: r.Query, Outcome: OutcomeSuggested, Offered: offered, Score: res.Best.Score, Time: t0})
	}
	group := map[string]int{}
	for gi, g := range cluster(qs) {
		for _, m := range g.members {
			group[m.q.ID] = gi
		}
	}
	var tp, fp, fn int
	for a := range qs {
		for b := a + 1; b < len(qs); b++ {
			same, together := gold[qs[a].ID] == gold[qs[b].ID], group[qs[a].ID] == group[qs[b].ID]
			switch {
			case same && together:
				tp++
			case together:
				fp++
			case same:
				fn++
			}
		}
	}
	precision, recall := float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn)
	t.Logf("%d questions: pair precision %.2f, recall %.2f", len(qs), precision, recall)
	if precision < 0.85 || recall < 0.45 {
		t.Errorf("pair precision %.2f, recall %.2f; want at least 0.85 and 0.45", precision, recall)
	}
}

// FuzzSettings: the database URL and durations parse or fail, never panic,
// and a parsed URL names its database without a password.
func FuzzSettings(f *testing.F) {
	for _, s := range []string{"", "sqlite:x.db", "postgres://u:secret@h/db", "90d", "2w", "-1d", "1e9d", "postgresql://"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if loc, err := ParseURL(s); err == nil && loc.Postgres && strings.Contains(s, ":secret@") && strings.Contains(loc.String(), "secret") {
			t.Errorf("ParseURL(%q).String() = %q shows the password", s, loc)
		}
		if d, err := ParseDuration(s); err == nil && d <= 0 {
			t.Errorf("ParseDuration(%q) = %v, want a positive duration or an error", s, d)
		}
	})
}

// FuzzSummarise: any question text groups and renders.
func FuzzSummarise(f *testing.F) {
	for _, s := range []string{"备案号放在哪里", "", "**[x](y)**", "ＡＢＣ１２３", "\xff\xfe"} {
		f.Add(s, s+"吗")
	}
	ix := embedded(f)
	f.Fuzz(func(t *testing.T, a, b string) {
		qs := []Question{
			{ID: "1", Text: a, Outcome: OutcomeDeclined, Time: t0},
			{ID: "2", Text: b, Outcome: OutcomeSuggested, Offered: []string{"section_fym_mzr_zdb"}, Score: 0.4, Time: t0},
		}
		rv := Summarise(qs, nil, ix, t0)
		n := 0
		for _, g := range rv.Groups {
			n += g.Count
		}
		if n != 2 {
			t.Errorf("groups hold %d questions, want 2", n)
		}
		if md := rv.Markdown(5); md == "" {
			t.Error("empty digest")
		}
	})
}
