package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/beianbot/beianbot/internal/learn"
)

// Button actions: what pressing a button other than a suggestion means.
// Slack uses them as the buttons' action_ids.
const (
	ActionFeedbackUp   = "beianbot_feedback_up"
	ActionFeedbackDown = "beianbot_feedback_down"
	ActionHandoff      = "beianbot_handoff"
)

// Outcomes of the learning loop, also used as metric labels.
const (
	// OutcomeFeedback: a 👍/👎 was taken; the reply thanks the presser.
	OutcomeFeedback Outcome = "feedback"
	// OutcomeHandoff: a person was asked to help.
	OutcomeHandoff Outcome = "handoff"
	// OutcomeAdmin: an admin command (teach, unteach, review) was carried out.
	OutcomeAdmin Outcome = "admin"
)

// recordFloor is the least score at which a channel message the bot did
// not answer is still recorded: below it, it is chatter, not a question.
const recordFloor = 0.3

// Recorder records questions and feedback without waiting (a
// *learn.Recorder).
type Recorder interface {
	// Record queues q asked by user and returns its record id.
	Record(q learn.Question, user string) string
	// Feedback queues f given by user on platform.
	Feedback(f learn.Feedback, platform, user string)
}

// Admin carries out the admin commands and looks up recorded questions.
type Admin interface {
	// Teach adds a phrasing of entry, taught by user on platform; the
	// errors learn.ErrUnknownEntry and learn.ErrBadPhrasing are the user's.
	Teach(ctx context.Context, entry, phrasing, platform, user string) (bool, error)
	// Unteach deletes a taught phrasing of entry and reports whether there
	// was one.
	Unteach(ctx context.Context, entry, phrasing string) (bool, error)
	// Digest is the review of the last days as a reply text.
	Digest(ctx context.Context) (string, error)
	// Question returns the text of a recorded question.
	Question(ctx context.Context, id string) (string, bool)
}

// Learning configures the learning loop of a Responder.
type Learning struct {
	// Recorder, when set, records questions and feedback, and answers
	// carry 👍/👎 buttons.
	Recorder Recorder
	// Admin, when set, serves /beian teach, /beian unteach and /beian review.
	Admin Admin
	// Admins are the "platform:user-id" pairs allowed the admin commands.
	Admins map[string]bool
	// Handoff names, per platform, whom "ask a person" brings in: Slack
	// user group (S…) or user (U…, W…) ids; Telegram @names, or a chat id
	// (-100…) the question is forwarded to.
	Handoff map[string][]string
}

// Handoff is the people a reply brings in.
type Handoff struct {
	// Mentions are Slack user group or user ids to mention in the thread.
	// Telegram @names are written into the reply text instead.
	Mentions []string
	// Forward is a chat the question is forwarded to, with ForwardText.
	Forward     string
	ForwardText string
}

// learn records a handled question and adds the feedback and hand-off
// buttons to its reply.
func (r *Responder) learn(msg Message, rep Reply) Reply {
	outcome := ""
	switch rep.Outcome {
	case OutcomeAnswered:
		outcome = learn.OutcomeAnswered
	case OutcomeSuggested:
		outcome = learn.OutcomeSuggested
		if len(rep.Buttons) == 0 {
			outcome = learn.OutcomeDeclined
		}
	case OutcomeDeclined:
		if rep.Score >= recordFloor {
			outcome = learn.OutcomeDeclined
		}
	}
	if outcome == "" {
		return rep
	}
	rec := ""
	if r.learning.Recorder != nil {
		q := learn.Question{Platform: msg.Platform, Chat: msg.ChatID, Text: questionText(msg.Text),
			Outcome: outcome, Entry: rep.EntryID, Score: rep.Score}
		for _, b := range rep.Buttons {
			if id, _, ok := parseButtonValue(b.Value); ok {
				q.Offered = append(q.Offered, id)
			}
		}
		rec = r.learning.Recorder.Record(q, msg.UserID)
	}
	if rep.Silent() {
		return rep
	}
	switch outcome {
	case learn.OutcomeAnswered:
		rep.Buttons = append(rep.Buttons, r.votes(rep.Lang, rec, rep.EntryID)...)
	default:
		if rec != "" {
			buttons := make([]Button, len(rep.Buttons))
			for i, b := range rep.Buttons {
				if v := b.Value + "|" + rec; len(v) <= 64 {
					b.Value = v
				}
				buttons[i] = b
			}
			rep.Buttons = buttons
		}
		rep.Buttons = append(rep.Buttons, r.handoffButton(msg.Platform, rep.Lang, rec)...)
	}
	return rep
}

// votes are the 👍/👎 buttons of an answer (none when nothing is recorded).
func (r *Responder) votes(lang, rec, entry string) []Button {
	if r.learning.Recorder == nil || rec == "" {
		return nil
	}
	return []Button{
		{Label: pick(lang, "👍 有帮助", "👍 Helpful"), Value: cut64("f|u|" + rec + "|" + entry), Action: ActionFeedbackUp},
		{Label: pick(lang, "👎 没帮助", "👎 Not helpful"), Value: cut64("f|d|" + rec + "|" + entry), Action: ActionFeedbackDown},
	}
}

// handoffButton is the 🙋 button, where BEIANBOT_HANDOFF names someone for
// the platform.
func (r *Responder) handoffButton(platform, lang, rec string) []Button {
	if len(r.learning.Handoff[platform]) == 0 {
		return nil
	}
	return []Button{{Label: pick(lang, "🙋 都不是，找人工", "🙋 None of these — ask a person"), Value: "h|" + rec, Action: ActionHandoff}}
}

func cut64(v string) string {
	if len(v) > 64 {
		return v[:64]
	}
	return v
}

// questionText is what the user asked: the text of a /beian command
// without the command.
func questionText(text string) string {
	text = strings.TrimSpace(text)
	if c, ok := parseCommand(text); ok && c.kind == cmdAsk {
		return c.arg
	}
	return text
}

// picked records a pressed suggestion as evidence for its entry and adds
// the 👍/👎 buttons to the answer it brought.
func (r *Responder) picked(msg Message, value string, rep Reply) Reply {
	if rep.Outcome != OutcomeAnswered || r.learning.Recorder == nil {
		return rep
	}
	parts := strings.Split(value, "|")
	if len(parts) != 4 || parts[3] == "" {
		return rep
	}
	rec := parts[3]
	if !learn.IsID(rec) {
		return rep
	}
	r.learning.Recorder.Feedback(learn.Feedback{Question: rec, Kind: learn.KindPick, Entry: rep.EntryID}, msg.Platform, msg.UserID)
	rep.Buttons = append(rep.Buttons, r.votes(rep.Lang, rec, rep.EntryID)...)
	return rep
}

// feedbackPress handles a 👍, 👎 or 🙋 press; ok is false for any other
// button.
func (r *Responder) feedbackPress(ctx context.Context, msg Message, value string) (Reply, bool) {
	switch {
	case strings.HasPrefix(value, "f|u|"), strings.HasPrefix(value, "f|d|"):
		rec, entry, _ := strings.Cut(value[4:], "|")
		kind := learn.KindUp
		if value[2] == 'd' {
			kind = learn.KindDown
		}
		e := r.Index().Lookup(entry, "zh")
		if e == nil || !learn.IsID(rec) {
			// Not a button the bot made (or its entry is gone): nothing
			// to store.
			return Reply{Outcome: OutcomeRefused, Private: true, Text: "这个按钮已失效。 / This button has expired."}, true
		}
		if r.learning.Recorder != nil {
			r.learning.Recorder.Feedback(learn.Feedback{Question: rec, Kind: kind, Entry: entry}, msg.Platform, msg.UserID)
		}
		lang := e.Lang
		rep := Reply{Outcome: OutcomeFeedback, Private: true, Lang: lang, EntryID: entry,
			Text: "谢谢反馈！ / Thanks for the feedback!"}
		if kind == learn.KindDown {
			rep.Text = "谢谢，我们会改进这个回答。 / Thanks, we'll improve this answer."
			rep.Buttons = r.handoffButton(msg.Platform, lang, rec)
		}
		return rep, true
	case strings.HasPrefix(value, "h|"):
		return r.handoff(ctx, msg, value[2:]), true
	}
	return Reply{}, false
}

// handoff brings in the people BEIANBOT_HANDOFF names for the platform.
func (r *Responder) handoff(ctx context.Context, msg Message, rec string) Reply {
	targets := r.learning.Handoff[msg.Platform]
	if len(targets) == 0 {
		return Reply{Outcome: OutcomeRefused, Text: "这里没有配置人工支持。 / No one is set up to take questions here."}
	}
	question := ""
	if r.learning.Admin != nil && learn.IsID(rec) {
		qctx, cancel := context.WithTimeout(ctx, time.Second)
		question, _ = r.learning.Admin.Question(qctx, rec)
		cancel()
	}
	h := &Handoff{}
	var names []string
	for _, t := range targets {
		switch {
		case strings.HasPrefix(t, "@"):
			names = append(names, t)
		case msg.Platform == PlatformTelegram:
			h.Forward = t
		default:
			h.Mentions = append(h.Mentions, t)
		}
	}
	text := "已请人工协助，请稍候。 / I've asked a person to help; they'll answer here."
	if len(names) > 0 {
		text = strings.Join(names, " ") + " " + text
	}
	if h.Forward != "" {
		q := question
		if q == "" {
			q = "（问题未记录 / the question was not recorded）"
		}
		h.ForwardText = "🙋 有人需要人工协助 / Someone asks for a person (chat " + msg.ChatID + "):\n\n" + q
		if len(names) == 0 {
			text = "已把您的问题转给人工客服。 / I've passed your question to a person."
		}
	}
	r.logger.LogAttrs(ctx, slog.LevelInfo, "hand-off", slog.String("platform", msg.Platform), slog.String("chat", msg.ChatID))
	return Reply{Outcome: OutcomeHandoff, Text: text, Handoff: h}
}

// adminCommand serves /beian teach, /beian unteach and /beian review; ok
// is false for any other message.
func (r *Responder) adminCommand(ctx context.Context, msg Message) (Reply, bool) {
	sub, arg, ok := parseAdmin(msg.Text)
	if !ok {
		return Reply{}, false
	}
	if r.learning.Admin == nil {
		return Reply{Outcome: OutcomeRefused, Text: "学习功能未开启。 / Learning is not set up on this bot."}, true
	}
	if !r.learning.Admins[msg.Platform+":"+msg.UserID] {
		return Reply{Outcome: OutcomeRefused, Text: "只有管理员可以这样做。 / Only admins can do that."}, true
	}
	switch sub {
	case "teach":
		id, phrasing := splitWord(arg)
		if id == "" || phrasing == "" {
			return Reply{Outcome: OutcomeRefused, Text: "用法 / usage: `/beian teach <entry-id> <phrasing>`"}, true
		}
		added, err := r.learning.Admin.Teach(ctx, id, phrasing, msg.Platform, msg.UserID)
		switch {
		case errors.Is(err, learn.ErrUnknownEntry):
			return Reply{Outcome: OutcomeRefused, Text: "没有这个条目 / No FAQ entry with id `" + id + "`. `beianbot faq list` lists them."}, true
		case errors.Is(err, learn.ErrBadPhrasing):
			return Reply{Outcome: OutcomeRefused, Text: "这个说法不能用：请写一行，不超过 300 字节，不含 | 或 -->。 / That phrasing can't be used: one line, at most 300 bytes, no | or -->."}, true
		case err != nil:
			r.logger.Warn("teach failed", "err", err)
			return Reply{Outcome: OutcomeRefused, Text: "现在无法保存，请稍后再试。 / Couldn't save that now; please try again later."}, true
		case !added:
			return Reply{Outcome: OutcomeAdmin, Text: "这个说法已经教过了。 / That phrasing was already taught."}, true
		}
		return Reply{Outcome: OutcomeAdmin, Text: "已学会：“" + phrasing + "” → `" + id + "` / Learned."}, true
	case "unteach":
		id, phrasing := splitWord(arg)
		if id == "" || phrasing == "" {
			return Reply{Outcome: OutcomeRefused, Text: "用法 / usage: `/beian unteach <entry-id> <phrasing>`"}, true
		}
		removed, err := r.learning.Admin.Unteach(ctx, id, phrasing)
		switch {
		case err != nil:
			r.logger.Warn("unteach failed", "err", err)
			return Reply{Outcome: OutcomeRefused, Text: "现在无法删除，请稍后再试。 / Couldn't delete that now; please try again later."}, true
		case !removed:
			return Reply{Outcome: OutcomeRefused, Text: "没有教过这个说法。 / That phrasing was never taught for `" + id + "`."}, true
		}
		return Reply{Outcome: OutcomeAdmin, Text: "已删除：“" + phrasing + "” → `" + id + "` / Forgotten."}, true
	default: // review
		text, err := r.learning.Admin.Digest(ctx)
		if err != nil {
			r.logger.Warn("review failed", "err", err)
			return Reply{Outcome: OutcomeRefused, Text: "现在无法生成回顾，请稍后再试。 / Couldn't build the review now; please try again later."}, true
		}
		return Reply{Outcome: OutcomeAdmin, Text: text}, true
	}
}

// parseAdmin recognises "/beian teach …", "/beian unteach …" and
// "/beian review".
func parseAdmin(text string) (sub, arg string, ok bool) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "/") {
		return "", "", false
	}
	word, rest := splitWord(text[1:])
	if at := strings.IndexByte(word, '@'); at >= 0 {
		word = word[:at]
	}
	switch strings.ToLower(word) {
	case "beian", "备案", "faq":
	default:
		return "", "", false
	}
	sub, arg = splitWord(rest)
	switch sub = strings.ToLower(sub); sub {
	case "teach", "unteach":
		return sub, arg, true
	case "review":
		return sub, arg, arg == ""
	}
	return "", "", false
}
