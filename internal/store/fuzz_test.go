package store

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzNewRedis feeds operator-written BEIANBOT_REDIS_URL values to NewRedis:
// it must never panic, and its error must never show the URL's password.
func FuzzNewRedis(f *testing.F) {
	for _, s := range []string{
		"redis://localhost:6379/0",
		"rediss://user:pa55@redis.example:6380/2?dial_timeout=3s",
		"redis://:p%40ss@[::1]:6379",
		"unix:///run/redis.sock?db=1",
		"redis://user:secret@host:port/x",
		"redis://u:secret@h/0?read_timeout=abc",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r, err := NewRedis(raw)
		if err == nil {
			r.Close()
			return
		}
		u, perr := url.Parse(raw)
		if perr != nil || u.User == nil {
			return
		}
		if pw, ok := u.User.Password(); ok && len(pw) >= 4 && strings.Contains(err.Error(), pw) {
			t.Errorf("NewRedis(%q) error %q shows the password", raw, err)
		}
	})
}
