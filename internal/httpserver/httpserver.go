// Package httpserver is beianbot's one HTTP server: the chat platforms'
// webhooks, the readiness check GET /healthz and Prometheus' GET /metrics.
package httpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/beianbot/beianbot/internal/metrics"
)

// Readiness states, as /healthz reports them.
const (
	stateStarting int32 = iota // the FAQ is not loaded yet: 503
	stateReady                 // 200
	stateDraining              // shutdown has begun: 503
)

// Server is the HTTP server. Create it with New, mount the adapters' routes,
// call SetReady once the FAQ is loaded, and Serve.
type Server struct {
	mux       *http.ServeMux
	srv       *http.Server
	logger    *slog.Logger
	state     atomic.Int32
	adapters  func() []AdapterState
	downAfter time.Duration

	mu    sync.Mutex
	conns map[net.Conn]http.ConnState // open connections not idle
}

// Config configures a Server.
type Config struct {
	// Metrics is exposed on GET /metrics; nil serves no /metrics.
	Metrics *metrics.Metrics
	// Logger may be nil (nothing is logged).
	Logger *slog.Logger
	// Adapters reports the chat adapters' links for /healthz; nil for none.
	Adapters func() []AdapterState
	// DownAfter is how long an adapter may be unable to reach its platform
	// before /healthz answers 503 (default 5 minutes).
	DownAfter time.Duration
}

// AdapterState is one chat adapter's link to its platform, as /healthz
// reports it.
type AdapterState struct {
	Platform  string    `json:"platform"`
	Connected bool      `json:"connected"`
	Since     time.Time `json:"since"`
	LastError string    `json:"last_error,omitempty"`
}

// health is the body of /healthz.
type health struct {
	Status   string         `json:"status"`
	Adapters []AdapterState `json:"adapters"`
}

// Health statuses.
const (
	StatusOK          = "ok"
	StatusStarting    = "starting"
	StatusDraining    = "shutting down"
	StatusUnreachable = "platform unreachable"
)

// New returns a server that answers /healthz with 503 until SetReady.
func New(cfg Config) *Server {
	s := &Server{mux: http.NewServeMux(), logger: cfg.Logger, adapters: cfg.Adapters, downAfter: cfg.DownAfter,
		conns: map[net.Conn]http.ConnState{}}
	if s.downAfter <= 0 {
		s.downAfter = 5 * time.Minute
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	if cfg.Metrics != nil {
		s.mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Metrics.Registry, promhttp.HandlerOpts{
			ErrorLog: slogPrinter{s.logger},
		}))
	}
	s.srv = &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
		ConnState:         s.track,
	}
	return s
}

// track keeps the set of connections that are reading or serving a request.
func (s *Server) track(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch st {
	case http.StateNew, http.StateActive:
		s.conns[c] = st
	default:
		delete(s.conns, c)
	}
}

// busy returns how many connections are reading or serving a request.
func (s *Server) busy() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Mount serves each handler in routes for POST requests to its path, as
// adapters return them from Routes. It must be called before Serve.
func (s *Server) Mount(routes map[string]http.Handler) {
	for path, h := range routes {
		s.mux.Handle("POST "+path, h)
	}
}

// Handler returns the server's routes, for tests and for embedding.
func (s *Server) Handler() http.Handler { return s.mux }

// SetReady makes /healthz answer 200, unless shutdown has begun.
func (s *Server) SetReady() { s.state.CompareAndSwap(stateStarting, stateReady) }

// Drain makes /healthz answer 503 "shutting down" from now on, so that load
// balancers stop sending work here; the server keeps serving until Shutdown.
func (s *Server) Drain() { s.state.Store(stateDraining) }

// healthz answers 200 while the server is ready and every adapter reaches
// its platform, or has been unable to for less than DownAfter; 503
// otherwise. The JSON body says why and gives each adapter's state.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	h := health{Status: StatusStarting, Adapters: []AdapterState{}}
	if s.adapters != nil {
		h.Adapters = append(h.Adapters, s.adapters()...)
	}
	switch s.state.Load() {
	case stateReady:
		h.Status = StatusOK
		now := time.Now()
		for _, a := range h.Adapters {
			if !a.Connected && now.Sub(a.Since) >= s.downAfter {
				h.Status = StatusUnreachable
			}
		}
	case stateDraining:
		h.Status = StatusDraining
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if h.Status != StatusOK {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	b, _ := json.Marshal(h)
	w.Write(append(b, '\n'))
}

// Serve accepts connections on ln until Shutdown. It returns nil after a
// Shutdown and the listener's error otherwise.
func (s *Server) Serve(ln net.Listener) error {
	if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http serve: %w", err)
	}
	return nil
}

// Shutdown marks the server draining, stops accepting connections and waits,
// until ctx ends, for requests in progress to be answered: a webhook being
// handled still gets its acknowledgement. Connections still reading or
// serving a request when ctx ends are closed; it returns how many.
func (s *Server) Shutdown(ctx context.Context) (cut int) {
	s.Drain()
	if err := s.srv.Shutdown(ctx); err != nil {
		cut = s.busy()
		s.srv.Close()
	}
	return cut
}

// slogPrinter lets promhttp report errors through slog.
type slogPrinter struct{ logger *slog.Logger }

// Println sends a line of the standard logger to slog.
func (p slogPrinter) Println(v ...any) {
	p.logger.Warn("metrics: " + strings.TrimSuffix(fmt.Sprintln(v...), "\n"))
}
