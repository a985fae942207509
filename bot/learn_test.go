package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/beianbot/beianbot/internal/learn"
)

// memRecorder keeps what the responder records, in order.
type memRecorder struct {
	mu        sync.Mutex
	questions []learn.Question
	users     []string
	feedback  []string
}

func (m *memRecorder) Record(q learn.Question, user string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	q.ID = recID(len(m.questions) + 1)
	m.questions = append(m.questions, q)
	m.users = append(m.users, user)
	return q.ID
}

func (m *memRecorder) Feedback(f learn.Feedback, platform, user string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.feedback = append(m.feedback, fmt.Sprintf("%s %s %s by %s:%s", f.Kind, f.Question, f.Entry, platform, user))
}

// recID is the n-th record id memRecorder hands out.
func recID(n int) string { return fmt.Sprintf("%016d", n) }

// memAdmin teaches into a list and knows the recorded questions.
type memAdmin struct {
	taught []string
	known  map[string]bool
}

func (a *memAdmin) Teach(ctx context.Context, entry, phrasing, platform, user string) (bool, error) {
	if !a.known[entry] {
		return false, learn.ErrUnknownEntry
	}
	a.taught = append(a.taught, entry+"="+phrasing)
	return true, nil
}

func (a *memAdmin) Unteach(ctx context.Context, entry, phrasing string) (bool, error) {
	for i, t := range a.taught {
		if t == entry+"="+phrasing {
			a.taught = append(a.taught[:i], a.taught[i+1:]...)
			return true, nil
		}
	}
	return false, nil
}

func (a *memAdmin) Digest(ctx context.Context) (string, error) { return "**digest**", nil }

func (a *memAdmin) Question(ctx context.Context, id string) (string, bool) {
	return "question " + id, true
}

func buttonsOf(rep Reply) []string {
	var out []string
	for _, b := range rep.Buttons {
		out = append(out, b.Action+" "+b.Value)
	}
	return out
}

func TestLearnRecordsAndButtons(t *testing.T) {
	rec := &memRecorder{}
	r := New(Config{Index: testFAQ(), Learning: Learning{Recorder: rec,
		Handoff: map[string][]string{PlatformSlack: {"S0123"}}}})
	ctx := context.Background()
	dm := Message{Platform: PlatformSlack, ChatID: "D1", UserID: "U1", Direct: true}
	group := Message{Platform: PlatformSlack, ChatID: "C1", UserID: "U2"}
	for _, tc := range []struct {
		name    string
		msg     Message
		text    string
		buttons []string
	}{
		{"answer gets votes", dm, "/beian 论坛备案", []string{
			"beianbot_feedback_up f|u|0000000000000001|forum", "beianbot_feedback_down f|d|0000000000000001|forum"}},
		{"suggestions carry the record and a hand-off", dm, "备案", []string{
			" a|hk|zh|0000000000000002", " a|forum|zh|0000000000000002", "beianbot_handoff h|0000000000000002"}},
		{"nothing matched: a hand-off", dm, "今天中午吃什么", []string{"beianbot_handoff h|0000000000000003"}},
		{"group chatter: silent, not recorded", group, "今天中午吃什么", nil},
		{"group unsure: silent, recorded", group, "备案", nil},
		{"help: not recorded", dm, "/beian help", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.msg
			m.Text = tc.text
			if diff := cmp.Diff(tc.buttons, buttonsOf(r.Handle(ctx, m))); diff != "" {
				t.Errorf("buttons (-want +got):\n%s", diff)
			}
		})
	}
	var got []string
	for i, q := range rec.questions {
		got = append(got, fmt.Sprintf("%s %s %q %s %s [%s] by %s", q.Platform, q.Chat, q.Text, q.Outcome, q.Entry, strings.Join(q.Offered, " "), rec.users[i]))
	}
	want := []string{
		`slack D1 "论坛备案" answered forum [] by U1`,
		`slack D1 "备案" suggested  [hk forum] by U1`,
		`slack D1 "今天中午吃什么" declined  [] by U1`,
		`slack C1 "备案" declined  [] by U2`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recorded (-want +got):\n%s", diff)
	}
}

func TestLearnPress(t *testing.T) {
	rec := &memRecorder{}
	r := New(Config{Index: testFAQ(), Learning: Learning{Recorder: rec, Admin: &memAdmin{},
		Handoff: map[string][]string{PlatformSlack: {"S0123", "U0456"}, PlatformTelegram: {"@support", "-100200"}}}})
	ctx := context.Background()
	slack := Message{Platform: PlatformSlack, ChatID: "C1", UserID: "U1", Addressed: true}
	tg := Message{Platform: PlatformTelegram, ChatID: "-42", UserID: "7", Addressed: true}

	rep := r.Press(ctx, slack, "a|forum|zh|0000000000000009")
	if rep.Outcome != OutcomeAnswered || rep.EntryID != "forum" {
		t.Fatalf("suggestion press: %v %s", rep.Outcome, rep.EntryID)
	}
	if diff := cmp.Diff([]string{"beianbot_feedback_up f|u|0000000000000009|forum", "beianbot_feedback_down f|d|0000000000000009|forum"}, buttonsOf(rep)); diff != "" {
		t.Errorf("answer of a pick: buttons (-want +got):\n%s", diff)
	}
	up := r.Press(ctx, slack, "f|u|0000000000000009|forum")
	if up.Outcome != OutcomeFeedback || !up.Private || len(up.Buttons) != 0 {
		t.Errorf("👍: %+v; want a private thanks without buttons", up)
	}
	down := r.Press(ctx, slack, "f|d|0000000000000009|forum")
	if diff := cmp.Diff([]string{"beianbot_handoff h|0000000000000009"}, buttonsOf(down)); diff != "" || !down.Private {
		t.Errorf("👎: private %v, buttons (-want +got):\n%s", down.Private, diff)
	}
	wantFeedback := []string{"pick 0000000000000009 forum by slack:U1", "up 0000000000000009 forum by slack:U1", "down 0000000000000009 forum by slack:U1"}
	if diff := cmp.Diff(wantFeedback, rec.feedback); diff != "" {
		t.Errorf("feedback (-want +got):\n%s", diff)
	}

	h := r.Press(ctx, slack, "h|0000000000000009")
	if diff := cmp.Diff(&Handoff{Mentions: []string{"S0123", "U0456"}}, h.Handoff); diff != "" || h.Outcome != OutcomeHandoff {
		t.Errorf("Slack hand-off %v (-want +got):\n%s", h.Outcome, diff)
	}
	h = r.Press(ctx, tg, "h|0000000000000009")
	if h.Handoff == nil || h.Handoff.Forward != "-100200" || !strings.Contains(h.Handoff.ForwardText, "question 0000000000000009") ||
		!strings.HasPrefix(h.Text, "@support ") {
		t.Errorf("Telegram hand-off: %q %+v; want @support mentioned and the question forwarded to -100200", h.Text, h.Handoff)
	}
	if old := r.Press(ctx, slack, "a|hk|en"); old.Outcome != OutcomeAnswered || old.Lang != "en" {
		t.Errorf("a button from before recording: %v %s", old.Outcome, old.Lang)
	}
}

func TestAdminCommands(t *testing.T) {
	admin := &memAdmin{known: map[string]bool{"forum": true}}
	r := New(Config{Index: testFAQ(), Learning: Learning{Admin: admin, Admins: map[string]bool{"telegram:7": true}}})
	ctx := context.Background()
	for _, tc := range []struct {
		name, user, text string
		want             Outcome
		has              string
	}{
		{"teach", "7", "/beian teach forum 开论坛要什么手续", OutcomeAdmin, "Learned"},
		{"teach with the bot's name", "7", "/beian@beian_bot teach forum BBS 手续", OutcomeAdmin, "Learned"},
		{"unknown entry", "7", "/beian teach nope 怎么办", OutcomeRefused, "No FAQ entry"},
		{"no phrasing", "7", "/beian teach forum", OutcomeRefused, "usage"},
		{"not an admin", "8", "/beian teach forum 开论坛", OutcomeRefused, "Only admins"},
		{"unteach", "7", "/beian teach forum 论坛咋办", OutcomeAdmin, "Learned"},
		{"unteach it", "7", "/beian unteach forum 论坛咋办", OutcomeAdmin, "Forgotten"},
		{"unteach it again", "7", "/beian unteach forum 论坛咋办", OutcomeRefused, "never taught"},
		{"unteach, no phrasing", "7", "/beian unteach forum", OutcomeRefused, "usage"},
		{"unteach, not an admin", "8", "/beian unteach forum 开论坛要什么手续", OutcomeRefused, "Only admins"},
		{"review", "7", "/beian review", OutcomeAdmin, "**digest**"},
		{"review for everyone else", "8", "/beian review", OutcomeRefused, "Only admins"},
		{"a question about teaching", "8", "/beian review 怎么做", OutcomeSuggested, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := r.Handle(ctx, Message{Platform: PlatformTelegram, ChatID: "-1", UserID: tc.user, Text: tc.text, Addressed: true})
			if rep.Outcome != tc.want || !strings.Contains(rep.Text, tc.has) {
				t.Errorf("%q: %v %q; want %v with %q", tc.text, rep.Outcome, rep.Text, tc.want, tc.has)
			}
		})
	}
	if diff := cmp.Diff([]string{"forum=开论坛要什么手续", "forum=BBS 手续"}, admin.taught); diff != "" {
		t.Errorf("taught (-want +got):\n%s", diff)
	}
}

// TestForgedPresses: a callback the bot never made stores nothing.
func TestForgedPresses(t *testing.T) {
	rec := &memRecorder{}
	r := New(Config{Index: testFAQ(), Learning: Learning{Recorder: rec}})
	m := Message{Platform: PlatformTelegram, ChatID: "1", UserID: "1"}
	for _, v := range []string{"f|u|" + recID(1) + "|nope", "f|u|not-an-id|forum", "f|d||", "f|u|", "a|forum|zh|../../etc", "a|forum|zh|"} {
		r.Press(context.Background(), m, v)
	}
	if len(rec.feedback) != 0 {
		t.Errorf("stored %q from forged presses", rec.feedback)
	}
}

// FuzzPress: any button value (Telegram's callback_data comes from the
// client) gets a reply, and feedback is stored only for a record id and a
// loaded entry.
func FuzzPress(f *testing.F) {
	for _, v := range []string{"f|u|0000000000000001|forum", "f|d|0000000000000001|hk", "h|0000000000000001", "a|hk|en|0000000000000001", "a|hk|zh", "f|", "h|"} {
		f.Add(v)
	}
	r := New(Config{Index: testFAQ(), Learning: Learning{Recorder: &memRecorder{}, Admin: &memAdmin{},
		Handoff: map[string][]string{PlatformTelegram: {"@support"}}}})
	f.Fuzz(func(t *testing.T, v string) {
		rec := &memRecorder{}
		r.learning.Recorder = rec
		rep := r.Press(context.Background(), Message{Platform: PlatformTelegram, ChatID: "1", UserID: "1"}, v)
		if rep.Text == "" {
			t.Errorf("Press(%q): no text", v)
		}
		for _, fb := range rec.feedback {
			fields := strings.Fields(fb) // kind, record id, entry, "by", who
			if len(fields) < 3 || !learn.IsID(fields[1]) || testFAQ().Lookup(fields[2], "zh") == nil {
				t.Errorf("Press(%q) stored %q", v, fb)
			}
		}
	})
}
