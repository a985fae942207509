// Package httpserver is beianbot's one HTTP server: the chat platforms'
// webhooks, the readiness check GET /healthz and Prometheus' GET /metrics.
package httpserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
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
	mux    *http.ServeMux
	srv    *http.Server
	logger *slog.Logger
	state  atomic.Int32
}

// Config configures a Server.
type Config struct {
	// Metrics is exposed on GET /metrics; nil serves no /metrics.
	Metrics *metrics.Metrics
	// Logger may be nil (nothing is logged).
	Logger *slog.Logger
}

// New returns a server that answers /healthz with 503 until SetReady.
func New(cfg Config) *Server {
	s := &Server{mux: http.NewServeMux(), logger: cfg.Logger}
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
	}
	return s
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

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	switch s.state.Load() {
	case stateReady:
		io.WriteString(w, "ok\n")
	case stateDraining:
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "shutting down\n")
	default:
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "starting\n")
	}
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
// handled still gets its acknowledgement.
func (s *Server) Shutdown(ctx context.Context) error {
	s.Drain()
	if err := s.srv.Shutdown(ctx); err != nil {
		s.srv.Close()
		return fmt.Errorf("http shutdown: %w", err)
	}
	return nil
}

// slogPrinter lets promhttp report errors through slog.
type slogPrinter struct{ logger *slog.Logger }

// Println sends a line of the standard logger to slog.
func (p slogPrinter) Println(v ...any) {
	p.logger.Warn("metrics: " + strings.TrimSuffix(fmt.Sprintln(v...), "\n"))
}
