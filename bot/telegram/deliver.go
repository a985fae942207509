package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/work"
)

// maxCallbackData is Telegram's limit on a button's callback_data, in bytes.
const maxCallbackData = 64

// maxButtonLabel bounds a button label, in characters.
const maxButtonLabel = 100

// target is where a reply goes.
type target struct {
	chatID  int64
	group   bool
	replyTo int // message to quote; 0 for none
	// unpaced skips the chat's sending schedule: the short notices sent at
	// shutdown, which cannot wait for it, and held-back replies, whose slot
	// was booked before.
	unpaced bool
	// held counts how often this reply was held back already.
	held int
}

// process handles one update. handled is called once the update's first
// answer has been sent (or there is nothing to send); a domain check's
// result follows after that.
func (a *Adapter) process(ctx context.Context, u tgbotapi.Update, handled func()) {
	switch {
	case u.Message != nil:
		a.onMessage(ctx, u.Message, handled)
	case u.CallbackQuery != nil:
		a.onCallback(ctx, u.CallbackQuery, handled)
	default:
		// Edited messages, channel posts and the rest are not questions.
	}
}

// updateJob is the work for one accepted update. handled is called once
// its first answer has been sent, or its restart notice, or when there is
// nothing to send, or once it has been handed off to another replica.
func (a *Adapter) updateJob(u tgbotapi.Update, handled func()) work.Job {
	var payload []byte
	if a.handoff != nil {
		payload, _ = json.Marshal(u)
	}
	return work.Job{
		Payload: payload,
		Handed:  handled,
		Do: func(ctx context.Context) {
			defer handled()
			if a.dedup.First(ctx, "telegram:update:"+strconv.Itoa(u.UpdateID)) {
				a.process(ctx, u, handled)
			}
		},
		Cut: func(ctx context.Context) {
			defer handled()
			a.cutNotice(ctx, u)
		},
	}
}

// takeOver is the job for an update another replica handed off.
func (a *Adapter) takeOver(b []byte) (work.Job, bool) {
	var u tgbotapi.Update
	if err := json.Unmarshal(b, &u); err != nil || u.UpdateID <= 0 {
		return work.Job{}, false
	}
	return a.updateJob(u, func() {}), true
}

// cutNotice tells the chat of an update that was accepted but not
// finished before shutdown to ask again. Group chatter the bot was not
// asked about gets nothing.
func (a *Adapter) cutNotice(ctx context.Context, u tgbotapi.Update) {
	var t target
	switch {
	case u.Message != nil:
		in, ok := translate(ctx, u.Message, a.identity())
		if !ok || !(in.msg.Direct || in.msg.Addressed) {
			return
		}
		t = target{chatID: in.chatID, group: in.group, replyTo: in.replyTo}
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.Message.Chat != nil:
		m := u.CallbackQuery.Message
		t = target{chatID: m.Chat.ID, group: m.Chat.Type != "private", replyTo: m.MessageID}
	default:
		return
	}
	t.unpaced = true
	a.send(ctx, t, bot.Reply{Outcome: bot.OutcomeRefused, Text: bot.RestartingText}, t.replyTo)
}

func (a *Adapter) identity() identity {
	return identity{id: a.self.ID, username: a.self.UserName}
}

func (a *Adapter) onMessage(ctx context.Context, m *tgbotapi.Message, handled func()) {
	in, ok := translate(ctx, m, a.identity())
	if !ok {
		return
	}
	rep := a.resp.Handle(ctx, in.msg)
	a.deliver(ctx, target{chatID: in.chatID, group: in.group, replyTo: in.replyTo}, rep, handled)
}

// onCallback answers a pressed suggestion: it acknowledges the press at
// once, then sends the answer quoting the question the suggestions were for.
func (a *Adapter) onCallback(ctx context.Context, q *tgbotapi.CallbackQuery, handled func()) {
	if q.From == nil || q.From.IsBot {
		return
	}
	m := q.Message
	if m == nil || m.Chat == nil {
		if err := a.api.answerCallback(ctx, q.ID, ""); err != nil {
			a.logger.Warn("telegram callback not acknowledged", "err", err)
		}
		a.logger.Debug("telegram callback without a message ignored")
		return
	}
	private := m.Chat.Type == "private"
	msg := bot.Message{
		Platform:  bot.PlatformTelegram,
		ChatID:    strconv.FormatInt(m.Chat.ID, 10),
		UserID:    strconv.FormatInt(q.From.ID, 10),
		Direct:    private,
		Addressed: true,
	}
	t := target{chatID: m.Chat.ID, group: !private, replyTo: m.MessageID}
	if r := m.ReplyToMessage; r != nil {
		t.replyTo = r.MessageID
	}
	rep := a.resp.Press(ctx, msg, q.Data)
	// A private acknowledgement (feedback taken) is the callback answer
	// itself, seen by the presser alone; one with buttons needs a message.
	note := ""
	if rep.Private && len(rep.Buttons) == 0 {
		note = callbackText(rep.Text)
	}
	if err := a.api.answerCallback(ctx, q.ID, note); err != nil {
		a.logger.Warn("telegram callback not acknowledged", "err", err)
	}
	if h := rep.Handoff; h != nil && h.Forward != "" {
		a.forward(ctx, h.Forward, h.ForwardText)
	}
	if note != "" {
		handled()
		return
	}
	a.deliver(ctx, t, rep, handled)
}

// maxCallbackText is Telegram's limit on a callback answer's text.
const maxCallbackText = 200

// callbackText is a reply's text as a callback answer: plain, short.
func callbackText(md string) string {
	s := strings.Join(strings.Fields(strings.NewReplacer("**", "", "`", "").Replace(md)), " ")
	if utf8.RuneCountInString(s) > maxCallbackText {
		s = string([]rune(s)[:maxCallbackText-1]) + "…"
	}
	return s
}

// forward sends text to a support chat (a hand-off), given by id.
func (a *Adapter) forward(ctx context.Context, chat, text string) {
	if err := a.Post(ctx, chat, bot.Reply{Outcome: bot.OutcomeHandoff, Text: text}); err != nil {
		a.logger.Warn("telegram hand-off not forwarded", "chat", chat, "err", err)
	}
}

// Post sends rep to a chat on its own (a scheduled digest, a hand-off),
// given by its numeric id.
func (a *Adapter) Post(ctx context.Context, chat string, rep bot.Reply) error {
	id, err := strconv.ParseInt(chat, 10, 64)
	if err != nil {
		return fmt.Errorf("post to telegram chat %q: not a chat id", chat)
	}
	if a.send(ctx, target{chatID: id, group: id < 0}, rep, 0) == 0 {
		return fmt.Errorf("post to telegram chat %d: not delivered", id)
	}
	return nil
}

// deliver sends rep; for a domain check it then runs the check and edits
// the acknowledgement into the result, or sends the result when it cannot.
func (a *Adapter) deliver(ctx context.Context, t target, rep bot.Reply, handled func()) {
	if rep.Silent() {
		handled()
		return
	}
	id := a.send(ctx, t, rep, t.replyTo)
	handled()
	if rep.FollowUp == nil {
		return
	}
	res := a.followUp(ctx, rep.FollowUp)
	if res.Silent() {
		return
	}
	if id != 0 && a.edit(ctx, t, id, res) {
		return
	}
	a.send(ctx, t, res, t.replyTo)
}

// followUp runs f within the follow-up timeout, ending at least a second
// before ctx does so that there is time to deliver its result.
func (a *Adapter) followUp(ctx context.Context, f func(context.Context) bot.Reply) bot.Reply {
	end := time.Now().Add(a.followUpTimeout)
	if dl, ok := ctx.Deadline(); ok && dl.Add(-time.Second).Before(end) {
		end = dl.Add(-time.Second)
	}
	fctx, cancel := context.WithDeadline(ctx, end)
	defer cancel()
	return f(fctx)
}

// send sends rep as one or more messages, the first quoting replyTo and the
// last carrying the suggestion keyboard. It returns the last message's id,
// or 0 when the reply could not be delivered (which is logged).
func (a *Adapter) send(ctx context.Context, t target, rep bot.Reply, replyTo int) int {
	chunks := renderChunks(rep.Text, maxMessageLen)
	if len(chunks) == 0 {
		a.logger.Error("telegram reply has no text", "chat", t.chatID, "outcome", rep.Outcome)
		return 0
	}
	id := a.sendChunks(ctx, t, rep, chunks, replyTo)
	if id != 0 {
		a.metrics.Reply(bot.PlatformTelegram, string(rep.Outcome))
	}
	return id
}

func (a *Adapter) sendChunks(ctx context.Context, t target, rep bot.Reply, chunks []chunk, replyTo int) int {
	kb := a.keyboard(rep.Buttons)
	last := 0
	for i, c := range chunks {
		o := outgoing{chatID: t.chatID, text: c.html, html: true}
		if i == 0 {
			o.replyTo = replyTo
		}
		if i == len(chunks)-1 {
			o.keyboard = kb
		}
		if wait, later, err := a.paceWait(ctx, t); later {
			a.sendLater(ctx, t, rep, chunks[i:], o.replyTo, wait, nil)
			return 0
		} else if err != nil {
			a.giveUp(ctx, t, rep, i, len(chunks), err)
			return 0
		}
		m, err := a.api.sendMessage(ctx, o)
		if te := apiErr(err); te != nil && te.MigrateToChatID != 0 {
			// The group became a supergroup with a new id.
			a.logger.Info("telegram group migrated; sending to its new id", "chat", t.chatID, "new_chat", te.MigrateToChatID)
			t.chatID, o.chatID = te.MigrateToChatID, te.MigrateToChatID
			m, err = a.api.sendMessage(ctx, o)
		}
		if entitiesRefused(err) {
			a.logger.Warn("telegram refused the formatting; sending plain text", "chat", t.chatID, "err", err)
			o.text, o.html = c.plain, false
			m, err = a.api.sendMessage(ctx, o)
		}
		var later *laterError
		if errors.As(err, &later) {
			a.sendLater(ctx, t, rep, chunks[i:], o.replyTo, later.wait, err)
			return 0
		}
		if err != nil {
			a.giveUp(ctx, t, rep, i, len(chunks), err)
			return 0
		}
		last = m.MessageID
	}
	return last
}

// edit replaces message id with rep (its first part; any further parts
// follow as new messages). It reports false when the message could not be
// edited, so that the caller sends rep instead.
func (a *Adapter) edit(ctx context.Context, t target, id int, rep bot.Reply) bool {
	chunks := renderChunks(rep.Text, maxMessageLen)
	if len(chunks) == 0 {
		return false
	}
	o := outgoing{chatID: t.chatID, messageID: id, text: chunks[0].html, html: true}
	if len(chunks) == 1 {
		o.keyboard = a.keyboard(rep.Buttons)
	}
	if _, later, err := a.paceWait(ctx, t); later || err != nil {
		return false
	}
	err := a.api.editMessageText(ctx, o)
	if entitiesRefused(err) {
		a.logger.Warn("telegram refused the formatting; editing as plain text", "chat", t.chatID, "err", err)
		o.text, o.html = chunks[0].plain, false
		err = a.api.editMessageText(ctx, o)
	}
	if err != nil && !notModified(err) {
		a.logger.Warn("telegram edit failed; sending the result as a new message", "chat", t.chatID, "err", err)
		return false
	}
	if len(chunks) > 1 && a.sendChunks(ctx, t, rep, chunks[1:], 0) == 0 {
		return true // the first part is there; the rest is queued or logged as given up
	}
	a.metrics.Reply(bot.PlatformTelegram, string(rep.Outcome))
	return true
}

// giveUp logs a reply that could not be delivered. The failed API calls
// are already counted.
func (a *Adapter) giveUp(ctx context.Context, t target, rep bot.Reply, part, parts int, err error) {
	a.logger.LogAttrs(ctx, slog.LevelError, "telegram reply given up",
		slog.Int64("chat", t.chatID),
		slog.String("outcome", string(rep.Outcome)),
		slog.String("entry", rep.EntryID),
		slog.Int("part", part+1),
		slog.Int("parts", parts),
		slog.Any("err", err))
}

// keyboard turns suggestions into an inline keyboard, one button a row.
// callback_data is the button's value, which the core keeps within 64
// bytes; a longer one is cut at a character boundary rather than failing
// the whole message.
func (a *Adapter) keyboard(buttons []bot.Button) *tgbotapi.InlineKeyboardMarkup {
	var rows [][]tgbotapi.InlineKeyboardButton
	prevVote := false
	for _, b := range buttons {
		data := callbackData(b.Value)
		if data == "" || b.Label == "" {
			a.logger.Warn("telegram suggestion without a label or value left out", "label", b.Label)
			continue
		}
		if data != b.Value {
			a.logger.Warn("telegram callback data cut to 64 bytes", "value", b.Value)
		}
		btn := tgbotapi.NewInlineKeyboardButtonData(buttonLabel(b.Label), data)
		// 👍 and 👎 share a row; everything else has one of its own.
		vote := b.Action == bot.ActionFeedbackUp || b.Action == bot.ActionFeedbackDown
		if vote && prevVote {
			rows[len(rows)-1] = append(rows[len(rows)-1], btn)
		} else {
			rows = append(rows, tgbotapi.NewInlineKeyboardRow(btn))
		}
		prevVote = vote
	}
	if len(rows) == 0 {
		return nil
	}
	m := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return &m
}

// callbackData returns v cut to 64 bytes, ending on a whole character.
func callbackData(v string) string {
	v = strings.ToValidUTF8(v, "")
	if len(v) <= maxCallbackData {
		return v
	}
	end := maxCallbackData
	for end > 0 && !utf8.RuneStart(v[end]) {
		end--
	}
	return v[:end]
}

// buttonLabel shortens a long label with an ellipsis.
func buttonLabel(s string) string {
	if utf8.RuneCountInString(s) <= maxButtonLabel {
		return s
	}
	r := []rune(s)
	return string(r[:maxButtonLabel-1]) + "…"
}

// paceWait books the next slot for a send to t (about one a second per
// chat, at most GroupPerMinute in any minute per group, shared by every replica when
// the store is) and waits for it. later is true, without waiting, when the
// slot comes after ctx's deadline; wait says how long it is.
func (a *Adapter) paceWait(ctx context.Context, t target) (wait time.Duration, later bool, err error) {
	if t.unpaced {
		return 0, false, nil
	}
	chat := strconv.FormatInt(t.chatID, 10)
	rules := []work.Rule{{Key: "telegram:chat:" + chat, Interval: a.chatInterval}}
	if t.group && a.groupPerMinute > 0 {
		// Evenly spaced, so that no minute ever holds more than
		// groupPerMinute sends, wherever it starts.
		every := time.Minute / time.Duration(max(a.groupPerMinute-1, 1))
		rules = append(rules, work.Rule{Key: "telegram:group:" + chat, Interval: every})
	}
	wait = a.pacer.Reserve(ctx, rules...)
	if dl, has := ctx.Deadline(); has && time.Until(dl) < wait {
		return wait, true, nil
	}
	if err := a.sleep(ctx, wait); err != nil {
		return wait, false, fmt.Errorf("wait for a sending slot: %w", err)
	}
	return wait, false, nil
}
