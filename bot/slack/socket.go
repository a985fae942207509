package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Reconnect backoff of the Socket Mode loop, when the client gives up (the
// client itself already retries a failed dial with backoff).
const (
	minReconnect = time.Second
	maxReconnect = 2 * time.Minute
	// ackTimeout bounds the wait to queue one acknowledgement; Slack
	// redelivers an envelope that is not acknowledged within 3 s anyway.
	ackTimeout = 2 * time.Second
)

// runSocket holds the Socket Mode connection until ctx ends: one goroutine
// drains the client's events, the other runs (and re-runs) the client.
func (a *Adapter) runSocket(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-a.socket.Events:
				a.onSocketEvent(ctx, evt)
			}
		}
	}()
	wait := minReconnect
	for {
		start := time.Now()
		err := a.socket.RunContext(ctx)
		if ctx.Err() != nil {
			break
		}
		if time.Since(start) > maxReconnect {
			wait = minReconnect
		}
		a.link.Down(fmt.Sprintf("socket mode: %v", err))
		a.logger.Error("slack socket mode stopped; reconnecting", "err", err, "wait", wait.String())
		if a.sleep(ctx, wait) != nil {
			break
		}
		wait = min(2*wait, maxReconnect)
	}
	<-done
}

// onSocketEvent queues an envelope's work and acknowledges it at once; it
// never waits for the work. An envelope whose work cannot be queued (the
// queue is full, or the adapter is shutting down) is not acknowledged, so
// Slack delivers it again.
func (a *Adapter) onSocketEvent(ctx context.Context, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		a.logger.Debug("slack socket mode connecting")
	case socketmode.EventTypeConnected:
		a.link.Up()
		a.logger.Info("slack socket mode connected")
	case socketmode.EventTypeConnectionError:
		if e, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
			a.link.Down(fmt.Sprintf("socket mode connection: %v", e.ErrorObj))
			a.logger.Warn("slack socket mode connection failed; retrying", "attempt", e.Attempt, "wait", e.Backoff.String(), "err", e.ErrorObj)
		}
	case socketmode.EventTypeInvalidAuth:
		a.link.Down("socket mode: the app-level token was rejected")
		a.logger.Error("slack socket mode: the app-level token was rejected")
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		a.logger.Warn("slack socket mode connection error", "type", string(evt.Type))
	case socketmode.EventTypeErrorBadMessage:
		// An envelope the client could not parse: acknowledge it anyway so
		// Slack does not redeliver it forever.
		if e, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			var env struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if json.Unmarshal(e.Message, &env) == nil && env.EnvelopeID != "" {
				a.ack(ctx, env.EnvelopeID, nil)
			}
			a.logger.Warn("slack socket mode: unreadable envelope", "err", e.Cause)
		}
	case socketmode.EventTypeEventsAPI:
		if evt.Request == nil {
			return
		}
		cb, err := parseCallback(evt.Request.Payload)
		if err == nil && cb.Type == "event_callback" {
			if j, ok := a.eventJob(cb); ok && !a.submit(j) {
				// Not acknowledged: Slack redelivers it, maybe to another replica.
				a.logger.Warn("slack event refused: too busy or shutting down", "event_id", cb.EventID)
				return
			}
		}
		a.ack(ctx, evt.Request.EnvelopeID, nil)
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		if j, ok := a.commandJob(cmd); ok && !a.submit(j) {
			a.ack(ctx, evt.Request.EnvelopeID, busyMessage())
			return
		}
		a.ack(ctx, evt.Request.EnvelopeID, nil)
	case socketmode.EventTypeInteractive:
		if evt.Request == nil {
			return
		}
		cb, ok := evt.Data.(slack.InteractionCallback)
		if value, pressed := suggestion(cb); ok && pressed {
			if j, ok := a.pressJob(cb, value, evt.Request.Payload); ok && !a.submit(j) {
				a.logger.Warn("slack button press refused: too busy or shutting down", "channel", cb.Channel.ID)
				return
			}
		}
		a.ack(ctx, evt.Request.EnvelopeID, nil)
	}
}

// ack acknowledges one envelope, with an optional response payload.
func (a *Adapter) ack(ctx context.Context, envelopeID string, payload any) {
	if envelopeID == "" {
		return
	}
	actx, cancel := context.WithTimeout(ctx, ackTimeout)
	defer cancel()
	if err := a.socket.AckCtx(actx, envelopeID, payload); err != nil {
		a.logger.Warn("slack socket mode ack failed", "envelope_id", envelopeID, "err", err)
	}
}
