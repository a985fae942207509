package slack

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/slack-go/slack"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/work"
)

// maxBody bounds the size of a request Slack sends us.
const maxBody = 1 << 20

// verified wraps h so that it only sees requests whose body is at most
// maxBody and whose Slack signature is valid and fresh (5 minutes).
// Nothing is parsed before the signature is checked; a forged or stale
// request gets 401.
func (a *Adapter) verified(h func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			if errors.As(err, new(*http.MaxBytesError)) {
				http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		sv, err := slack.NewSecretsVerifier(r.Header, a.secret.Reveal())
		if err == nil {
			sv.Write(body) //nolint:errcheck // hashing cannot fail
			err = sv.Ensure()
		}
		if err != nil {
			a.rejected(r, err)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		h(w, r, body)
	})
}

// rejected counts a request whose signature failed and warns about it at
// most once a minute: a steady stream of them is most often a wrong
// SLACK_SIGNING_SECRET, which otherwise shows only as a bot that never
// answers.
func (a *Adapter) rejected(r *http.Request, err error) {
	a.metrics.SlackSignatureFailure()
	if ok, n := a.sigWarn.Allow(); ok {
		attrs := []any{"path", r.URL.Path, "remote", r.RemoteAddr, "err", err}
		if n > 0 {
			attrs = append(attrs, "suppressed", n)
		}
		a.logger.Warn("slack request rejected: bad signature (is SLACK_SIGNING_SECRET right?)", attrs...)
		return
	}
	a.logger.Debug("slack request rejected", "path", r.URL.Path, "remote", r.RemoteAddr, "err", err)
}

// submit queues j, counting a refusal.
func (a *Adapter) submit(j work.Job) bool {
	if a.pool.Submit(j) {
		return true
	}
	a.metrics.WorkRefused(bot.PlatformSlack)
	return false
}

// serveEvents handles POST /slack/events: the URL verification challenge
// and event callbacks, acknowledged at once and answered by the pool.
func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request, body []byte) {
	cb, err := parseCallback(body)
	if err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	switch cb.Type {
	case "url_verification":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, cb.Challenge) //nolint:errcheck // the client went away
		return
	case "event_callback":
		if retry := r.Header.Get("X-Slack-Retry-Num"); retry != "" {
			a.logger.Debug("slack event retried", "event_id", cb.EventID, "retry", retry,
				"reason", r.Header.Get("X-Slack-Retry-Reason"))
		}
		if j, ok := a.eventJob(cb); ok && !a.submit(j) {
			a.logger.Warn("slack event refused: too busy or shutting down; Slack will retry", "event_id", cb.EventID)
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

// serveCommand handles POST /slack/commands: the /beian slash command is
// acknowledged with an empty 200 and answered through its response_url.
func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	cmd := slack.SlashCommand{
		TeamID:      form.Get("team_id"),
		ChannelID:   form.Get("channel_id"),
		UserID:      form.Get("user_id"),
		Command:     form.Get("command"),
		Text:        form.Get("text"),
		ResponseURL: form.Get("response_url"),
		TriggerID:   form.Get("trigger_id"),
	}
	if j, ok := a.commandJob(cmd); ok && !a.submit(j) {
		// Slack does not redeliver a command: tell the asker instead.
		writeJSON(w, busyMessage())
		return
	}
	w.WriteHeader(http.StatusOK)
}

// serveInteraction handles POST /slack/interactions: a pressed suggestion
// button is acknowledged at once and answered by the pool.
func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	raw := []byte(form.Get("payload"))
	var cb slack.InteractionCallback
	if err := json.Unmarshal(raw, &cb); err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	if value, ok := suggestion(cb); ok {
		if j, ok := a.pressJob(cb, value, raw); ok && !a.submit(j) {
			a.logger.Warn("slack button press refused: too busy or shutting down", "channel", cb.Channel.ID)
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

// busyMessage is the ephemeral answer when the bot has no room for a
// command.
func busyMessage() *slack.Msg {
	return &slack.Msg{
		ResponseType: slack.ResponseTypeEphemeral,
		Text:         bot.BusyText,
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(buf.Bytes()) //nolint:errcheck // the client went away
}
