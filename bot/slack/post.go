package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/work"
)

// maxRetryWait bounds how long one rate-limited call waits before retrying.
const maxRetryWait = 30 * time.Second

// target is where a reply goes: a channel (in a thread when threadTS is
// set) or, for slash commands and ephemeral messages, a response_url.
type target struct {
	channel  string
	threadTS string
	// responseURL, when set, is used instead of chat.postMessage; it has
	// been checked by responseURL.
	responseURL string
	// replace asks the response_url to replace the message it came from.
	replace bool
	// unpaced skips the channel's posting schedule: the short notices
	// sent at shutdown, which cannot wait for it.
	unpaced bool
}

// incoming is one message to answer and where to answer it.
type incoming struct {
	msg bot.Message
	to  target
}

// answer hands msg to the responder and delivers its reply, then its
// follow-up, if any.
func (a *Adapter) answer(ctx context.Context, in incoming) {
	rep := a.responder.Handle(ctx, in.msg)
	a.reply(ctx, in.to, rep)
}

// reply delivers rep, and then the result of its FollowUp. A reply that
// cannot be delivered is logged here, once.
func (a *Adapter) reply(ctx context.Context, to target, rep bot.Reply) {
	if rep.Silent() {
		return
	}
	ts, err := a.deliver(ctx, to, rep, "")
	if err != nil {
		a.notDelivered(to, rep, err)
		return
	}
	if rep.FollowUp == nil {
		return
	}
	fctx, cancel := context.WithTimeout(ctx, a.followUpTimeout)
	res := rep.FollowUp(fctx)
	cancel()
	if res.Silent() {
		return
	}
	to.replace = false
	if _, err := a.deliver(ctx, to, res, ts); err != nil {
		a.notDelivered(to, res, err)
	}
}

func (a *Adapter) notDelivered(to target, rep bot.Reply, err error) {
	a.logger.Warn("slack reply not delivered", "channel", to.channel, "outcome", string(rep.Outcome), "err", err)
}

// deliver posts rep to its target, in as many messages as render makes of
// it, and returns the first message's ts. When editTS is set and the
// target is a channel, that message is edited into the first part instead;
// when the edit fails, the part is posted as a new message.
func (a *Adapter) deliver(ctx context.Context, to target, rep bot.Reply, editTS string) (string, error) {
	parts := render(rep)
	if len(parts) == 0 {
		return "", errors.New("empty reply: nothing to show")
	}
	first := ""
	for i, r := range parts {
		var ts string
		var err error
		switch {
		case to.responseURL != "":
			err = a.postResponse(ctx, to, r, i == 0 && to.replace)
		case i == 0 && editTS != "":
			ts, err = editTS, a.update(ctx, to, r, editTS)
			if err != nil && ctx.Err() == nil {
				a.logger.Warn("slack update failed; posting the result as a new message", "channel", to.channel, "err", err)
				ts, err = a.post(ctx, to, r)
			}
		default:
			ts, err = a.post(ctx, to, r)
		}
		if err != nil {
			if i > 0 {
				err = fmt.Errorf("part %d of %d: %w", i+1, len(parts), err)
			}
			return first, err
		}
		if i == 0 {
			first = ts
		}
	}
	a.metrics.Reply(bot.PlatformSlack, string(rep.Outcome))
	return first, nil
}

func msgOptions(r rendered) []slack.MsgOption {
	return []slack.MsgOption{
		slack.MsgOptionText(r.Text, false),
		slack.MsgOptionBlocks(r.Blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
}

// post sends one message with chat.postMessage, in its thread, paced.
func (a *Adapter) post(ctx context.Context, to target, r rendered) (string, error) {
	opts := msgOptions(r)
	if to.threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(to.threadTS))
	}
	if !to.unpaced {
		if err := a.pace(ctx, to.channel); err != nil {
			return "", err
		}
	}
	var ts string
	err := a.call(ctx, "chat.postMessage", func(ctx context.Context) error {
		var err error
		_, ts, err = a.api.PostMessageContext(ctx, to.channel, opts...)
		return err
	})
	return ts, err
}

// update replaces message ts with r (chat.update).
func (a *Adapter) update(ctx context.Context, to target, r rendered, ts string) error {
	return a.call(ctx, "chat.update", func(ctx context.Context) error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, to.channel, ts, msgOptions(r)...)
		return err
	})
}

// postResponse sends r, visible only to the asker, to a response_url.
func (a *Adapter) postResponse(ctx context.Context, to target, r rendered, replace bool) error {
	msg := &slack.WebhookMessage{
		Text:            r.Text,
		Blocks:          &slack.Blocks{BlockSet: r.Blocks},
		ResponseType:    slack.ResponseTypeEphemeral,
		ReplaceOriginal: replace,
		UnfurlLinks:     new(false),
		UnfurlMedia:     new(false),
	}
	return a.call(ctx, "response_url", func(ctx context.Context) error {
		return slack.PostWebhookCustomHTTPContext(ctx, to.responseURL, a.http, msg)
	})
}

// pace waits for channel's next posting slot, shared by every replica when
// the store is. A slot beyond the work's deadline (a channel flooded with
// questions) is not waited for.
func (a *Adapter) pace(ctx context.Context, channel string) error {
	wait := a.pacer.Reserve(ctx, work.Rule{Key: "slack:" + channel, Interval: a.paceInterval})
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		return fmt.Errorf("pace posts to %s: channel too busy, next slot in %s", channel, wait)
	}
	if err := a.sleep(ctx, wait); err != nil {
		return fmt.Errorf("pace posts to %s: %w", channel, err)
	}
	return nil
}

// call runs one Slack API call, waiting and retrying (up to maxTries
// attempts) when Slack rate-limits it. A final error is counted and
// returned, for the caller to log once; it is never shown to users.
func (a *Adapter) call(ctx context.Context, method string, fn func(ctx context.Context) error) error {
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			a.link.Up()
			return nil
		}
		if unreachable(err) {
			a.link.Down(fmt.Sprintf("%s: %v", method, err))
		}
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) && attempt < a.maxTries {
			wait := min(max(rl.RetryAfter, 0), maxRetryWait)
			if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > wait {
				a.metrics.Retry(bot.PlatformSlack)
				a.logger.Debug("slack rate limited; retrying", "method", method, "attempt", attempt, "wait", wait.String())
				if a.sleep(ctx, wait) == nil {
					continue
				}
			}
		}
		a.metrics.APIError(bot.PlatformSlack, method)
		return fmt.Errorf("slack %s (attempt %d): %w", method, attempt, err)
	}
}

// unreachable reports whether err says Slack could not be reached at all
// (a network failure or a server error), as opposed to Slack refusing one
// request.
func unreachable(err error) bool {
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code >= 500
	}
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue)
}

// responseURL returns raw if Slack may have issued it: an https URL on the
// default port of slack.com or one of its subdomains (hooks.slack.com,
// and others), or of GovSlack's slack-gov.com. Anything else is refused,
// so that user input can never make the bot POST to another host.
func responseURL(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.User != nil || u.Port() != "" || u.Opaque != "" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	for _, domain := range []string{"slack.com", "slack-gov.com"} {
		if host == domain || strings.HasSuffix(host, "."+domain) {
			return u.String(), true
		}
	}
	return "", false
}
