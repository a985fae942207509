package bot

import "context"

// Checker runs the live domain check. (placeholder until the check lands)
type Checker interface{}

// check runs the domain check for arg and formats its result.
func (r *Responder) check(_ context.Context, _ Message, _ string, lang string) Reply {
	if lang == "en" {
		return Reply{Outcome: OutcomeRefused, Lang: lang, Text: "The domain check is not configured."}
	}
	return Reply{Outcome: OutcomeRefused, Lang: lang, Text: "域名检查功能尚未配置。"}
}
