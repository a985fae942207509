// Package secret keeps tokens and signing secrets out of logs.
package secret

import "log/slog"

// String is a secret value. It logs and prints as a redacted form that keeps
// only a recognisable prefix (such as "xoxb-") and the length.
type String string

// Redacted returns the form of s that is safe to log.
func (s String) Redacted() string {
	if s == "" {
		return ""
	}
	prefix := ""
	for i := 0; i < len(s) && i < 5; i++ {
		if s[i] == '-' {
			prefix = string(s[:i+1])
			break
		}
	}
	return prefix + "[redacted]"
}

// LogValue implements slog.LogValuer.
func (s String) LogValue() slog.Value { return slog.StringValue(s.Redacted()) }

// String implements fmt.Stringer, so %v and %s never print the secret.
func (s String) String() string { return s.Redacted() }

// GoString implements fmt.GoStringer for %#v.
func (s String) GoString() string { return s.Redacted() }

// Reveal returns the secret itself, for the one place that sends it.
func (s String) Reveal() string { return string(s) }
