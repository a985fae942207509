package slack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/work"
)

// dedupTTL is how long a handled event, command or button press is
// remembered: Slack retries an event for a few minutes at most, and a
// signed request can be replayed only within 5 minutes of its timestamp.
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

// eventKey is the dedup key of an event callback: its event_id, or, for a
// payload without one, the event's type, channel and timestamp, which
// name one message.
func eventKey(cb callback) string {
	if cb.EventID != "" {
		return "slack:event:" + cb.EventID
	}
	return "slack:event:" + cb.Event.Type + ":" + cb.Event.Channel + ":" + cb.Event.TS
}

// eventJob is the work for one acknowledged event callback, or false when
// there is nothing to do for it.
func (a *Adapter) eventJob(cb callback) (work.Job, bool) {
	in, ok := a.translate(cb.Event)
	if !ok {
		return work.Job{}, false
	}
	return work.Job{
		Do: func(ctx context.Context) {
			if a.dedup.First(ctx, eventKey(cb)) {
				a.answer(ctx, in)
			}
		},
		Cut:     a.cutNotice(in),
		Payload: a.payload(handoffItem{Event: &cb}),
	}, true
}

// commandKey is the dedup key of a slash command: its trigger_id, which
// Slack issues once per invocation, or else a digest of the invocation
// (its response_url is unique to it).
func commandKey(cmd slack.SlashCommand) string {
	if cmd.TriggerID != "" {
		return "slack:command:" + cmd.TriggerID
	}
	return "slack:command:" + digest(cmd.TeamID, cmd.ChannelID, cmd.UserID, cmd.Command, cmd.Text, cmd.ResponseURL)
}

// commandJob is the work for one /beian slash command. Answers go back
// through the command's response_url, visible only to the asker. ok is
// false when the response_url is not Slack's: nothing would reach the
// asker, and nothing may be sent elsewhere.
func (a *Adapter) commandJob(cmd slack.SlashCommand) (work.Job, bool) {
	u, ok := responseURL(cmd.ResponseURL)
	if !ok {
		a.logger.Warn("slack slash command with an unexpected response_url; not answered", "channel", cmd.ChannelID)
		return work.Job{}, false
	}
	args, _ := plainText(cmd.Text, a.botUserID)
	in := incoming{
		msg: bot.Message{
			Platform:  bot.PlatformSlack,
			ChatID:    cmd.ChannelID,
			UserID:    cmd.UserID,
			Text:      args,
			Command:   "beian",
			Args:      args,
			Direct:    strings.HasPrefix(cmd.ChannelID, "D"),
			Addressed: true,
		},
		to: target{channel: cmd.ChannelID, responseURL: u},
	}
	return work.Job{
		Do: func(ctx context.Context) {
			if a.dedup.First(ctx, commandKey(cmd)) {
				a.answer(ctx, in)
			}
		},
		Cut:     a.cutNotice(in),
		Payload: a.payload(handoffItem{Command: &cmd}),
	}, true
}

// digest is a short hex digest of parts, for dedup keys.
func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// suggestion returns the value of the suggestion button pressed in cb.
func suggestion(cb slack.InteractionCallback) (string, bool) {
	if cb.Type != slack.InteractionTypeBlockActions {
		return "", false
	}
	for _, act := range cb.ActionCallback.BlockActions {
		if act == nil || act.Value == "" {
			continue
		}
		switch {
		case strings.HasPrefix(act.ActionID, suggestActionPrefix),
			act.ActionID == bot.ActionFeedbackUp, act.ActionID == bot.ActionFeedbackDown, act.ActionID == bot.ActionHandoff:
			return act.Value, true
		}
	}
	return "", false
}

// pressKey is the dedup key of a button press: the interaction's
// trigger_id, or else the pressed action's own timestamp with who pressed
// it on which message.
func pressKey(cb slack.InteractionCallback) string {
	if cb.TriggerID != "" {
		return "slack:action:" + cb.TriggerID
	}
	actionTS := cb.ActionTs
	for _, act := range cb.ActionCallback.BlockActions {
		if act != nil && act.ActionTs != "" {
			actionTS = act.ActionTs
			break
		}
	}
	return "slack:action:" + digest(cb.User.ID, cb.Container.MessageTs, cb.Message.Timestamp, actionTS)
}

// pressJob is the work for one pressed suggestion button: the answer goes
// to the thread the suggestions were posted in, or, for an ephemeral
// message, replaces it through the response_url.
func (a *Adapter) pressJob(cb slack.InteractionCallback, value string, raw []byte) (work.Job, bool) {
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
		u, ok := responseURL(cb.ResponseURL)
		if !ok {
			a.logger.Warn("slack interaction with an unexpected response_url; not answered", "channel", channel)
			return work.Job{}, false
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
	in := incoming{
		msg: bot.Message{
			Platform:  bot.PlatformSlack,
			ChatID:    channel,
			UserID:    cb.User.ID,
			Direct:    direct,
			Addressed: true,
		},
		to: to,
	}
	return work.Job{
		Do: func(ctx context.Context) {
			if a.dedup.First(ctx, pressKey(cb)) {
				rep := a.responder.Press(ctx, in.msg, value)
				a.reply(ctx, pressTarget(cb, in.to, rep), rep)
			}
		},
		Cut:     a.cutNotice(in),
		Payload: a.payload(handoffItem{Press: raw}),
	}, true
}

// handoffItem is acknowledged work as another replica takes it over: the
// event callback, the slash command, or the interaction payload as Slack
// sent it.
type handoffItem struct {
	Event   *callback           `json:"event,omitempty"`
	Command *slack.SlashCommand `json:"command,omitempty"`
	Press   json.RawMessage     `json:"press,omitempty"`
}

// payload encodes it for a hand-off, when the adapter hands off at all.
func (a *Adapter) payload(it handoffItem) []byte {
	if a.handoff == nil {
		return nil
	}
	b, err := json.Marshal(it)
	if err != nil {
		return nil
	}
	return b
}

// takeOver is the job for work another replica handed off.
func (a *Adapter) takeOver(b []byte) (work.Job, bool) {
	var it handoffItem
	if err := json.Unmarshal(b, &it); err != nil {
		return work.Job{}, false
	}
	switch {
	case it.Event != nil:
		return a.eventJob(*it.Event)
	case it.Command != nil:
		return a.commandJob(*it.Command)
	case len(it.Press) > 0:
		var cb slack.InteractionCallback
		if err := json.Unmarshal(it.Press, &cb); err != nil {
			return work.Job{}, false
		}
		if value, ok := suggestion(cb); ok {
			return a.pressJob(cb, value, it.Press)
		}
	}
	return work.Job{}, false
}

// pressTarget is where the reply to a press goes when the reply itself
// says: people brought into a hand-off are mentioned in the open thread,
// even from an ephemeral message; a private acknowledgement (feedback
// taken) is an ephemeral message to the presser, through the response_url.
func pressTarget(cb slack.InteractionCallback, to target, rep bot.Reply) target {
	switch {
	case rep.Handoff != nil && to.channel != "":
		thread := cb.Container.ThreadTs
		if thread == "" {
			thread = cb.Message.ThreadTimestamp
		}
		if thread == "" && !cb.Container.IsEphemeral && !strings.HasPrefix(to.channel, "D") {
			thread = cb.Container.MessageTs
		}
		return target{channel: to.channel, threadTS: thread}
	case rep.Private:
		if u, ok := responseURL(cb.ResponseURL); ok {
			return target{channel: to.channel, responseURL: u}
		}
	}
	return to
}

// Post sends rep to a channel on its own (a scheduled digest).
func (a *Adapter) Post(ctx context.Context, channel string, rep bot.Reply) error {
	_, err := a.deliver(ctx, target{channel: channel}, rep, "")
	return err
}

// cutNotice tells the asker of in that their request was not finished
// because the process is stopping. Chatter the bot was not asked about
// gets nothing: most of it would never have been answered.
func (a *Adapter) cutNotice(in incoming) func(ctx context.Context) {
	if !in.msg.Direct && !in.msg.Addressed {
		return nil
	}
	return func(ctx context.Context) {
		to := in.to
		to.replace, to.unpaced = false, true
		if _, err := a.deliver(ctx, to, bot.Reply{Outcome: bot.OutcomeRefused, Text: bot.RestartingText}, ""); err != nil {
			a.logger.Warn("slack restart notice not delivered", "channel", to.channel, "err", err)
		}
	}
}
