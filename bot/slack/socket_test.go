package slack

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/gorilla/websocket"
)

// socketFake is a loopback Socket Mode server: on each connection it pings,
// says hello, sends that connection's envelopes, and reports the acks.
type socketFake struct {
	t     testing.TB
	conns [][]map[string]any // envelopes per connection, in order
	acks  chan string

	mu   sync.Mutex
	n    int
	last *websocket.Conn
}

func (s *socketFake) serve(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(r *http.Request) bool {
		// The client announces itself as Slack's own web origin.
		return r.Header.Get("Origin") == "https://api.slack.com"
	}}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		s.t.Errorf("websocket upgrade: %v", err)
		return
	}
	defer conn.Close()
	s.mu.Lock()
	i := s.n
	s.n++
	s.last = conn
	s.mu.Unlock()
	if err := conn.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(time.Second)); err != nil {
		s.t.Errorf("ping: %v", err)
		return
	}
	msgs := []map[string]any{{"type": "hello", "num_connections": 1}}
	if i < len(s.conns) {
		msgs = append(msgs, s.conns[i]...)
	}
	for _, m := range msgs {
		if err := conn.WriteJSON(m); err != nil {
			s.t.Errorf("write: %v", err)
			return
		}
	}
	want := len(msgs) - 1
	for got := 0; got < want; got++ {
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := conn.ReadJSON(&ack); err != nil {
			s.t.Errorf("read ack: %v", err)
			return
		}
		s.acks <- ack.EnvelopeID
	}
	if i+1 < len(s.conns) {
		return // drop the connection: the client must reconnect
	}
	for { // hold the last connection until the client closes it
		if _, _, err := conn.ReadMessage(); err != nil {
			return
		}
	}
}

func TestSocketMode(t *testing.T) {
	sf := &socketFake{t: t, acks: make(chan string, 10)}
	h := newHarness(t, harnessOpts{appToken: true, cfg: func(c *Config) { c.SigningSecret = "" }, before: func(f *fakeSlack) {
		f.wsURL = "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws"
		f.ws = sf.serve
		sf.conns = [][]map[string]any{{
			{"envelope_id": "env-1", "type": "events_api", "payload": map[string]any{
				"type": "event_callback", "event_id": "Ev1", "event": map[string]any{
					"type": "app_mention", "user": "U1", "text": "<@UBOT> 备案要多久", "ts": "1.1", "channel": "C1", "event_ts": "1.1"}}},
			{"envelope_id": "env-2", "type": "slash_commands", "payload": map[string]any{
				"command": "/beian", "text": "help", "user_id": "U1", "channel_id": "C1", "response_url": f.hookURL()}},
			{"envelope_id": "env-3", "type": "interactive", "payload": map[string]any{
				"type": "block_actions", "user": map[string]any{"id": "U1"}, "channel": map[string]any{"id": "C1"},
				"container": map[string]any{"type": "message", "message_ts": "1.2", "channel_id": "C1"},
				"message":   map[string]any{"ts": "1.2", "thread_ts": "1.1"},
				"actions":   []map[string]any{{"action_id": "suggest_0", "block_id": suggestBlockID, "value": "a|sec_1|zh"}}}},
		}, {
			// After the reconnect: a retry of Ev1 (not answered again) and a new event.
			{"envelope_id": "env-4", "type": "events_api", "retry_attempt": 1, "payload": map[string]any{
				"type": "event_callback", "event_id": "Ev1", "event": map[string]any{
					"type": "app_mention", "user": "U1", "text": "<@UBOT> 备案要多久", "ts": "1.1", "channel": "C1", "event_ts": "1.1"}}},
			{"envelope_id": "env-5", "type": "events_api", "payload": map[string]any{
				"type": "event_callback", "event_id": "Ev2", "event": map[string]any{
					"type": "message", "channel_type": "im", "user": "U2", "text": "hi", "ts": "2.1", "channel": "D2", "event_ts": "2.1"}}},
		}}
	}})
	if h.a.Routes() != nil {
		t.Error("Routes without a signing secret, want nil")
	}
	var acks []string
	for range 5 {
		select {
		case id := <-sf.acks:
			acks = append(acks, id)
		case <-time.After(10 * time.Second):
			t.Fatalf("acks so far %v; timed out waiting for the rest", acks)
		}
	}
	h.stop()
	if diff := cmp.Diff([]string{"env-1", "env-2", "env-3", "env-4", "env-5"}, acks); diff != "" {
		t.Errorf("acks (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]posted{{"C1", "1.1", "*备案要多久*"}, {"C1", "1.1", "*pressed a|sec_1|zh*"}, {"D2", "", "*hi*"}},
		postsOf(h.slack.recorded("chat.postMessage")),
		cmpopts.SortSlices(func(a, b posted) bool { return a.Channel+a.Text < b.Channel+b.Text })); diff != "" {
		t.Errorf("posts (-want +got):\n%s", diff)
	}
	hooks := h.slack.recorded("response_url")
	if len(hooks) != 1 || hooks[0].JSON["response_type"] != "ephemeral" {
		t.Errorf("response_url posts %v, want one ephemeral answer to /beian help", hooks)
	}
	if got := counter(t, h.metrics, "beianbot_dedup_hits_total", nil); got != 1 {
		t.Errorf("dedup hits %v, want 1 (the redelivered Ev1)", got)
	}
}

// TestSocketModeStatus: while Socket Mode cannot connect (here, a rejected
// app-level token), the adapter reports Slack unreachable, with the reason.
func TestSocketModeStatus(t *testing.T) {
	h := newHarness(t, harnessOpts{appToken: true, cfg: func(c *Config) {
		c.SigningSecret = ""
		c.AppToken = "xapp-revoked"
	}})
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := h.a.Status()
		if !st.Connected {
			if !strings.Contains(st.LastError, "socket mode") || strings.Contains(st.LastError, "xapp-") {
				t.Errorf("LastError %q, want the socket mode failure without the token", st.LastError)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Status still connected 10s after Socket Mode was refused")
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.stop()
}
