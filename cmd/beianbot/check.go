package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/internal/domaincheck"
)

// resolvConf is where the system's DNS server is read from when
// BEIANBOT_DNS_SERVER is not set.
const resolvConf = "/etc/resolv.conf"

// newChecker returns the domain checker the bot uses: it asks
// BEIANBOT_DNS_SERVER, or the first name server of /etc/resolv.conf. With
// neither, IP addresses are still checked and names get dns_error.
func newChecker(getenv func(string) string, d deps) (bot.Checker, error) {
	server, err := dnsServer(getenv)
	if err != nil {
		return nil, err
	}
	if server == "" && d.logger != nil {
		d.logger.Warn("domain check cannot resolve names: no BEIANBOT_DNS_SERVER and no nameserver in " + resolvConf)
	}
	c, err := domaincheck.New(domaincheck.Config{DNSServer: server})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// dnsServer returns BEIANBOT_DNS_SERVER as host:port (port 53 when left
// out), or the system's server, or "" when there is none.
func dnsServer(getenv func(string) string) (string, error) {
	s := strings.TrimSpace(getenv("BEIANBOT_DNS_SERVER"))
	if s == "" {
		sys, err := domaincheck.SystemDNSServer(resolvConf)
		if err != nil {
			return "", nil
		}
		return sys, nil
	}
	if host, port, err := net.SplitHostPort(s); err == nil && host != "" && port != "" {
		return s, nil
	}
	if h := strings.Trim(s, "[]"); h != "" && !strings.ContainsAny(h, " /") {
		return net.JoinHostPort(h, "53"), nil
	}
	return "", usagef("BEIANBOT_DNS_SERVER %q: want host:port", s)
}

// cmdCheck is "beianbot check [--json] [--lang zh|en] INPUT".
func cmdCheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	asJSON, lang := false, "zh"
	var inputs []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			inputs = append(inputs, args[i+1:]...)
			i = len(args)
		case a == "--json" || a == "-json":
			asJSON = true
		case a == "--lang" || a == "-lang":
			if i+1 >= len(args) {
				return usagef("check: --lang needs zh or en")
			}
			i++
			lang = args[i]
		case strings.HasPrefix(a, "--lang=") || strings.HasPrefix(a, "-lang="):
			_, lang, _ = strings.Cut(a, "=")
		case strings.HasPrefix(a, "-") && len(a) > 1:
			return usagef("check: unknown flag %s; usage: beianbot check [--json] [--lang zh|en] INPUT", a)
		default:
			inputs = append(inputs, a)
		}
	}
	if lang != "zh" && lang != "en" {
		return usagef("check: --lang %q: want zh or en", lang)
	}
	if len(inputs) != 1 {
		return usagef("check: want one domain, URL or IP address; usage: beianbot check [--json] [--lang zh|en] INPUT")
	}
	input := inputs[0]
	if _, err := domaincheck.Parse(input); err != nil {
		return usagef("check: %v", err)
	}
	checker, err := newChecker(getenv, deps{logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	res, err := checker.Check(ctx, input)
	if domaincheck.IsInputError(err) {
		return usagef("check: %v", err)
	}
	if err != nil {
		return fmt.Errorf("check %s: %w", input, err)
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(res)
	}
	writeResult(stdout, res, lang, faqQuestions(getenv, res.FAQ, lang))
	return nil
}

// faqQuestions names FAQ entries by their question, where the FAQ loads.
func faqQuestions(getenv func(string) string, ids []string, lang string) map[string]string {
	out := map[string]string{}
	ix, err := loadFAQ(getenv, nil)
	if err != nil || ix == nil {
		return out
	}
	for _, id := range ids {
		if e := ix.Lookup(id, lang); e != nil {
			out[id] = e.Question
		}
	}
	return out
}

// writeResult prints a result for a person.
func writeResult(w io.Writer, res *domaincheck.Result, lang string, questions map[string]string) {
	name := res.Domain
	if res.ASCII != res.Domain {
		name += " (" + res.ASCII + ")"
	}
	fmt.Fprintf(w, "%s: %s\n\n", name, res.Verdict)
	msg := res.Message
	if lang == "en" {
		msg = res.MessageEN
	}
	fmt.Fprintf(w, "%s\n\n", msg)
	if res.TLD != "" {
		approved := "not approved for filing"
		if res.TLDApproved {
			approved = "approved for filing"
		}
		fmt.Fprintf(w, "suffix:     .%s (%s)\n", res.TLD, approved)
	}
	if len(res.CNAME) > 0 {
		fmt.Fprintf(w, "cname:      %s\n", strings.Join(res.CNAME, " -> "))
	}
	for _, a := range res.Addresses {
		where := "outside mainland"
		if a.Mainland {
			where = "mainland"
		}
		if a.Whois != "" {
			where += ", registered " + a.Whois
		}
		fmt.Fprintf(w, "address:    %-40s %-8s %s\n", a.IP, a.Region, where)
	}
	for _, p := range []struct {
		name  string
		probe *domaincheck.Probe
	}{{"http", res.HTTP}, {"https", res.HTTPS}, {"bare ip", res.Control}} {
		if p.probe == nil {
			continue
		}
		fmt.Fprintf(w, "%-11s %s\n", p.name+":", probeLine(p.probe))
	}
	for _, n := range res.Numbers {
		fmt.Fprintf(w, "number:     %s (%s)\n", n.Number, n.Kind)
	}
	for _, id := range res.FAQ {
		if q := questions[id]; q != "" {
			fmt.Fprintf(w, "faq:        %s %s\n", id, q)
		} else {
			fmt.Fprintf(w, "faq:        %s\n", id)
		}
	}
	fmt.Fprintf(w, "elapsed:    %d ms\n", res.ElapsedMS)
}

func probeLine(p *domaincheck.Probe) string {
	if p.Status == 0 {
		return "no answer (" + p.Error + ")"
	}
	s := fmt.Sprintf("%d", p.Status)
	if p.Server != "" {
		s += " server=" + printable(p.Server)
	}
	if p.Location != "" {
		s += " location=" + printable(p.Location)
	}
	if p.Blocked {
		s += " BLOCKED by " + p.BlockedBy + " (" + p.Evidence + ")"
	}
	return s
}

// printable drops control characters (terminal escapes) from text a server
// sent.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || (r >= 0x7f && r < 0xa0) {
			return -1
		}
		return r
	}, s)
}
