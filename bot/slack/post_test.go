package slack

import (
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

// TestPacing: posts to one channel are spaced a second apart; other
// channels are not held up.
func TestPacing(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	p := newPacer(time.Second, func() time.Time { return now })
	steps := []struct {
		advance time.Duration
		channel string
		want    time.Duration
	}{
		{0, "C1", 0},
		{0, "C1", time.Second},
		{0, "C1", 2 * time.Second},
		{0, "C2", 0},
		{1500 * time.Millisecond, "C1", 1500 * time.Millisecond},
		{10 * time.Second, "C1", 0},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		if got := p.reserve(s.channel); got != s.want {
			t.Errorf("step %d: reserve(%s) = %v, want %v", i, s.channel, got, s.want)
		}
	}
}

func TestPacingPosts(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	fixed := time.Unix(1_700_000_000, 0)
	h.a.pacer.now = func() time.Time { return fixed }
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
	h := newHarness(t, harnessOpts{cfg: func(c *Config) { c.WorkTimeout = 5 * time.Second }})
	fixed := time.Unix(1_700_000_000, 0)
	h.a.pacer.now = func() time.Time { return fixed }
	for i := range 7 {
		h.event(t, "Ev"+itoa(i), mention("1."+itoa(i)))
	}
	h.stop()
	if got := len(h.slack.recorded("chat.postMessage")); got != 5 {
		t.Errorf("%d posts, want 5 (slots 0-4 s of a 5 s deadline)", got)
	}
}
