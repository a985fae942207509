package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/metrics"
	"github.com/beianbot/beianbot/internal/work"
)

// maxResponse bounds the size of one Bot API answer (a getUpdates batch of
// 100 updates is well under it).
const maxResponse = 32 << 20

// client makes Bot API calls: one form POST per call, sent with the call's
// own context, retrying rate-limited and transient failures a bounded
// number of times. No error it returns contains the request URL, which
// holds the token.
type client struct {
	endpoint string // format: token, method
	token    string
	hc       *http.Client
	retries  int
	sleep    func(ctx context.Context, d time.Duration) error
	metrics  *metrics.Metrics
	link     *work.Link
}

// do makes one call and returns its result.
func (c *client) do(ctx context.Context, method string, p url.Values) (json.RawMessage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf(c.endpoint, c.token, method), strings.NewReader(p.Encode()))
	if err != nil {
		// The parse error quotes the URL, token included.
		return nil, errors.New("the API endpoint and token do not form a valid URL")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the URL, token included
		}
		return nil, c.scrub(err)
	}
	defer resp.Body.Close()
	var r tgbotapi.APIResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(&r); err != nil {
		return nil, fmt.Errorf("decode the answer (HTTP %d): %w", resp.StatusCode, err)
	}
	if !r.Ok {
		var params tgbotapi.ResponseParameters
		if r.Parameters != nil {
			params = *r.Parameters
		}
		code := r.ErrorCode
		if code == 0 {
			code = resp.StatusCode
		}
		return nil, &tgbotapi.Error{Code: code, Message: r.Description, ResponseParameters: params}
	}
	return r.Result, nil
}

// scrub removes the token from an error's text, should a transport
// error ever quote it.
func (c *client) scrub(err error) error {
	if c.token == "" || !strings.Contains(err.Error(), c.token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), c.token, "<token>"))
}

// laterError says a call was refused for longer than the caller's
// deadline allows waiting: it can be made again after wait.
type laterError struct {
	wait time.Duration
	err  error
}

func (e *laterError) Error() string {
	return fmt.Sprintf("%v (retry in %s is past the deadline)", e.err, e.wait)
}

func (e *laterError) Unwrap() error { return e.err }

// call runs one method, retrying up to retries times on a 429 (after
// retry_after), a 5xx or a transport error (after a short backoff), as
// long as ctx allows. A wait past ctx's deadline ends in a *laterError.
func (c *client) call(ctx context.Context, method string, retries int, p url.Values) (json.RawMessage, error) {
	for attempt := 0; ; attempt++ {
		res, err := c.do(ctx, method, p)
		if err == nil {
			c.link.Up()
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("telegram %s: %w", method, err)
		}
		if unreachable(err) {
			c.link.Down(fmt.Sprintf("%s: %v", method, err))
		}
		c.metrics.APIError(bot.PlatformTelegram, method)
		wait, ok := retryDelay(err, attempt)
		if !ok || attempt >= retries {
			return nil, fmt.Errorf("telegram %s: %w", method, err)
		}
		if dl, has := ctx.Deadline(); has && time.Until(dl) < wait {
			return nil, fmt.Errorf("telegram %s: %w", method, &laterError{wait: wait, err: err})
		}
		c.metrics.Retry(bot.PlatformTelegram)
		if serr := c.sleep(ctx, wait); serr != nil {
			return nil, fmt.Errorf("telegram %s: %w (retry abandoned: %w)", method, err, serr)
		}
	}
}

// unreachable reports whether err says Telegram could not be reached, or
// refused the bot as a whole (a revoked token), as opposed to refusing one
// request.
func unreachable(err error) bool {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		return te.Code >= 500 || te.Code == http.StatusUnauthorized
	}
	return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
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

// outgoing is one message to send, or the new text of one to edit.
type outgoing struct {
	chatID    int64
	messageID int // the message to edit; 0 to send a new one
	text      string
	html      bool
	replyTo   int // the message to quote; 0 for none
	keyboard  *tgbotapi.InlineKeyboardMarkup
}

// params encodes o in the Bot API 7 fields: reply_parameters (quoting a
// message that may since have been deleted) and link_preview_options.
func (o outgoing) params() url.Values {
	p := url.Values{}
	p.Set("chat_id", strconv.FormatInt(o.chatID, 10))
	if o.messageID != 0 {
		p.Set("message_id", strconv.Itoa(o.messageID))
	}
	p.Set("text", o.text)
	if o.html {
		p.Set("parse_mode", tgbotapi.ModeHTML)
	}
	p.Set("link_preview_options", `{"is_disabled":true}`)
	if o.replyTo != 0 {
		p.Set("reply_parameters", fmt.Sprintf(`{"message_id":%d,"allow_sending_without_reply":true}`, o.replyTo))
	}
	if o.keyboard != nil {
		if kb, err := json.Marshal(o.keyboard); err == nil {
			p.Set("reply_markup", string(kb))
		}
	}
	return p
}

// sendMessage sends one message and returns it as Telegram stored it.
func (c *client) sendMessage(ctx context.Context, o outgoing) (tgbotapi.Message, error) {
	o.messageID = 0
	res, err := c.call(ctx, "sendMessage", c.retries, o.params())
	if err != nil {
		return tgbotapi.Message{}, err
	}
	var m tgbotapi.Message
	if err := json.Unmarshal(res, &m); err != nil {
		return tgbotapi.Message{}, fmt.Errorf("telegram sendMessage: decode result: %w", err)
	}
	return m, nil
}

// editMessageText replaces the text of a message the bot sent.
func (c *client) editMessageText(ctx context.Context, o outgoing) error {
	o.replyTo = 0
	_, err := c.call(ctx, "editMessageText", c.retries, o.params())
	return err
}

// answerCallback acknowledges a button press, showing text (when not
// empty) to the presser alone.
func (c *client) answerCallback(ctx context.Context, id, text string) error {
	p := url.Values{"callback_query_id": {id}}
	if text != "" {
		p.Set("text", text)
	}
	_, err := c.call(ctx, "answerCallbackQuery", c.retries, p)
	return err
}

// getMe returns the bot's own user, checking the token.
func (c *client) getMe(ctx context.Context) (tgbotapi.User, error) {
	res, err := c.call(ctx, "getMe", c.retries, url.Values{})
	if err != nil {
		return tgbotapi.User{}, err
	}
	var u tgbotapi.User
	if err := json.Unmarshal(res, &u); err != nil {
		return tgbotapi.User{}, fmt.Errorf("telegram getMe: decode result: %w", err)
	}
	return u, nil
}

// getUpdates long-polls for updates from offset, without retries: the
// polling loop has its own backoff.
func (c *client) getUpdates(ctx context.Context, offset, limit int, timeout time.Duration) ([]tgbotapi.Update, error) {
	p := url.Values{}
	if offset != 0 {
		p.Set("offset", strconv.Itoa(offset))
	}
	p.Set("limit", strconv.Itoa(limit))
	if s := int(timeout / time.Second); s > 0 {
		p.Set("timeout", strconv.Itoa(s))
	}
	p.Set("allowed_updates", allowedUpdatesJSON)
	res, err := c.call(ctx, "getUpdates", 0, p)
	if err != nil {
		return nil, err
	}
	var ups []tgbotapi.Update
	if err := json.Unmarshal(res, &ups); err != nil {
		return nil, fmt.Errorf("telegram getUpdates: decode result: %w", err)
	}
	return ups, nil
}

// allowedUpdatesJSON names the update kinds the adapter asks Telegram for.
const allowedUpdatesJSON = `["message","callback_query"]`

// raw calls a Bot API method with hand-made parameters.
func (c *client) raw(ctx context.Context, method string, p url.Values) error {
	if p == nil {
		p = url.Values{}
	}
	_, err := c.call(ctx, method, c.retries, p)
	return err
}
