// Package metrics defines beianbot's Prometheus metrics. A nil *Metrics is
// valid and records nothing, so libraries and tests can leave it out.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics holds every beianbot_ collector on its own registry.
type Metrics struct {
	Registry *prometheus.Registry

	messages      *prometheus.CounterVec
	replies       *prometheus.CounterVec
	matchScore    prometheus.Histogram
	matchDuration prometheus.Histogram
	checkDuration prometheus.Histogram
	checkVerdicts *prometheus.CounterVec
	apiErrors     *prometheus.CounterVec
	apiRetries    *prometheus.CounterVec
	dedupHits     *prometheus.CounterVec
	storeErrors   *prometheus.CounterVec
	storeUp       *prometheus.GaugeVec
	duplicates    prometheus.Counter
	faqEntries    prometheus.Gauge
	faqReloaded   prometheus.Gauge
	faqReloadFail prometheus.Counter
	adapters      adapterMetrics // adapters.go
	learn         learnMetrics   // learn.go
}

// New registers every metric on a fresh registry, with the Go runtime and
// process collectors.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "beianbot_messages_received_total",
			Help: "Messages received, by platform and outcome.",
		}, []string{"platform", "outcome"}),
		replies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "beianbot_replies_sent_total",
			Help: "Replies sent, by platform and outcome.",
		}, []string{"platform", "outcome"}),
		matchScore: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "beianbot_match_score",
			Help:    "Score of the best FAQ match per question.",
			Buckets: prometheus.LinearBuckets(0.1, 0.1, 10),
		}),
		matchDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "beianbot_match_duration_seconds",
			Help:    "Time to match one question against the FAQ.",
			Buckets: prometheus.ExponentialBuckets(1e-6, 4, 10),
		}),
		checkDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "beianbot_check_duration_seconds",
			Help:    "Time for one live domain check.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 11),
		}),
		checkVerdicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "beianbot_check_verdicts_total",
			Help: "Domain checks by verdict.",
		}, []string{"verdict"}),
		apiErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "beianbot_platform_api_errors_total",
			Help: "Errors returned by a chat platform's API, by platform and method.",
		}, []string{"platform", "method"}),
		apiRetries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "beianbot_platform_api_retries_total",
			Help: "Calls to a chat platform's API retried after a rate limit or error.",
		}, []string{"platform"}),
		dedupHits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "beianbot_dedup_hits_total",
			Help: "Events or updates dropped because they were already handled.",
		}, []string{"platform"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "beianbot_store_errors_total",
			Help: "Shared-store operations that failed and fell back to memory.",
		}, []string{"op"}),
		storeUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "beianbot_store_up",
			Help: "1 while the shared store works, 0 while state is kept in memory instead; absent without a shared store and until the first probe.",
		}, []string{"store"}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "beianbot_duplicate_answers_total",
			Help: "Events taken as new by this replica's memory while the shared store was down: another replica may have answered them too.",
		}),
		faqEntries: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "beianbot_faq_entries",
			Help: "FAQ entries loaded.",
		}),
		faqReloaded: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "beianbot_faq_last_reload_timestamp_seconds",
			Help: "Unix time of the last successful FAQ load.",
		}),
		faqReloadFail: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "beianbot_faq_reload_failures_total",
			Help: "FAQ reloads rejected because the new files failed validation.",
		}),
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.messages, m.replies, m.matchScore, m.matchDuration, m.checkDuration,
		m.checkVerdicts, m.apiErrors, m.apiRetries, m.dedupHits, m.storeErrors, m.storeUp, m.duplicates,
		m.faqEntries, m.faqReloaded, m.faqReloadFail,
	)
	m.adapters = newAdapterMetrics(m.Registry)
	m.learn = newLearnMetrics(m.Registry)
	return m
}

// Message counts one received message and what was done with it.
func (m *Metrics) Message(platform, outcome string) {
	if m != nil {
		m.messages.WithLabelValues(platform, outcome).Inc()
	}
}

// Reply counts one reply sent.
func (m *Metrics) Reply(platform, outcome string) {
	if m != nil {
		m.replies.WithLabelValues(platform, outcome).Inc()
	}
}

// Match records the best score and duration of one FAQ match.
func (m *Metrics) Match(score float64, d time.Duration) {
	if m != nil {
		m.matchScore.Observe(score)
		m.matchDuration.Observe(d.Seconds())
	}
}

// Check records one domain check's verdict and duration.
func (m *Metrics) Check(verdict string, d time.Duration) {
	if m != nil {
		m.checkVerdicts.WithLabelValues(verdict).Inc()
		m.checkDuration.Observe(d.Seconds())
	}
}

// APIError counts an error from a platform API method.
func (m *Metrics) APIError(platform, method string) {
	if m != nil {
		m.apiErrors.WithLabelValues(platform, method).Inc()
	}
}

// Retry counts one retried platform API call.
func (m *Metrics) Retry(platform string) {
	if m != nil {
		m.apiRetries.WithLabelValues(platform).Inc()
	}
}

// DedupHit counts one event dropped as already handled.
func (m *Metrics) DedupHit(platform string) {
	if m != nil {
		m.dedupHits.WithLabelValues(platform).Inc()
	}
}

// StoreError counts one shared-store failure.
func (m *Metrics) StoreError(op string) {
	if m != nil {
		m.storeErrors.WithLabelValues(op).Inc()
	}
}

// StoreUp records whether the shared store (Redis) is answering.
func (m *Metrics) StoreUp(up bool) {
	if m != nil {
		v := 0.0
		if up {
			v = 1
		}
		m.storeUp.WithLabelValues("redis").Set(v)
	}
}

// DuplicateAnswer counts one event whose dedup was decided in memory while
// the shared store was down, so that it may be answered twice.
func (m *Metrics) DuplicateAnswer() {
	if m != nil {
		m.duplicates.Inc()
	}
}

// WatchAdapter exposes beianbot_adapter_connected{platform}, read from
// connected at each scrape. Watching a platform again replaces nothing:
// the first function given for it stays.
func (m *Metrics) WatchAdapter(platform string, connected func() bool) {
	if m == nil {
		return
	}
	g := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "beianbot_adapter_connected",
		Help:        "1 while the chat adapter reaches its platform, 0 while it cannot.",
		ConstLabels: prometheus.Labels{"platform": platform},
	}, func() float64 {
		if connected() {
			return 1
		}
		return 0
	})
	_ = m.Registry.Register(g) // AlreadyRegisteredError: keep the first
}

// FAQLoaded records a successful FAQ load of n entries at t.
func (m *Metrics) FAQLoaded(n int, t time.Time) {
	if m != nil {
		m.faqEntries.Set(float64(n))
		m.faqReloaded.Set(float64(t.Unix()))
	}
}

// FAQReloadFailed counts a reload rejected by validation.
func (m *Metrics) FAQReloadFailed() {
	if m != nil {
		m.faqReloadFail.Inc()
	}
}
