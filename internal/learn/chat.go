package learn

import (
	"context"
	"time"
)

// DefaultWindow is how far back a review looks by default.
const DefaultWindow = 7 * 24 * time.Hour

// digestTop bounds the groups and entries a chat digest lists.
const digestTop = 5

// Chat serves the chat side of the loop: the admin commands (teach,
// review) and the look-up of a recorded question for a hand-off.
type Chat struct {
	Store Store
	Live  *Live
	Keyer *Keyer
	// Window is how far back the digest looks (DefaultWindow when 0).
	Window time.Duration
}

// Teach adds a phrasing, live at once, noting who taught it by user key.
func (c *Chat) Teach(ctx context.Context, entry, phrasing, platform, user string) (bool, error) {
	return c.Live.Teach(ctx, entry, phrasing, platform+":"+c.Keyer.Key(platform, user))
}

// Unteach deletes a taught phrasing, live at once.
func (c *Chat) Unteach(ctx context.Context, entry, phrasing string) (bool, error) {
	return c.Live.Unteach(ctx, entry, phrasing)
}

// Digest is the review of the window as a chat message.
func (c *Chat) Digest(ctx context.Context) (string, error) {
	w := c.Window
	if w <= 0 {
		w = DefaultWindow
	}
	rv, err := BuildReview(ctx, c.Store, c.Live.Base(), time.Now().Add(-w))
	if err != nil {
		return "", err
	}
	return rv.Markdown(digestTop), nil
}

// Question returns the text of a recorded question.
func (c *Chat) Question(ctx context.Context, id string) (string, bool) {
	q, ok, err := c.Store.Question(ctx, id)
	if err != nil || !ok {
		return "", false
	}
	return q.Text, true
}
