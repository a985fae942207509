package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/metrics"
)

// client makes Bot API calls through the library with a context per call,
// retrying rate-limited and transient failures a bounded number of times.
type client struct {
	base    tgbotapi.BotAPI // Client is set per call
	hc      *http.Client
	token   string
	retries int
	sleep   func(ctx context.Context, d time.Duration) error
	metrics *metrics.Metrics
}

// ctxDoer is the library's HTTP client for one call: it sends the request
// with that call's context, so a call never outlives it, and strips the URL
// (which holds the token) from transport errors.
type ctxDoer struct {
	ctx   context.Context
	hc    *http.Client
	token string
}

// Do implements tgbotapi.HTTPClient.
func (d ctxDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.hc.Do(req.WithContext(d.ctx))
	if err == nil {
		return resp, nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		method := path.Base(req.URL.Path)
		if d.token != "" && strings.Contains(method, d.token) {
			method = "request"
		}
		return nil, fmt.Errorf("%s %s: %w", ue.Op, method, ue.Err)
	}
	return nil, err
}

// bot returns a copy of the library's BotAPI whose requests carry ctx.
func (c *client) bot(ctx context.Context) *tgbotapi.BotAPI {
	b := c.base
	b.Client = ctxDoer{ctx: ctx, hc: c.hc, token: c.token}
	return &b
}

// call runs f, retrying up to retries times on a 429 (after retry_after),
// a 5xx or a transport error (after a short backoff), as long as ctx allows.
func (c *client) call(ctx context.Context, method string, retries int, f func(*tgbotapi.BotAPI) (*tgbotapi.APIResponse, error)) (*tgbotapi.APIResponse, error) {
	for attempt := 0; ; attempt++ {
		resp, err := f(c.bot(ctx))
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("telegram %s: %w", method, err)
		}
		c.metrics.APIError(bot.PlatformTelegram, method)
		wait, ok := retryDelay(err, attempt)
		if !ok || attempt >= retries {
			return resp, fmt.Errorf("telegram %s: %w", method, err)
		}
		if dl, has := ctx.Deadline(); has && time.Until(dl) < wait {
			return resp, fmt.Errorf("telegram %s: %w (retry in %s is past the deadline)", method, err, wait)
		}
		c.metrics.Retry(bot.PlatformTelegram)
		if serr := c.sleep(ctx, wait); serr != nil {
			return resp, fmt.Errorf("telegram %s: %w (retry abandoned: %w)", method, err, serr)
		}
	}
}

// retryDelay says whether err is worth retrying and after how long.
func retryDelay(err error, attempt int) (time.Duration, bool) {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		switch {
		case te.RetryAfter > 0:
			return time.Duration(te.RetryAfter) * time.Second, true
		case te.Code >= 500:
			return backoff(attempt, 500*time.Millisecond, 5*time.Second), true
		}
		return 0, false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return 0, false
	}
	return backoff(attempt, 500*time.Millisecond, 5*time.Second), true
}

// backoff doubles base per attempt, up to max.
func backoff(attempt int, base, max time.Duration) time.Duration {
	d := base
	for i := 0; i < attempt && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}

// apiErr returns the Bot API error in err, if there is one.
func apiErr(err error) *tgbotapi.Error {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		return te
	}
	return nil
}

// entitiesRefused reports whether Telegram rejected a message's formatting.
func entitiesRefused(err error) bool {
	te := apiErr(err)
	return te != nil && te.Code == http.StatusBadRequest &&
		strings.Contains(strings.ToLower(te.Message), "can't parse entities")
}

// notModified reports whether an edit failed only because nothing changed.
func notModified(err error) bool {
	te := apiErr(err)
	return te != nil && strings.Contains(strings.ToLower(te.Message), "message is not modified")
}

// sendMessage sends one message and returns it as Telegram stored it.
func (c *client) sendMessage(ctx context.Context, cfg tgbotapi.MessageConfig) (tgbotapi.Message, error) {
	resp, err := c.call(ctx, "sendMessage", c.retries, func(b *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		return b.Request(cfg)
	})
	if err != nil {
		return tgbotapi.Message{}, err
	}
	var m tgbotapi.Message
	if err := json.Unmarshal(resp.Result, &m); err != nil {
		return tgbotapi.Message{}, fmt.Errorf("telegram sendMessage: decode result: %w", err)
	}
	return m, nil
}

// editMessageText replaces the text of a message the bot sent.
func (c *client) editMessageText(ctx context.Context, cfg tgbotapi.EditMessageTextConfig) error {
	_, err := c.call(ctx, "editMessageText", c.retries, func(b *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		return b.Request(cfg)
	})
	return err
}

// answerCallback acknowledges a button press, showing text (when not
// empty) to the presser alone. It goes through Request: Send would try to
// decode the result (true) as a Message and fail.
func (c *client) answerCallback(ctx context.Context, id, text string) error {
	_, err := c.call(ctx, "answerCallbackQuery", c.retries, func(b *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		return b.Request(tgbotapi.NewCallback(id, text))
	})
	return err
}

// getUpdates long-polls for updates from offset, without retries: the
// polling loop has its own backoff.
func (c *client) getUpdates(ctx context.Context, offset, limit int, timeout time.Duration) ([]tgbotapi.Update, error) {
	cfg := tgbotapi.UpdateConfig{
		Offset:         offset,
		Limit:          limit,
		Timeout:        int(timeout / time.Second),
		AllowedUpdates: allowedUpdates(),
	}
	var ups []tgbotapi.Update
	_, err := c.call(ctx, "getUpdates", 0, func(b *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		resp, err := b.Request(cfg)
		if err == nil {
			err = json.Unmarshal(resp.Result, &ups)
		}
		return resp, err
	})
	return ups, err
}

// allowedUpdates are the update kinds the adapter asks Telegram for.
func allowedUpdates() []string { return []string{"message", "callback_query"} }

// raw calls a Bot API method with hand-made parameters.
func (c *client) raw(ctx context.Context, method string, p tgbotapi.Params) error {
	_, err := c.call(ctx, method, c.retries, func(b *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		return b.MakeRequest(method, p)
	})
	return err
}
