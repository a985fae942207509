package metrics

import "github.com/prometheus/client_golang/prometheus"

// learnMetrics are the learning loop's counters.
type learnMetrics struct {
	recordDropped *prometheus.CounterVec
	recordWritten *prometheus.CounterVec
}

func newLearnMetrics(reg *prometheus.Registry) learnMetrics {
	l := learnMetrics{
		recordDropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "beianbot_record_dropped_total",
			Help: "Questions or feedback not recorded: the buffer was full, or the database failed.",
		}, []string{"reason"}),
		recordWritten: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "beianbot_records_written_total",
			Help: "Questions and feedback written to the learning database, by kind.",
		}, []string{"kind"}),
	}
	reg.MustRegister(l.recordDropped, l.recordWritten)
	return l
}

// RecordDropped counts n records (questions or feedback) lost: reason is
// "full" (the buffer) or "error" (the database).
func (m *Metrics) RecordDropped(reason string, n int) {
	if m != nil {
		m.learn.recordDropped.WithLabelValues(reason).Add(float64(n))
	}
}

// RecordWritten counts n records of kind ("question", "feedback") written.
func (m *Metrics) RecordWritten(kind string, n int) {
	if m != nil && n > 0 {
		m.learn.recordWritten.WithLabelValues(kind).Add(float64(n))
	}
}
