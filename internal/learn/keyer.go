package learn

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// Keyer turns a platform user id into its user key: an HMAC-SHA256 with a
// secret, so the stored key names the same user every time without the id
// itself being stored or guessable from the key.
type Keyer struct{ secret []byte }

// NewKeyer returns a Keyer with secret.
func NewKeyer(secret []byte) *Keyer { return &Keyer{secret: append([]byte(nil), secret...)} }

// Key returns the user key of user on platform: 32 hex digits.
func (k *Keyer) Key(platform, user string) string {
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte(platform))
	m.Write([]byte{0})
	m.Write([]byte(user))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
