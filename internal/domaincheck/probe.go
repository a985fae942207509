package domaincheck

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/beianbot/beianbot/internal/ipregion"
)

// maxBody is how much of a response body a probe reads.
const maxBody = 256 << 10

// maxHeader is how much of a Server or Location header a Probe keeps.
const maxHeader = 512

// userAgent identifies the probes.
const userAgent = "beianbot-check/1 (+https://github.com/beianbot/beianbot)"

// ErrNotPublic is returned when a probe would connect to an address that is
// not public (see ipregion.Public).
var ErrNotPublic = errors.New("refusing to connect to a non-public address")

// Probe is what one HTTP or HTTPS request saw.
type Probe struct {
	// Status is the HTTP status code, 0 when there was no response.
	Status int `json:"status"`
	// Blocked is true when the response is a filing interception page.
	Blocked bool `json:"blocked"`
	// Address is the address the request was sent to.
	Address string `json:"address,omitempty"`
	// URL is the URL requested.
	URL string `json:"url,omitempty"`
	// Server and Location are the response headers of those names.
	Server   string `json:"server,omitempty"`
	Location string `json:"location,omitempty"`
	// Title is the page title.
	Title string `json:"title,omitempty"`
	// BlockedBy names the interception page's provider (alibaba_cloud,
	// tencent_cloud, filing_notice) and Evidence what gave it away.
	BlockedBy string `json:"blocked_by,omitempty"`
	Evidence  string `json:"evidence,omitempty"`
	// Error says why there was no response: timeout, connection reset,
	// connection refused, tls error, ...
	Error string `json:"error,omitempty"`
	// ElapsedMS is how long the request took.
	ElapsedMS int64 `json:"elapsed_ms"`

	numbers []Number
}

// answered reports whether the server sent an HTTP response.
func (p *Probe) answered() bool { return p != nil && p.Status > 0 }

// dialer connects only to addresses allow accepts. It checks the address
// it is asked for and, in the socket's Control hook, the address the socket
// actually connects to, so nothing between the two (a resolver, a rewrite)
// can slip a non-public address past it.
type dialer struct {
	allow   func(netip.Addr) bool
	timeout time.Duration
	// route rewrites the address dialled; tests use it to send a "public"
	// address's bytes to a loopback server. nil in production.
	route func(address string) string
}

// DialContext dials address, which must be a literal ip:port.
func (d dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !d.allow(ap.Addr()) {
		return nil, fmt.Errorf("dial %s: %w", address, ErrNotPublic)
	}
	if d.route != nil {
		address = d.route(address)
	}
	nd := net.Dialer{Timeout: d.timeout, Control: func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !d.allow(ap.Addr()) {
			return ErrNotPublic
		}
		return nil
	}}
	return nd.DialContext(ctx, network, address)
}

// publicOnly is the production allow function.
func publicOnly(a netip.Addr) bool { return ipregion.Public(a) }

// probe sends GET / to ip for host over scheme ("http" or "https"), with
// host as the Host header and TLS server name. It follows no redirect and
// reads at most maxBody bytes.
func (d dialer) probe(ctx context.Context, scheme, host string, ip netip.Addr, timeout time.Duration) *Probe {
	start := time.Now()
	port := uint16(80)
	if scheme == "https" {
		port = 443
	}
	target := netip.AddrPortFrom(ip, port).String()
	hostport := host
	if a, err := netip.ParseAddr(host); err == nil && a.Is6() {
		hostport = "[" + host + "]"
	}
	p := &Probe{Address: ip.String(), URL: scheme + "://" + hostport + "/"}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, target)
		},
		// The probe wants to see what the server shows, whatever its
		// certificate: interception pages are served with the host's.
		TLSClientConfig:        &tls.Config{ServerName: host, InsecureSkipVerify: true}, //nolint:gosec // diagnostic probe, nothing is sent
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  timeout,
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 64 << 10,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL, nil)
	if err != nil {
		p.Error = "bad request"
		return p
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "text/html,*/*;q=0.8")
	resp, err := client.Do(req)
	if err != nil {
		p.Error = describe(err)
		p.ElapsedMS = time.Since(start).Milliseconds()
		return p
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	p.Status = resp.StatusCode
	p.Server = clip(resp.Header.Get("Server"), maxHeader)
	p.Location = clip(resp.Header.Get("Location"), maxHeader)
	p.Title = pageTitle(string(body))
	p.BlockedBy, p.Evidence = interception(resp.StatusCode, resp.Header.Get("Server"), resp.Header.Get("Location"), body)
	p.Blocked = p.BlockedBy != ""
	if !p.Blocked {
		p.numbers = numbers(body)
	}
	p.ElapsedMS = time.Since(start).Milliseconds()
	return p
}

// describe turns a request error into a short, stable description.
func describe(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, ErrNotPublic):
		return "refused: not a public address"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	case errors.As(err, new(tls.RecordHeaderError)), errors.As(err, new(tls.AlertError)):
		return "tls error"
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return "network error: " + oe.Op
	}
	return "error"
}

// clip cuts s to at most max bytes, at a character boundary.
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
