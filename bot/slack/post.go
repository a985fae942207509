package slack

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/beianbot/beianbot/bot"
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

// reply delivers rep, and then the result of its FollowUp.
func (a *Adapter) reply(ctx context.Context, to target, rep bot.Reply) {
	if rep.Silent() {
		return
	}
	ts, err := a.deliver(ctx, to, rep, "")
	if err != nil || rep.FollowUp == nil {
		return
	}
	fctx, cancel := context.WithTimeout(ctx, a.followUpTimeout)
	res := rep.FollowUp(fctx)
	cancel()
	if res.Silent() {
		return
	}
	to.replace = false
	a.deliver(ctx, to, res, ts) //nolint:errcheck // deliver logs and counts its errors
}

// deliver posts rep to its target and returns the posted message's ts.
// When editTS is set and the target is a channel, that message is edited
// instead. Errors are logged and counted here, once.
func (a *Adapter) deliver(ctx context.Context, to target, rep bot.Reply, editTS string) (string, error) {
	r := render(rep)
	if len(r.Blocks) == 0 {
		a.logger.Warn("slack reply with nothing to show; not sent", "channel", to.channel, "outcome", string(rep.Outcome))
		return "", errors.New("empty reply")
	}
	if to.responseURL != "" {
		msg := &slack.WebhookMessage{
			Text:            r.Text,
			Blocks:          &slack.Blocks{BlockSet: r.Blocks},
			ResponseType:    slack.ResponseTypeEphemeral,
			ReplaceOriginal: to.replace,
			UnfurlLinks:     new(false),
			UnfurlMedia:     new(false),
		}
		err := a.call(ctx, to.channel, "response_url", func(ctx context.Context) error {
			return slack.PostWebhookCustomHTTPContext(ctx, to.responseURL, a.http, msg)
		})
		if err == nil {
			a.metrics.Reply(bot.PlatformSlack, string(rep.Outcome))
		}
		return "", err
	}
	opts := []slack.MsgOption{
		slack.MsgOptionText(r.Text, false),
		slack.MsgOptionBlocks(r.Blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
	var ts string
	var err error
	if editTS != "" {
		ts = editTS
		err = a.call(ctx, to.channel, "chat.update", func(ctx context.Context) error {
			_, _, _, err := a.api.UpdateMessageContext(ctx, to.channel, editTS, opts...)
			return err
		})
	} else {
		if to.threadTS != "" {
			opts = append(opts, slack.MsgOptionTS(to.threadTS))
		}
		if err := a.pace(ctx, to.channel); err != nil {
			return "", err
		}
		err = a.call(ctx, to.channel, "chat.postMessage", func(ctx context.Context) error {
			var err error
			_, ts, err = a.api.PostMessageContext(ctx, to.channel, opts...)
			return err
		})
	}
	if err == nil {
		a.metrics.Reply(bot.PlatformSlack, string(rep.Outcome))
	}
	return ts, err
}

// pace waits for channel's next posting slot. A slot beyond the work's
// deadline (a channel flooded with questions) is not waited for: the reply
// is dropped and logged.
func (a *Adapter) pace(ctx context.Context, channel string) error {
	wait := a.pacer.reserve(channel)
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		a.logger.Warn("slack channel too busy; reply dropped", "channel", channel, "wait", wait)
		return fmt.Errorf("pace posts to %s: next slot in %v", channel, wait)
	}
	if err := a.sleep(ctx, wait); err != nil {
		a.logger.Warn("slack reply dropped while waiting to post", "channel", channel, "err", err)
		return fmt.Errorf("pace posts to %s: %w", channel, err)
	}
	return nil
}

// call runs one Slack API call, waiting and retrying (up to maxTries
// attempts) when Slack rate-limits it. A final error is logged with the
// channel and counted, and returned for the caller to stop on; it is
// never shown to users.
func (a *Adapter) call(ctx context.Context, channel, method string, fn func(ctx context.Context) error) error {
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) && attempt < a.maxTries {
			wait := min(max(rl.RetryAfter, 0), maxRetryWait)
			if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > wait {
				a.metrics.Retry(bot.PlatformSlack)
				a.logger.Debug("slack rate limited; retrying", "method", method, "channel", channel, "wait", wait)
				if a.sleep(ctx, wait) == nil {
					continue
				}
			}
		}
		a.metrics.APIError(bot.PlatformSlack, method)
		a.logger.Warn("slack api call failed", "method", method, "channel", channel, "attempt", attempt, "err", err)
		return fmt.Errorf("slack %s in %s: %w", method, channel, err)
	}
}

// responseURL returns raw if Slack may have issued it: an https URL on
// hooks.slack.com, or on the configured Web API host (the fake in tests).
// Anything else is refused so user input can never make the bot POST to an
// arbitrary host.
func (a *Adapter) responseURL(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Host == "" {
		return "", false
	}
	host := strings.ToLower(u.Host)
	switch {
	case u.Scheme == "https" && host == "hooks.slack.com":
		return u.String(), true
	case u.Scheme == a.apiURL.Scheme && host == strings.ToLower(a.apiURL.Host):
		return u.String(), true
	}
	return "", false
}
