package bot

import "time"

// Status is what a chat adapter reports about its link to its platform, for
// the health endpoint and the adapter_connected metric.
type Status struct {
	// Platform is one of the Platform constants.
	Platform string
	// Connected is true while the adapter can reach its platform (the last
	// poll, socket or API call succeeded).
	Connected bool
	// Since is when Connected last changed.
	Since time.Time
	// LastError describes the most recent failure to reach the platform,
	// without secrets; empty when there was none.
	LastError string
}

// StatusReporter is implemented by adapters that can say whether they reach
// their platform.
type StatusReporter interface {
	Status() Status
}
