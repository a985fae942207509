package slack

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func drain(ch chan time.Duration) []time.Duration {
	var out []time.Duration
	for {
		select {
		case d := <-ch:
			out = append(out, d)
		default:
			return out
		}
	}
}

func mention(ts string) map[string]any {
	return map[string]any{"type": "app_mention", "user": "U1", "text": "<@UBOT> 备案", "ts": ts, "channel": "C1"}
}

// TestRateLimitRetry: a 429 from Slack is waited out (Retry-After) and
// retried, at most MaxTries attempts; the final failure is counted and
// nothing is shown to the user.
func TestRateLimitRetry(t *testing.T) {
	tests := []struct {
		name    string
		limited int
		posts   int
		waits   []time.Duration
		retries float64
		errors  float64
	}{
		{"recovers", 2, 1, []time.Duration{7 * time.Second, 7 * time.Second}, 2, 0},
		{"gives up after 3 tries", 5, 0, []time.Duration{7 * time.Second, 7 * time.Second}, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{before: func(f *fakeSlack) { f.limited = tt.limited }})
			h.event(t, "Ev1", mention("1.1"))
			h.stop()
			if got := len(h.slack.recorded("chat.postMessage")); got != tt.posts {
				t.Errorf("%d posts, want %d", got, tt.posts)
			}
			if diff := cmp.Diff(tt.waits, drain(h.sleeps)); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if got := counter(t, h.metrics, "beianbot_platform_api_retries_total", map[string]string{"platform": "slack"}); got != tt.retries {
				t.Errorf("retries counted %v, want %v", got, tt.retries)
			}
			if got := counter(t, h.metrics, "beianbot_platform_api_errors_total", map[string]string{"platform": "slack", "method": "chat.postMessage"}); got != tt.errors {
				t.Errorf("errors counted %v, want %v", got, tt.errors)
			}
		})
	}
}

// TestRateLimitTooLong: a Retry-After beyond the work's deadline is not
// waited for.
func TestRateLimitTooLong(t *testing.T) {
	h := newHarness(t, harnessOpts{
		before: func(f *fakeSlack) { f.limited, f.retryWait = 1, "20" },
		cfg:    func(c *Config) { c.WorkTimeout = 5 * time.Second },
	})
	h.event(t, "Ev1", mention("1.1"))
	h.stop()
	if got := drain(h.sleeps); len(got) != 0 {
		t.Errorf("waited %v, want no wait", got)
	}
	if got := counter(t, h.metrics, "beianbot_platform_api_errors_total", map[string]string{"method": "chat.postMessage"}); got != 1 {
		t.Errorf("errors counted %v, want 1", got)
	}
}

// TestPacingPosts: posts to one channel are spaced a second apart.
func TestPacingPosts(t *testing.T) {
	fixed := time.Unix(1_700_000_000, 0)
	h := newHarness(t, harnessOpts{cfg: func(c *Config) { c.Now = func() time.Time { return fixed } }})
	h.event(t, "Ev1", mention("1.1"))
	h.event(t, "Ev2", mention("1.2"))
	h.stop()
	if diff := cmp.Diff([]time.Duration{time.Second}, drain(h.sleeps)); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if got := len(h.slack.recorded("chat.postMessage")); got != 2 {
		t.Errorf("%d posts, want 2", got)
	}
}

// TestPacingFlood: when a channel is flooded, replies whose posting slot
// falls after their deadline are dropped instead of holding a worker.
func TestPacingFlood(t *testing.T) {
	fixed := time.Unix(1_700_000_000, 0)
	h := newHarness(t, harnessOpts{cfg: func(c *Config) {
		c.WorkTimeout = 5 * time.Second
		c.Now = func() time.Time { return fixed }
	}})
	for i := range 7 {
		h.event(t, "Ev"+strconv.Itoa(i), mention("1."+strconv.Itoa(i)))
	}
	h.stop()
	if got := len(h.slack.recorded("chat.postMessage")); got != 5 {
		t.Errorf("%d posts, want 5 (slots 0-4 s of a 5 s deadline)", got)
	}
}
