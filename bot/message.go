// Package bot is the platform-neutral core of beianbot: it turns an incoming
// chat message into a reply (an FAQ answer, suggestions, help, or the result
// of a domain check). Chat adapters only translate between their platform and
// the Message and Reply types defined here.
package bot

import "context"

// Platform names used in messages, logs and metrics.
const (
	PlatformSlack    = "slack"
	PlatformTelegram = "telegram"
	PlatformConsole  = "console"
)

// Message is one incoming chat message, already translated by an adapter.
type Message struct {
	// Platform is one of the Platform constants.
	Platform string
	// ChatID identifies the channel or chat the message came from.
	ChatID string
	// UserID identifies the sender; it keys per-user limits.
	UserID string
	// Text is what the user wrote, with every chat mention (of the bot or
	// anyone else) removed; for a command, the text after it.
	Text string
	// Command is the command the platform delivered as one (a Slack slash
	// command, a leading Telegram bot_command), without "/" and "@bot":
	// "beian", "check", "help" or "start". Empty for an ordinary message,
	// whose text may still say "check example.com".
	Command string
	// Args is the text after Command.
	Args string
	// Direct is true for direct messages and private chats.
	Direct bool
	// Addressed is true when the user spoke to the bot: a mention, a reply
	// to one of its messages, or a command.
	Addressed bool
}

// Outcome says what the responder did with a message.
type Outcome string

// Outcomes, also used as metric labels.
const (
	// OutcomeAnswered: an FAQ answer was given.
	OutcomeAnswered Outcome = "answered"
	// OutcomeSuggested: the bot was unsure and offered the closest questions.
	OutcomeSuggested Outcome = "suggested"
	// OutcomeDeclined: nothing is sent (chatter in a group, an empty message).
	OutcomeDeclined Outcome = "declined"
	// OutcomeHelp: the help text.
	OutcomeHelp Outcome = "help"
	// OutcomeCheck: a domain check was started or its result is given.
	OutcomeCheck Outcome = "check"
	// OutcomeRefused: the input was bad or a limit was hit; Text says why.
	OutcomeRefused Outcome = "refused"
)

// Button is a suggestion the user can press. Value is opaque to adapters:
// they hand it back to Responder.Press. It is at most 64 bytes so it fits
// Telegram's callback_data.
type Button struct {
	Label string
	Value string
	// Action is empty for a suggestion, or one of the Action constants
	// (feedback, hand-off); Slack uses it as the button's action_id.
	Action string
}

// Reply is what the bot says back. Text is in the Markdown subset described
// in package faq (paragraphs, "- " list items, **bold**, [text](url)); each
// adapter renders it for its platform.
type Reply struct {
	Outcome Outcome
	Text    string
	Buttons []Button
	// EntryID and Score describe the matched FAQ entry, when there is one.
	EntryID string
	Score   float64
	// Lang is "zh" or "en": the language the reply is written in.
	Lang string
	// FollowUp, when set, is slow work (a domain check): the adapter sends
	// Text at once as an acknowledgement, then calls FollowUp and delivers its
	// reply (editing the acknowledgement or as a new message).
	FollowUp func(ctx context.Context) Reply
	// Private asks for the reply to be shown to the presser only (an
	// ephemeral message on Slack, the callback answer on Telegram): the
	// acknowledgement of a feedback button.
	Private bool
	// Handoff, when set, brings people into the conversation (see Handoff).
	Handoff *Handoff
}

// Silent reports whether nothing should be sent for this reply.
func (r Reply) Silent() bool { return r.Outcome == OutcomeDeclined }
