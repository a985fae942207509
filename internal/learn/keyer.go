package learn

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"
)

// Keyer turns a platform user id into its user key: an HMAC-SHA256 with a
// secret, so the stored key names the same user every time without the id
// itself being stored or guessable from the key. It is safe for concurrent
// use.
type Keyer struct {
	macs sync.Pool // of hash.Hash: an HMAC keyed with the secret
}

// NewKeyer returns a Keyer with secret.
func NewKeyer(secret []byte) *Keyer {
	key := append([]byte(nil), secret...)
	k := &Keyer{}
	k.macs.New = func() any { return hmac.New(sha256.New, key) }
	return k
}

// Key returns the user key of user on platform: 32 hex digits.
func (k *Keyer) Key(platform, user string) string {
	m := k.macs.Get().(hash.Hash)
	m.Reset()
	var sum [sha256.Size]byte
	m.Write([]byte(platform))
	m.Write([]byte{0})
	m.Write([]byte(user))
	out := m.Sum(sum[:0])
	k.macs.Put(m)
	return hex.EncodeToString(out[:16])
}
