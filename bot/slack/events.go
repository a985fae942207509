package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/beianbot/beianbot/bot"
)

// dedupTTL is how long a handled event id is remembered; Slack retries an
// event for a few minutes at most.
const dedupTTL = time.Hour

// callback is the outer Events API payload: a URL verification or an event
// callback. Only the fields the adapter reads are decoded.
type callback struct {
	Type      string     `json:"type"`
	Challenge string     `json:"challenge"`
	EventID   string     `json:"event_id"`
	Event     innerEvent `json:"event"`
}

// innerEvent is a message or app_mention event.
type innerEvent struct {
	Type        string `json:"type"`
	Subtype     string `json:"subtype"`
	User        string `json:"user"`
	BotID       string `json:"bot_id"`
	Text        string `json:"text"`
	TS          string `json:"ts"`
	ThreadTS    string `json:"thread_ts"`
	Channel     string `json:"channel"`
	ChannelType string `json:"channel_type"`
}

// parseCallback decodes an Events API payload.
func parseCallback(body []byte) (callback, error) {
	var cb callback
	if err := json.Unmarshal(body, &cb); err != nil {
		return callback{}, fmt.Errorf("decode events api payload: %w", err)
	}
	if cb.Type == "" {
		return callback{}, errors.New("decode events api payload: no type")
	}
	return cb, nil
}

// userSubtype reports whether a message subtype is still a person writing:
// a plain message, one with a file, or a thread reply also sent to the
// channel. Every other subtype (bot_message, message_changed,
// message_deleted, channel_join, …) is ignored.
func userSubtype(s string) bool {
	return s == "" || s == "file_share" || s == "thread_broadcast"
}

// translate turns an event into a message to answer, or reports false when
// the bot must not answer it: anything from a bot (including itself), edits,
// deletions and other system messages, and a channel message that mentions
// the bot (its app_mention event is answered instead, so it is answered
// once).
func (a *Adapter) translate(ev innerEvent) (incoming, bool) {
	addressed := false
	switch ev.Type {
	case "app_mention":
		addressed = true
	case "message":
	default:
		return incoming{}, false
	}
	if ev.BotID != "" || ev.User == "" || ev.User == a.botUserID || !userSubtype(ev.Subtype) ||
		ev.Channel == "" || ev.TS == "" {
		return incoming{}, false
	}
	direct := ev.ChannelType == "im"
	if ev.Type == "message" && !direct && mentions(ev.Text, a.botUserID) {
		return incoming{}, false
	}
	text, mentioned := plainText(ev.Text, a.botUserID)
	thread := ev.ThreadTS
	if thread == "" && !direct {
		thread = ev.TS
	}
	return incoming{
		msg: bot.Message{
			Platform:  bot.PlatformSlack,
			ChatID:    ev.Channel,
			UserID:    ev.User,
			Text:      text,
			Direct:    direct,
			Addressed: addressed || mentioned,
		},
		to: target{channel: ev.Channel, threadTS: thread},
	}, true
}

// handleCallback is the work for one acknowledged event callback.
func (a *Adapter) handleCallback(ctx context.Context, cb callback) {
	in, ok := a.translate(cb.Event)
	if !ok {
		return
	}
	if cb.EventID != "" && !a.firstSeen(ctx, "slack:event:"+cb.EventID) {
		return
	}
	a.answer(ctx, in)
}

// firstSeen reports whether key is new. When the store fails, the event is
// answered: a rare double answer is better than a lost one.
func (a *Adapter) firstSeen(ctx context.Context, key string) bool {
	first, err := a.store.FirstSeen(ctx, key, dedupTTL)
	if err != nil {
		a.logger.Warn("slack dedup store failed; handling the event", "key", key, "err", err)
		return true
	}
	if !first {
		a.metrics.DedupHit(bot.PlatformSlack)
		a.logger.Debug("slack event already handled", "key", key)
	}
	return first
}

// handleCommand is the work for one /beian slash command. Answers go back
// through the command's response_url, visible only to the asker.
func (a *Adapter) handleCommand(ctx context.Context, cmd slack.SlashCommand) {
	u, ok := a.responseURL(cmd.ResponseURL)
	if !ok {
		a.logger.Warn("slack slash command with an unexpected response_url; not answered", "channel", cmd.ChannelID)
		return
	}
	text, _ := plainText(cmd.Text, a.botUserID)
	a.answer(ctx, incoming{
		msg: bot.Message{
			Platform:  bot.PlatformSlack,
			ChatID:    cmd.ChannelID,
			UserID:    cmd.UserID,
			Text:      strings.TrimSpace("/beian " + text),
			Direct:    strings.HasPrefix(cmd.ChannelID, "D"),
			Addressed: true,
		},
		to: target{channel: cmd.ChannelID, responseURL: u},
	})
}

// suggestion returns the value of the suggestion button pressed in cb.
func suggestion(cb slack.InteractionCallback) (string, bool) {
	if cb.Type != slack.InteractionTypeBlockActions {
		return "", false
	}
	for _, act := range cb.ActionCallback.BlockActions {
		if act != nil && strings.HasPrefix(act.ActionID, suggestActionPrefix) && act.Value != "" {
			return act.Value, true
		}
	}
	return "", false
}

// handlePress is the work for one pressed suggestion button: the answer
// goes to the thread the suggestions were posted in, or, for an ephemeral
// message, replaces it through the response_url.
func (a *Adapter) handlePress(ctx context.Context, cb slack.InteractionCallback, value string) {
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	msgTS := cb.Container.MessageTs
	if msgTS == "" {
		msgTS = cb.Message.Timestamp
	}
	direct := strings.HasPrefix(channel, "D")
	var to target
	if cb.Container.IsEphemeral || msgTS == "" || channel == "" {
		u, ok := a.responseURL(cb.ResponseURL)
		if !ok {
			a.logger.Warn("slack interaction with an unexpected response_url; not answered", "channel", channel)
			return
		}
		to = target{channel: channel, responseURL: u, replace: true}
	} else {
		thread := cb.Message.ThreadTimestamp
		if thread == "" {
			thread = cb.Container.ThreadTs
		}
		if thread == "" && !direct {
			thread = msgTS
		}
		to = target{channel: channel, threadTS: thread}
	}
	msg := bot.Message{
		Platform:  bot.PlatformSlack,
		ChatID:    channel,
		UserID:    cb.User.ID,
		Direct:    direct,
		Addressed: true,
	}
	a.reply(ctx, to, a.responder.Press(ctx, msg, value))
}
