package domaincheck

import (
	"context"
	"time"
)

// FilingLookup finds the ICP filing record of a registrable domain. It is a
// seam for a provider of MIIT filing records: beianbot ships none, because
// MIIT's public query service (beian.miit.gov.cn) needs a captcha and blocks
// automated clients. An implementation should return (nil, nil) when the
// domain has no record, and must respect ctx (the check gives it at most a
// few seconds).
type FilingLookup interface {
	Filing(ctx context.Context, registrable string) (*Filing, error)
}

// Filing is a filing record as a FilingLookup reports it.
type Filing struct {
	// Number is the filing number, e.g. 京ICP备12345678号.
	Number string `json:"number"`
	// Subject is the filing entity's name.
	Subject string `json:"subject,omitempty"`
	// Approved is when the filing was approved, if known.
	Approved time.Time `json:"approved,omitzero"`
	// Source names where the record came from.
	Source string `json:"source,omitempty"`
}
