package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beianbot/beianbot/internal/learn"
	"github.com/beianbot/beianbot/internal/learn/pgtest"
)

// tgCall is one Bot API call the fake received.
type tgCall struct {
	method string
	form   url.Values
}

// tgLearnFake is a fake Bot API for webhook mode: every call is recorded
// on calls; sendMessage returns increasing message ids.
type tgLearnFake struct {
	mu    sync.Mutex
	next  int
	calls chan tgCall
}

func (f *tgLearnFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	switch method {
	case "getMe":
		fmt.Fprint(w, `{"ok":true,"result":{"id":99,"is_bot":true,"first_name":"Beian","username":"beian_e2e_bot"}}`)
		return
	case "sendMessage", "answerCallbackQuery":
		f.calls <- tgCall{method, r.PostForm}
	}
	if method != "sendMessage" {
		fmt.Fprint(w, `{"ok":true,"result":true}`)
		return
	}
	f.mu.Lock()
	f.next++
	id := f.next
	f.mu.Unlock()
	res, _ := json.Marshal(map[string]any{"message_id": 100 + id, "date": 1, "chat": map[string]any{"id": r.PostForm.Get("chat_id"), "type": "private"}})
	fmt.Fprintf(w, `{"ok":true,"result":%s}`, res)
}

// tgReplica is one running bot in Telegram webhook mode.
type tgReplica struct {
	t      *testing.T
	addr   string
	run    *backgroundRun
	fake   *tgLearnFake
	update int
}

// startTelegram runs the program in webhook mode with extra settings and
// waits for its webhook to take updates.
func startTelegram(t *testing.T, extra map[string]string) *tgReplica {
	t.Helper()
	fake := &tgLearnFake{calls: make(chan tgCall, 256)}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	r := &tgReplica{t: t, addr: freeAddr(t), fake: fake, update: 1000}
	m := map[string]string{
		"TELEGRAM_BOT_TOKEN":       "1234:e2e-token",
		"TELEGRAM_API_ENDPOINT":    srv.URL + "/bot%s/%s",
		"TELEGRAM_WEBHOOK_SECRET":  "e2e_secret",
		"BEIANBOT_HTTP_ADDR":       r.addr,
		"BEIANBOT_LOG_LEVEL":       "warn",
		"BEIANBOT_RELOAD_INTERVAL": "off",
		"BEIANBOT_PHRASINGS_POLL":  "200ms",
	}
	for k, v := range extra {
		m[k] = v
	}
	r.run = startRun(t, env(m))
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get("http://" + r.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return r
			}
		}
		select {
		case code := <-r.run.done:
			t.Fatalf("run returned %d before serving; log:\n%s", code, r.run.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("bot not up at %s; log:\n%s", r.addr, r.run.stderr.String())
		}
		time.Sleep(20 * time.Millisecond) // polling the server coming up
	}
}

// post delivers one update (as Telegram would, again when id repeats).
func (r *tgReplica) post(id int, update string) {
	r.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://"+r.addr+"/telegram/webhook",
		strings.NewReader(fmt.Sprintf(`{"update_id":%d,%s}`, id, update)))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "e2e_secret")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		r.t.Fatalf("post update: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		r.t.Fatalf("post update: status %d", resp.StatusCode)
	}
}

// say sends a private message from user and returns the bot's answer.
func (r *tgReplica) say(user int, text string) tgCall {
	r.t.Helper()
	r.update++
	b, _ := json.Marshal(text)
	r.post(r.update, fmt.Sprintf(`"message":{"message_id":%d,"date":1,"from":{"id":%d,"first_name":"U"},"chat":{"id":%d,"type":"private"},"text":%s}`,
		r.update, user, user, b))
	return r.next("sendMessage")
}

// press sends a button press (callback query) with update id id.
func (r *tgReplica) press(id, user int, data string) {
	r.t.Helper()
	b, _ := json.Marshal(data)
	r.post(id, fmt.Sprintf(`"callback_query":{"id":"cb%d","from":{"id":%d,"first_name":"U"},"message":{"message_id":7,"date":1,"chat":{"id":%d,"type":"private"}},"data":%s}`,
		id, user, user, b))
}

// next returns the next call of method, skipping others.
func (r *tgReplica) next(method string) tgCall {
	r.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case c := <-r.fake.calls:
			if c.method == method {
				return c
			}
		case <-timeout:
			r.t.Fatalf("no %s within 10s; log:\n%s", method, r.run.stderr.String())
		}
	}
}

// buttons returns the callback data of a sendMessage's keyboard.
func buttons(c tgCall) []string {
	var kb struct {
		Rows [][]struct {
			Text string `json:"text"`
			Data string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	json.Unmarshal([]byte(c.form.Get("reply_markup")), &kb)
	var out []string
	for _, row := range kb.Rows {
		for _, b := range row {
			out = append(out, b.Data)
		}
	}
	return out
}

func withPrefix(t *testing.T, all []string, prefix string) string {
	t.Helper()
	for _, s := range all {
		if strings.HasPrefix(s, prefix) {
			return s
		}
	}
	t.Fatalf("no button %s… among %q", prefix, all)
	return ""
}

// TestTelegramLearningLoop: a decline, a suggestion picked, a 👍, a hand-off
// and the admin digest, through the Telegram webhook; presses redelivered or
// repeated are stored once; `review --json` then shows it all.
func TestTelegramLearningLoop(t *testing.T) {
	db := filepath.Join(t.TempDir(), "learn.db")
	r := startTelegram(t, map[string]string{
		"BEIANBOT_DATABASE_URL": db,
		"BEIANBOT_ADMINS":       "telegram:555",
		"BEIANBOT_HANDOFF":      "telegram:@beian_help,telegram:-100777",
		// Questions get suggestions rather than answers, however the
		// matcher is tuned: the test presses them.
		"BEIANBOT_ANSWER_AT":         "1",
		"BEIANBOT_CHANNEL_ANSWER_AT": "1",
	})
	const user = 4242

	declined := r.say(user, "蓝色大象在哪里吃午饭")
	handoff := withPrefix(t, buttons(declined), "h|")

	suggested := r.say(user, "备案")
	pick := withPrefix(t, buttons(suggested), "a|")
	if strings.Count(pick, "|") != 3 {
		t.Fatalf("suggestion %q does not carry the record id", pick)
	}
	r.press(2001, user, pick)
	answer := r.next("sendMessage")
	r.press(2001, user, pick) // Telegram redelivers the same update
	r.press(2002, user, pick) // the user presses again
	r.next("sendMessage")
	up := withPrefix(t, buttons(answer), "f|u|")
	for _, id := range []int{2003, 2003, 2004} {
		r.press(id, user, up)
	}
	for range 2 { // the redelivery of 2003 is dropped before any call
		if ack := r.next("answerCallbackQuery"); !strings.Contains(ack.form.Get("text"), "Thanks") {
			t.Errorf("👍 acknowledged with %q, want thanks", ack.form.Get("text"))
		}
	}

	r.press(2005, user, handoff)
	var forwarded, mentioned bool
	for !forwarded || !mentioned {
		c := r.next("sendMessage")
		switch c.form.Get("chat_id") {
		case "-100777":
			forwarded = strings.Contains(c.form.Get("text"), "蓝色大象在哪里吃午饭")
			if !forwarded {
				t.Fatalf("forwarded %q, want the question", c.form.Get("text"))
			}
		case fmt.Sprint(user):
			mentioned = strings.Contains(c.form.Get("text"), "@beian_help")
			if !mentioned {
				t.Fatalf("hand-off reply %q, want @beian_help mentioned", c.form.Get("text"))
			}
		}
	}

	if refused := r.say(user, "/beian review"); !strings.Contains(refused.form.Get("text"), "Only admins") {
		t.Errorf("review by a non-admin: %q", refused.form.Get("text"))
	}
	digest := r.say(555, "/beian review")
	if text := digest.form.Get("text"); !strings.Contains(text, "Review since") || digest.form.Get("parse_mode") != "HTML" {
		t.Errorf("digest on Telegram: %q (%s); want the review, as HTML", text, digest.form.Get("parse_mode"))
	}
	r.run.stop(t) // flushes the records

	st := openTestStore(t, db)
	wantOnePickOneUp(t, st)
	qs, _ := st.Questions(context.Background(), time.Time{})
	for _, q := range qs {
		if strings.Contains(q.UserKey, "4242") {
			t.Errorf("user key %q holds the raw user id", q.UserKey)
		}
	}
	st.Close()

	code, out, errOut := runCLI(t, env(map[string]string{"BEIANBOT_DATABASE_URL": db}), "", "review", "--json")
	if code != 0 {
		t.Fatalf("review --json: exit %d: %s", code, errOut)
	}
	var rv learn.Review
	if err := json.Unmarshal([]byte(out), &rv); err != nil {
		t.Fatal(err)
	}
	var groups []string
	for _, g := range rv.Groups {
		picked := 0
		for _, o := range g.Offered {
			picked += o.Picked
		}
		groups = append(groups, fmt.Sprintf("%d %s picked %d", g.Count, g.Questions[0], picked))
	}
	if want := []string{"1 蓝色大象在哪里吃午饭 picked 0", "1 备案 picked 1"}; strings.Join(groups, "; ") != strings.Join(want, "; ") &&
		strings.Join(groups, "; ") != strings.Join([]string{want[1], want[0]}, "; ") {
		t.Errorf("review groups %q, want %q", groups, want)
	}
	if len(rv.Entries) != 1 || rv.Entries[0].Up != 1 || rv.Entries[0].Down != 0 {
		t.Errorf("review entries %+v, want one with 👍 1", rv.Entries)
	}
	if rv.Handled != 2 || rv.Answered != 0 {
		t.Errorf("review: handled %d, answered %d; want 2 questions (presses and commands are not), none answered", rv.Handled, rv.Answered)
	}
}

func openTestStore(t *testing.T, path string) learn.Store {
	t.Helper()
	st, err := learn.Open(context.Background(), learn.Location{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// taughtQuestion is answered by no entry until it is taught.
const (
	taughtQuestion = "紫色长颈鹿在月球上跳舞" // no FAQ word in it
	taughtEntry    = "section_fym_mzr_zdb"
	taughtAnswer   = "备案期间网站能正常访问吗"
)

// answeredWithin asks q on r until the answer names want, for up to 10 s
// (another replica's poll), and fails otherwise.
func answeredWithin(t *testing.T, r *tgReplica, user int, q, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c := r.say(user, q); strings.Contains(c.form.Get("text"), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%q still not answered with %q", q, want)
		}
		time.Sleep(100 * time.Millisecond) // the other replica polls every 200ms
	}
}

// TestTeachSecondReplica: two replicas share PostgreSQL; an admin teaches
// on one, and the other answers the question within seconds.
func TestTeachSecondReplica(t *testing.T) {
	pg := pgtest.New(t)
	shared := map[string]string{"BEIANBOT_DATABASE_URL": pg.URL(), "BEIANBOT_ADMINS": "telegram:555"}
	a := startTelegram(t, shared)
	b := startTelegram(t, shared)
	if c := b.say(1, taughtQuestion); strings.Contains(c.form.Get("text"), taughtAnswer) {
		t.Fatalf("answered before teaching: %q", c.form.Get("text"))
	}
	if c := a.say(555, "/beian teach "+taughtEntry+" "+taughtQuestion); !strings.Contains(c.form.Get("text"), "Learned") {
		t.Fatalf("teach: %q", c.form.Get("text"))
	}
	answeredWithin(t, b, 1, taughtQuestion, taughtAnswer)
	a.run.stop(t)
	b.run.stop(t)
}

// TestTeachSurvivesRestart: taught in chat on SQLite, answered after a
// restart on the same file.
func TestTeachSurvivesRestart(t *testing.T) {
	settings := map[string]string{"BEIANBOT_DATABASE_URL": filepath.Join(t.TempDir(), "learn.db"), "BEIANBOT_ADMINS": "telegram:555"}
	r := startTelegram(t, settings)
	if c := r.say(555, "/beian teach "+taughtEntry+" "+taughtQuestion); !strings.Contains(c.form.Get("text"), "Learned") {
		t.Fatalf("teach: %q", c.form.Get("text"))
	}
	r.run.stop(t)
	r = startTelegram(t, settings)
	if c := r.say(1, taughtQuestion); !strings.Contains(c.form.Get("text"), taughtAnswer) {
		t.Errorf("after a restart: %q, want the taught answer", c.form.Get("text"))
	}
	r.run.stop(t)
}

// TestDatabaseKilledMidLoad: PostgreSQL dies while questions keep coming;
// every question is still answered.
func TestDatabaseKilledMidLoad(t *testing.T) {
	pg := pgtest.New(t)
	r := startTelegram(t, map[string]string{"BEIANBOT_DATABASE_URL": pg.URL()})
	const n = 40
	for i := range n {
		if i == n/2 {
			pg.Stop()
		}
		r.update++
		r.post(r.update, fmt.Sprintf(`"message":{"message_id":%d,"date":1,"from":{"id":%d,"first_name":"U"},"chat":{"id":%d,"type":"private"},"text":"香港服务器需要备案吗"}`,
			r.update, 10+i, 10+i))
	}
	answered := map[string]bool{}
	for len(answered) < n {
		c := r.next("sendMessage")
		answered[c.form.Get("chat_id")] = true
	}
	r.run.stop(t)
	if !regexp.MustCompile(`learning`).MatchString(r.run.stderr.String()) {
		t.Logf("no warning about the learning database in the log:\n%s", r.run.stderr.String())
	}
}

// slackLearnFake is a fake Slack Web API recording chat.postMessage.
type slackLearnFake struct {
	srv   *httptest.Server
	posts chan url.Values
}

func newSlackLearnFake(t *testing.T) *slackLearnFake {
	f := &slackLearnFake{posts: make(chan url.Values, 64)}
	n := 0
	var mu sync.Mutex
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/auth.test":
			fmt.Fprint(w, `{"ok":true,"user_id":"UE2E","bot_id":"BE2E","team":"E2E"}`)
		case "/api/chat.postMessage":
			f.posts <- r.PostForm
			mu.Lock()
			n++
			ts := fmt.Sprintf("1700000100.%06d", n)
			mu.Unlock()
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, r.PostForm.Get("channel"), ts)
		default:
			fmt.Fprint(w, `{"ok":true}`)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *slackLearnFake) next(t *testing.T, r *backgroundRun) url.Values {
	t.Helper()
	select {
	case p := <-f.posts:
		return p
	case <-time.After(10 * time.Second):
		t.Fatalf("nothing posted within 10s; log:\n%s", r.stderr.String())
	}
	return nil
}

// slackAction is one button of a posted message.
type slackAction struct{ ActionID, Value string }

func slackActions(p url.Values) []slackAction {
	var blocks []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	json.Unmarshal([]byte(p.Get("blocks")), &blocks)
	var out []slackAction
	for _, b := range blocks {
		for _, e := range b.Elements {
			out = append(out, slackAction{e.ActionID, e.Value})
		}
	}
	return out
}

func actionValue(t *testing.T, p url.Values, id string) string {
	t.Helper()
	for _, a := range slackActions(p) {
		if a.ActionID == id {
			return a.Value
		}
	}
	t.Fatalf("no button %s in %s", id, p.Get("blocks"))
	return ""
}

// TestSlackLearningLoop: through the Slack HTTP endpoints, suggestions
// carry the hand-off button, a pick and a 👍 are stored once each even when
// Slack redelivers, the hand-off mentions the user group in the thread, and
// an admin's /beian review posts the digest.
func TestSlackLearningLoop(t *testing.T) {
	fake := newSlackLearnFake(t)
	addr := freeAddr(t)
	const signing = "e2e-signing-secret"
	db := filepath.Join(t.TempDir(), "learn.db")
	r := startRun(t, env(map[string]string{
		"SLACK_BOT_TOKEN":          "xoxb-e2e-token",
		"SLACK_SIGNING_SECRET":     signing,
		"SLACK_API_URL":            fake.srv.URL + "/api/",
		"BEIANBOT_HTTP_ADDR":       addr,
		"BEIANBOT_RELOAD_INTERVAL": "off",
		"BEIANBOT_LOG_LEVEL":       "warn",
		"BEIANBOT_DATABASE_URL":    db,
		"BEIANBOT_ADMINS":          "slack:UADMIN",
		"BEIANBOT_HANDOFF":         "slack:S0123ABC",
		// Questions get suggestions rather than answers, however the
		// matcher is tuned: the test presses them.
		"BEIANBOT_ANSWER_AT":         "1",
		"BEIANBOT_CHANNEL_ANSWER_AT": "1",
	}))
	send := func(path, contentType string, body []byte) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			ts := time.Now().Unix()
			mac := hmac.New(sha256.New, []byte(signing))
			fmt.Fprintf(mac, "v0:%d:", ts)
			mac.Write(body)
			req, _ := http.NewRequest(http.MethodPost, "http://"+addr+path, bytes.NewReader(body))
			req.Header.Set("Content-Type", contentType)
			req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
			req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("POST %s: status %d", path, resp.StatusCode)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("POST %s: %v; log:\n%s", path, err, r.stderr.String())
			}
			time.Sleep(20 * time.Millisecond) // the server coming up
		}
	}
	mention := func(id, user, text string) {
		body, _ := json.Marshal(map[string]any{"type": "event_callback", "event_id": id, "event": map[string]any{
			"type": "app_mention", "user": user, "text": "<@UE2E> " + text, "ts": "1700000000.000200", "channel": "C9"}})
		send("/slack/events", "application/json", body)
	}
	press := func(trigger, user, action, value, msgTS string) {
		payload, _ := json.Marshal(map[string]any{
			"type": "block_actions", "trigger_id": trigger, "user": map[string]any{"id": user},
			"channel":   map[string]any{"id": "C9"},
			"container": map[string]any{"type": "message", "channel_id": "C9", "message_ts": msgTS, "thread_ts": "1700000000.000200"},
			"message":   map[string]any{"ts": msgTS, "thread_ts": "1700000000.000200"},
			"actions":   []map[string]any{{"block_id": "b", "action_id": action, "value": value, "type": "button", "action_ts": trigger}},
		})
		send("/slack/interactions", "application/x-www-form-urlencoded", []byte("payload="+url.QueryEscape(string(payload))))
	}

	mention("Ev1", "U1", "备案")
	suggested := fake.next(t, r)
	pick := actionValue(t, suggested, "suggest_0")
	handoff := actionValue(t, suggested, "beianbot_handoff")
	press("T1", "U1", "suggest_0", pick, "1700000100.000001")
	answer := fake.next(t, r)
	if answer.Get("thread_ts") != "1700000000.000200" {
		t.Errorf("answer of the pick in thread %q", answer.Get("thread_ts"))
	}
	press("T1", "U1", "suggest_0", pick, "1700000100.000001") // redelivered
	press("T2", "U1", "suggest_0", pick, "1700000100.000001") // pressed again
	fake.next(t, r)
	up := actionValue(t, answer, "beianbot_feedback_up")
	actionValue(t, answer, "beianbot_feedback_down")
	press("T3", "U1", "beianbot_feedback_up", up, "1700000100.000002")
	press("T3", "U1", "beianbot_feedback_up", up, "1700000100.000002")
	press("T4", "U1", "beianbot_feedback_up", up, "1700000100.000002")
	fake.next(t, r) // the thanks (in the thread: the fake issues no response_url)
	fake.next(t, r)

	press("T5", "U1", "beianbot_handoff", handoff, "1700000100.000001")
	h := fake.next(t, r)
	if !strings.Contains(h.Get("blocks"), `\u003c!subteam^S0123ABC\u003e`) || h.Get("thread_ts") != "1700000000.000200" {
		t.Errorf("hand-off posted %s in thread %q; want the user group mentioned in the thread", h.Get("blocks"), h.Get("thread_ts"))
	}

	mention("Ev2", "UADMIN", "/beian review")
	digest := fake.next(t, r)
	if !strings.Contains(digest.Get("blocks"), "Review since") || !strings.Contains(digest.Get("blocks"), "*") {
		t.Errorf("digest on Slack: %s; want the review in mrkdwn", digest.Get("blocks"))
	}
	r.stop(t)

	st := openTestStore(t, db)
	defer st.Close()
	wantOnePickOneUp(t, st)
}

// wantOnePickOneUp checks the store holds one suggestion pick and one 👍.
func wantOnePickOneUp(t *testing.T, st learn.Store) {
	t.Helper()
	fs, err := st.Feedback(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, f := range fs {
		kinds = append(kinds, f.Kind)
	}
	if strings.Join(kinds, " ") != "pick up" {
		t.Errorf("feedback stored: %v; want one pick and one up", kinds)
	}
}
