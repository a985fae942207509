package domaincheck

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/width"
)

// MaxInput is the longest input Parse looks at, in bytes.
const MaxInput = 2048

// InputError is bad input: something that is not a domain name, URL or IP
// address. Reason is a short English description fit to show a user.
type InputError struct {
	Input  string
	Reason string
}

// Error says why the input was refused.
func (e *InputError) Error() string { return "not a domain, URL or IP address: " + e.Reason }

// IsInputError reports whether err is, or wraps, an *InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

// Target is a parsed input: a domain name or an IP address.
type Target struct {
	// Input is what the user gave, unchanged.
	Input string
	// Domain is the host name in Unicode ("例子.中国"), without a trailing dot;
	// for an IP address, its text form.
	Domain string
	// ASCII is the host name in ASCII (punycode) form ("xn--fsqu00a.xn--fiqs8s");
	// for an IP address, its text form.
	ASCII string
	// IP is set when the input is an IP address.
	IP netip.Addr
}

// IsIP reports whether the target is an IP address.
func (t Target) IsIP() bool { return t.IP.IsValid() }

// Parse reduces input to the host it names: a bare domain, an IDN, a URL
// with scheme, port, path, query or userinfo, a host with a trailing dot,
// full-width characters, or an IP address (IPv6 bracketed or not). It
// returns an *InputError for anything else.
func Parse(input string) (Target, error) {
	bad := func(format string, args ...any) (Target, error) {
		return Target{}, &InputError{Input: input, Reason: fmt.Sprintf(format, args...)}
	}
	if len(input) > MaxInput {
		return bad("longer than %d bytes", MaxInput)
	}
	if !utf8.ValidString(input) {
		return bad("not valid UTF-8")
	}
	s := strings.TrimSpace(input)
	if s == "" {
		return bad("empty")
	}
	// Full-width letters, digits and punctuation become ASCII; ideographic
	// full stops become dots.
	if !isASCII(s) {
		s = width.Fold.String(s)
		for _, dot := range [...]string{"。", "｡", "．"} {
			s = strings.ReplaceAll(s, dot, ".")
		}
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == unicode.ReplacementChar {
			return bad("contains spaces or control characters")
		}
	}
	host := s
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return ipTarget(input, a)
	}
	if strings.ContainsAny(s, "/:@?#") {
		raw := s
		if i := strings.IndexByte(s, ':'); i > 0 && !strings.Contains(s, "://") && !strings.HasPrefix(s, "[") &&
			(i+1 == len(s) || s[i+1] < '0' || s[i+1] > '9') && !strings.Contains(s[:i], "@") {
			return bad("unsupported URL scheme %q", s[:i])
		}
		if !strings.Contains(s, "://") {
			raw = "http://" + strings.TrimPrefix(s, "//")
		}
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return bad("not a valid URL")
		}
		switch strings.ToLower(u.Scheme) {
		case "http", "https", "ws", "wss", "ftp":
		default:
			return bad("unsupported URL scheme %q", u.Scheme)
		}
		if p := u.Port(); p != "" && !validPort(p) {
			return bad("bad port %q", p)
		}
		host = u.Hostname()
		if a, err := netip.ParseAddr(host); err == nil {
			return ipTarget(input, a)
		}
	}
	host = strings.TrimSuffix(host, ".")
	if host == "" {
		return bad("no host name")
	}
	ascii, err := idna.Lookup.ToASCII(host)
	if err != nil {
		return bad("not a valid domain name")
	}
	ascii = strings.ToLower(ascii)
	if len(ascii) > 253 {
		return bad("domain name longer than 253 characters")
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return bad("a domain name needs at least two labels, like example.com")
	}
	for _, l := range labels {
		switch {
		case l == "":
			return bad("empty label in domain name")
		case len(l) > 63:
			return bad("label longer than 63 characters")
		case strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "":
			return bad("invalid character in domain name")
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return bad("numeric top-level domain")
	}
	uni, err := idna.Lookup.ToUnicode(ascii)
	if err != nil {
		return bad("not a valid domain name")
	}
	return Target{Input: input, Domain: uni, ASCII: ascii}, nil
}

func ipTarget(input string, a netip.Addr) (Target, error) {
	if a.Zone() != "" {
		return Target{}, &InputError{Input: input, Reason: "IPv6 zone in address"}
	}
	a = a.Unmap()
	return Target{Input: input, Domain: a.String(), ASCII: a.String(), IP: a}, nil
}

func validPort(p string) bool {
	if len(p) > 5 {
		return false
	}
	n := 0
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n > 0 && n <= 65535
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
