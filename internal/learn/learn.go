// Package learn keeps what the bot learns from its users: the questions it
// handled (with a keyed hash of the asker, never the raw id), the feedback
// given on its answers, and the phrasings a team taught it. It stores them
// in SQLite (one file, the embedded default) or PostgreSQL (shared by
// several replicas), applies its schema migrations at start-up, and groups
// what the bot could not answer for review.
package learn

import (
	"context"
	"time"
)

// Outcomes of a recorded question.
const (
	OutcomeAnswered  = "answered"
	OutcomeSuggested = "suggested"
	OutcomeDeclined  = "declined"
)

// Feedback kinds.
const (
	// KindUp and KindDown are a 👍 or 👎 on an answer; one per user and
	// answer.
	KindUp   = "up"
	KindDown = "down"
	// KindPick is a suggestion the user pressed: evidence that the question
	// means that entry.
	KindPick = "pick"
)

// MaxText bounds the stored text of a question, in bytes.
const MaxText = 1000

// Question is one handled question as stored.
type Question struct {
	// ID identifies the record; feedback buttons carry it.
	ID       string
	Platform string
	Chat     string
	// UserKey is the keyed hash of the asker (see Keyer), never the raw id.
	UserKey string
	// Text is what the user asked, at most MaxText bytes.
	Text string
	// Outcome is one of the Outcome constants.
	Outcome string
	// Entry is the answered entry's id, or the best match's when not
	// answered; Score its score.
	Entry string
	Score float64
	// Offered are the ids of the suggestions shown, best first.
	Offered []string
	Time    time.Time
}

// Feedback is one 👍, 👎 or suggestion pick.
type Feedback struct {
	// Question is the ID of the question the feedback is about.
	Question string
	UserKey  string
	// Kind is KindUp, KindDown or KindPick.
	Kind string
	// Entry is the entry voted on or picked.
	Entry string
	Time  time.Time
}

// Phrasing is one taught way of asking an entry.
type Phrasing struct {
	ID    int64
	Entry string
	Text  string
	// Who taught it ("cli", or "slack:<user key>").
	Who  string
	Time time.Time
}

// Store is where the learning loop keeps its records.
type Store interface {
	// AddQuestions stores a batch of questions; a question already stored
	// (same ID) is left as it is.
	AddQuestions(ctx context.Context, qs []Question) error
	// AddFeedback stores feedback and reports whether it was new: a second
	// 👍/👎 by the same user on the same answer, or the same pick again, is
	// not stored.
	AddFeedback(ctx context.Context, f Feedback) (bool, error)
	// Question returns the stored question with id, or false.
	Question(ctx context.Context, id string) (Question, bool, error)
	// Questions returns the questions asked at or after since, oldest first.
	Questions(ctx context.Context, since time.Time) ([]Question, error)
	// Feedback returns the feedback given at or after since.
	Feedback(ctx context.Context, since time.Time) ([]Feedback, error)
	// Teach stores a phrasing of entry; teaching the same phrasing again
	// changes nothing and reports false.
	Teach(ctx context.Context, entry, text, who string) (bool, error)
	// Unteach deletes a taught phrasing of entry and reports whether there
	// was one.
	Unteach(ctx context.Context, entry, text string) (bool, error)
	// Phrasings returns every taught phrasing, oldest first.
	Phrasings(ctx context.Context) ([]Phrasing, error)
	// PhrasingsVersion changes whenever a phrasing is taught or deleted: a
	// cheap poll.
	PhrasingsVersion(ctx context.Context) (string, error)
	// Forget deletes the questions and feedback of one user key, and
	// returns how many rows went.
	Forget(ctx context.Context, userKey string) (int64, error)
	// ForgetBefore deletes the questions and feedback older than t.
	ForgetBefore(ctx context.Context, t time.Time) (int64, error)
	// Secret returns the key of the user-key hash kept in the database,
	// creating it on first use, so every replica hashes alike.
	Secret(ctx context.Context) ([]byte, error)
	// Claim reports whether this caller is the first to claim key (one
	// replica of several posts a scheduled digest).
	Claim(ctx context.Context, key string) (bool, error)
	// Ping checks the database answers.
	Ping(ctx context.Context) error
	// Close releases the connections.
	Close() error
}
