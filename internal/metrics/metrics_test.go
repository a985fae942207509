package metrics

import (
	"strings"
	"testing"
	"time"
)

// touch records one of everything.
func touch(m *Metrics) {
	m.Message("slack", "answered")
	m.Reply("slack", "answered")
	m.Match(0.8, time.Millisecond)
	m.Check("outside_mainland", time.Second)
	m.APIError("telegram", "sendMessage")
	m.Retry("telegram")
	m.DedupHit("slack")
	m.StoreError("first_seen")
	m.StoreUp(false)
	m.DuplicateAnswer()
	m.WatchAdapter("slack", func() bool { return true })
	m.WatchAdapter("slack", func() bool { return false }) // again: ignored
	m.FAQLoaded(3, time.Unix(1_700_000_000, 0))
	m.FAQReloadFailed()
	m.SlackSignatureFailure()
	m.WorkRefused("slack")
	m.WorkCut("telegram", 2)
}

func TestNilMetricsRecordNothing(t *testing.T) {
	var m *Metrics
	touch(m) // must not panic
}

func TestNames(t *testing.T) {
	m := New()
	touch(m)
	fams, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var ours int
	for _, f := range fams {
		name := f.GetName()
		switch {
		case strings.HasPrefix(name, "beianbot_"):
			ours++
			if f.GetHelp() == "" {
				t.Errorf("%s has no help text", name)
			}
		case strings.HasPrefix(name, "go_"), strings.HasPrefix(name, "process_"):
		default:
			t.Errorf("metric %s does not start with beianbot_", name)
		}
	}
	if ours != 19 {
		t.Errorf("%d beianbot_ metric families after recording one of each, want 19", ours)
	}
}
