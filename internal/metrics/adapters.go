package metrics

import "github.com/prometheus/client_golang/prometheus"

// adapterMetrics are the chat adapters' own counters.
type adapterMetrics struct {
	signatureFailures prometheus.Counter
	refused           *prometheus.CounterVec
	cut               *prometheus.CounterVec
}

func newAdapterMetrics(reg *prometheus.Registry) adapterMetrics {
	a := adapterMetrics{
		signatureFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "beianbot_slack_signature_failures_total",
			Help: "Slack requests rejected for a missing, wrong or stale signature (check SLACK_SIGNING_SECRET).",
		}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "beianbot_work_refused_total",
			Help: "Events, commands or updates refused because the work queue was full, for the platform to redeliver.",
		}, []string{"platform"}),
		cut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "beianbot_work_cut_total",
			Help: "Acknowledged work not finished at shutdown; the user was asked to ask again.",
		}, []string{"platform"}),
	}
	reg.MustRegister(a.signatureFailures, a.refused, a.cut)
	return a
}

// SlackSignatureFailure counts one Slack request rejected for its
// signature.
func (m *Metrics) SlackSignatureFailure() {
	if m != nil {
		m.adapters.signatureFailures.Inc()
	}
}

// WorkRefused counts one delivery refused because the queue was full.
func (m *Metrics) WorkRefused(platform string) {
	if m != nil {
		m.adapters.refused.WithLabelValues(platform).Inc()
	}
}

// WorkCut counts n acknowledged items not finished at shutdown.
func (m *Metrics) WorkCut(platform string, n int) {
	if m != nil && n > 0 {
		m.adapters.cut.WithLabelValues(platform).Add(float64(n))
	}
}
