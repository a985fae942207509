package bot

import (
	"context"
	"crypto/rand"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/beianbot/beianbot/faq"
	"github.com/beianbot/beianbot/internal/learn"
	"github.com/beianbot/beianbot/internal/metrics"
	"github.com/beianbot/beianbot/internal/store"
)

// FAQ is what the responder needs of the FAQ; *faq.Index is one.
type FAQ interface {
	// Match scores query against the entries.
	Match(query string) faq.Result
	// Lookup returns the entry id in lang (or its other language), or nil.
	Lookup(id, lang string) *faq.Entry
	// Entries lists every entry.
	Entries() []*faq.Entry
}

// Config configures a Responder.
type Config struct {
	// Index is the FAQ to answer from. Required.
	Index FAQ
	// Checker runs domain checks; nil means the check is not configured.
	Checker Checker
	// Store keeps the check cache and per-user limits; nil means in memory.
	Store store.Store
	// Metrics may be nil.
	Metrics *metrics.Metrics
	// Logger may be nil (nothing is logged).
	Logger *slog.Logger
	// CheckLimit is how many checks one user may start per CheckWindow
	// (defaults: 5 per minute).
	CheckLimit  int
	CheckWindow time.Duration
	// CheckCacheTTL is how long a check result is reused (default 5 minutes).
	CheckCacheTTL time.Duration
	// AnswerMinScore is the least score at which a direct message, a
	// mention or a command is answered rather than given suggestions
	// (default 0.5, where the matcher's own Answered flag turns).
	AnswerMinScore float64
	// ChannelMinScore is the least score at which a channel or group message
	// that does not address the bot is answered (default 0.7; never less
	// than AnswerMinScore): a wrong
	// answer dropped into a channel's chatter costs more than a question
	// left for someone to mention the bot with.
	ChannelMinScore float64
	// Learning records questions and feedback, and serves the admin
	// commands; the zero value turns it off.
	Learning Learning
	// UserKey turns a platform's user id into the key per-user limits are
	// kept under in Store, so the store never holds the id itself; replicas
	// sharing a store must share it (the learning loop's keyed hash). nil
	// means a keyed hash with a secret made at start: limits then hold per
	// process.
	UserKey func(platform, user string) string
}

// Responder turns messages into replies. It is safe for concurrent use, and
// its FAQ can be swapped while it runs (SetIndex).
type Responder struct {
	faq     atomic.Pointer[loaded]
	checker Checker
	store   store.Store
	metrics *metrics.Metrics
	logger  *slog.Logger

	checkLimit  int
	checkWindow time.Duration
	cacheTTL    time.Duration
	answerMin   float64
	channelMin  float64
	flights     flights
	learning    Learning
	userKey     func(platform, user string) string
}

// loaded is the FAQ being answered from, with what is derived from it.
type loaded struct {
	index   FAQ
	related related
}

// New returns a Responder for cfg.
func New(cfg Config) *Responder {
	r := &Responder{
		checker:     cfg.Checker,
		store:       cfg.Store,
		metrics:     cfg.Metrics,
		logger:      cfg.Logger,
		checkLimit:  cfg.CheckLimit,
		checkWindow: cfg.CheckWindow,
		cacheTTL:    cfg.CheckCacheTTL,
		answerMin:   cfg.AnswerMinScore,
		channelMin:  cfg.ChannelMinScore,
		learning:    cfg.Learning,
		userKey:     cfg.UserKey,
	}
	if r.userKey == nil {
		secret := make([]byte, 32)
		rand.Read(secret) // never fails (crypto/rand)
		r.userKey = learn.NewKeyer(secret).Key
	}
	if r.store == nil {
		r.store = store.NewMemory()
	}
	if r.logger == nil {
		r.logger = slog.New(slog.DiscardHandler)
	}
	if r.checkLimit <= 0 {
		r.checkLimit = 5
	}
	if r.checkWindow <= 0 {
		r.checkWindow = time.Minute
	}
	if r.cacheTTL <= 0 {
		r.cacheTTL = 5 * time.Minute
	}
	if r.answerMin <= 0 {
		r.answerMin = 0.5
	}
	if r.channelMin <= 0 {
		r.channelMin = 0.7
	}
	r.SetIndex(cfg.Index)
	return r
}

// SetIndex swaps in a new FAQ; messages being handled finish on the old one.
func (r *Responder) SetIndex(ix FAQ) {
	r.faq.Store(&loaded{index: ix, related: relatedEntries(ix, r.answerMin)})
}

// Index returns the FAQ currently answered from.
func (r *Responder) Index() FAQ { return r.faq.Load().index }

// Handle answers one message. The returned reply is Silent when nothing
// should be sent.
func (r *Responder) Handle(ctx context.Context, msg Message) Reply {
	rep, ok := r.adminCommand(ctx, msg)
	if !ok {
		rep = r.learn(msg, r.handle(ctx, msg))
	}
	r.metrics.Message(msg.Platform, string(rep.Outcome))
	r.logger.LogAttrs(ctx, slog.LevelInfo, "message handled",
		slog.String("platform", msg.Platform),
		slog.String("chat", msg.ChatID),
		slog.String("outcome", string(rep.Outcome)),
		slog.String("entry", rep.EntryID),
		slog.Float64("score", rep.Score))
	return rep
}

func (r *Responder) handle(ctx context.Context, msg Message) Reply {
	text := strings.TrimSpace(msg.Text)
	cmd, ok := commandOf(msg, text)
	if !ok {
		return r.answer(msg, text)
	}
	lang := faq.Lang(cmd.arg)
	switch cmd.kind {
	case cmdHelp:
		if !hasLetter(cmd.arg) {
			lang = ""
		}
		return Reply{Outcome: OutcomeHelp, Lang: lang, Text: helpText(lang)}
	case cmdCheck:
		if !msg.Direct && !msg.Addressed {
			return r.answer(msg, text)
		}
		if msg.Command != "" {
			// The command word tells the language as much as the text.
			text = msg.Command + " " + msg.Args
		}
		if cmd.arg == "" {
			lang := checkLang(text, "")
			return Reply{Outcome: OutcomeRefused, Lang: lang, Text: pick(lang,
				"请告诉我要检查的域名，例如：`/beian check example.com`",
				"Tell me which domain to check, e.g. `/beian check example.com`")}
		}
		return r.check(ctx, msg, cmd.arg, checkLang(text, cmd.arg))
	default: // a question through a command: the user addressed the bot
		msg.Addressed = true
		return r.answer(msg, cmd.arg)
	}
}

// answer matches text against the FAQ.
func (r *Responder) answer(msg Message, text string) Reply {
	if text == "" {
		if msg.Direct || msg.Addressed {
			return Reply{Outcome: OutcomeHelp, Text: helpText("")}
		}
		return Reply{Outcome: OutcomeDeclined}
	}
	ix := r.Index()
	start := time.Now()
	res := ix.Match(text)
	r.metrics.Match(res.Best.Score, time.Since(start))
	unaddressed := !msg.Direct && !msg.Addressed
	min := r.answerMin
	if unaddressed {
		// Never below the direct threshold, whatever was configured.
		min = max(r.channelMin, r.answerMin)
	}
	if res = Decide(res, min); res.Answered {
		return answerReply(res.Best.Entry, res.Best.Score, res.Lang)
	}
	if unaddressed {
		return Reply{Outcome: OutcomeDeclined, Lang: res.Lang, Score: res.Best.Score}
	}
	rep := Reply{Outcome: OutcomeSuggested, Lang: res.Lang, Score: res.Best.Score}
	suggestions := res.Suggestions
	if len(suggestions) == 0 {
		rep.Text = pick(res.Lang,
			"抱歉，我不确定您问的是哪个备案问题。可以换个说法再问，或发送 `/beian help` 查看用法。",
			"Sorry, I'm not sure which filing question you mean. Try asking another way, or send `/beian help`.")
		return rep
	}
	rep.Text = pick(res.Lang, "我不太确定您问的是哪个问题。您是想问：", "I'm not sure which question you mean. Did you mean:")
	for _, s := range suggestions {
		rep.Buttons = append(rep.Buttons, Button{Label: s.Entry.Question, Value: buttonValue(s.Entry)})
	}
	return rep
}

// Decide is res as the bot answers it with the least score min
// (BEIANBOT_ANSWER_AT, or the channel threshold): answered from min
// whatever the matcher decided; otherwise with the matcher's suggestions, or
// with its best entry as the one suggestion when the matcher was sure enough
// to answer but the bot is set to be surer.
func Decide(res faq.Result, min float64) faq.Result {
	switch {
	case res.Best.Entry != nil && res.Best.Score >= min:
		if !res.Answered {
			res.Answered, res.Suggestions = true, nil
		}
	case res.Answered:
		res.Answered, res.Suggestions = false, []faq.Match{res.Best}
	}
	return res
}

// Press answers a pressed suggestion button carrying value.
func (r *Responder) Press(ctx context.Context, msg Message, value string) Reply {
	rep, ok := r.feedbackPress(ctx, msg, value)
	if !ok {
		rep = r.picked(msg, value, r.press(value))
	}
	r.metrics.Message(msg.Platform, string(rep.Outcome))
	r.logger.LogAttrs(ctx, slog.LevelInfo, "button pressed",
		slog.String("platform", msg.Platform),
		slog.String("chat", msg.ChatID),
		slog.String("outcome", string(rep.Outcome)),
		slog.String("entry", rep.EntryID))
	return rep
}

func (r *Responder) press(value string) Reply {
	id, lang, ok := parseButtonValue(value)
	if !ok {
		return Reply{Outcome: OutcomeRefused, Text: "这个按钮已失效，请重新提问。 / This button has expired; please ask again."}
	}
	e := r.Index().Lookup(id, lang)
	if e == nil {
		return Reply{Outcome: OutcomeRefused, Lang: lang, Text: pick(lang,
			"这个问题已不在知识库中，请重新提问。",
			"That question is no longer in the FAQ; please ask again.")}
	}
	return answerReply(e, 1, lang)
}

// answerReply gives entry e to a question asked in lang. An entry that
// exists only in the other language is given with a notice saying so.
func answerReply(e *faq.Entry, score float64, lang string) Reply {
	text := "**" + e.Question + "**\n\n" + e.Answer
	if lang != "" && e.Lang != lang {
		text = pick(lang, "（这个问题只有英文答案。）", "(This answer is only available in Chinese.)") + "\n\n" + text
	}
	return Reply{
		Outcome: OutcomeAnswered,
		Lang:    lang,
		EntryID: e.ID,
		Score:   score,
		Text:    text,
	}
}

// buttonValue encodes an entry as "a|<id>|<lang>" (well under 64 bytes for
// docs-format ids).
func buttonValue(e *faq.Entry) string {
	v := "a|" + e.ID + "|" + e.Lang
	if len(v) > 64 {
		v = v[:64]
	}
	return v
}

func parseButtonValue(v string) (id, lang string, ok bool) {
	rest, ok := strings.CutPrefix(v, "a|")
	if !ok {
		return "", "", false
	}
	id, lang, ok = strings.Cut(rest, "|")
	lang, _, _ = strings.Cut(lang, "|") // a record id may follow (see learn.go)
	return id, lang, ok && id != ""
}
