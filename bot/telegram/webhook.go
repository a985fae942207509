package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/beianbot/beianbot/bot"
)

// maxWebhookBody bounds an update's size; real ones are a few kilobytes.
const maxWebhookBody = 1 << 20

// secretHeader carries the webhook secret registered with setWebhook.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// serveWebhook receives one update: it checks the secret before reading
// anything, answers 200 as soon as the update is accepted, and handles it
// after (an update_id already seen is then dropped). When every worker is
// busy and the queue full, it waits up to Config.WebhookWait for room; then, or
// at once when the adapter is shutting down, it answers 503, so that
// Telegram delivers the update again later.
func (a *Adapter) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get(secretHeader)
	if got == "" {
		http.Error(w, "missing secret token", http.StatusUnauthorized)
		return
	}
	if !sameSecret(got, a.secret.Reveal()) {
		http.Error(w, "wrong secret token", http.StatusForbidden)
		return
	}
	u, err := decodeUpdate(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		status := http.StatusBadRequest
		if errors.As(err, new(*http.MaxBytesError)) {
			status = http.StatusRequestEntityTooLarge
		}
		a.logger.Warn("telegram webhook body rejected", "status", status, "err", err)
		http.Error(w, "bad update", status)
		return
	}
	// While the pool is full the request waits a little for room, which
	// slows Telegram down (it sends at most max_connections at once);
	// after that, 503 makes it deliver the update again later.
	wctx, cancel := context.WithTimeout(r.Context(), a.webhookWait)
	defer cancel()
	if !a.pool.SubmitWait(wctx, a.updateJob(u, func() {})) {
		a.metrics.WorkRefused(bot.PlatformTelegram)
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// decodeUpdate reads one update from a webhook body.
func decodeUpdate(body io.Reader) (tgbotapi.Update, error) {
	data, err := io.ReadAll(body)
	if err != nil {
		return tgbotapi.Update{}, fmt.Errorf("read update: %w", err)
	}
	var u tgbotapi.Update
	if err := json.Unmarshal(data, &u); err != nil {
		return tgbotapi.Update{}, fmt.Errorf("decode update: %w", err)
	}
	if u.UpdateID <= 0 {
		return tgbotapi.Update{}, errors.New("decode update: no update_id")
	}
	return u, nil
}

// sameSecret compares in constant time; hashing first hides the length too.
func sameSecret(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return want != "" && subtle.ConstantTimeCompare(g[:], w[:]) == 1
}
