package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/beianbot/beianbot/bot"
	"github.com/beianbot/beianbot/bot/console"
	"github.com/beianbot/beianbot/internal/domaincheck"
)

// resolvConf is where the system's DNS server is read from when
// BEIANBOT_DNS_SERVER is not set.
const resolvConf = "/etc/resolv.conf"

// newChecker returns the domain checker the bot uses: it asks dnsSetting
// (BEIANBOT_DNS_SERVER), or the first name server of /etc/resolv.conf. With
// neither, IP addresses are still checked and names get dns_error.
func newChecker(dnsSetting string, logger *slog.Logger) (bot.Checker, error) {
	server, err := dnsServer(dnsSetting)
	if err != nil {
		return nil, err
	}
	if server == "" && logger != nil {
		logger.Warn("domain check cannot resolve names: no BEIANBOT_DNS_SERVER and no nameserver in " + resolvConf)
	}
	c, err := domaincheck.New(domaincheck.Config{DNSServer: server})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// dnsServer returns the BEIANBOT_DNS_SERVER setting s as host:port (port 53
// when left out), or the system's server when s is empty, or "" when there
// is none.
func dnsServer(s string) (string, error) {
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

// checkUsage is the usage line of the check command.
const checkUsage = "usage: beianbot check [--json] [--lang zh|en] [--faq PATHS] INPUT"

// cmdCheck is "beianbot check [--json] [--lang zh|en] [--faq PATHS] INPUT":
// the check's result worded as the bot words it in chat, but with private
// addresses listed (the operator runs this), or as JSON.
func cmdCheck(ctx context.Context, args []string, cfg config, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "print one JSON object")
	lang := fs.String("lang", "zh", "language of the report: zh or en")
	faqPaths := fs.String("faq", "", "comma-separated FAQ files or folders the related questions come from")
	// Flags may come after the input: parse, take a positional, go on.
	var inputs []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintln(stdout, checkUsage)
				return nil
			}
			return usagef("check: %v; %s", err, checkUsage)
		}
		if fs.NArg() == 0 {
			break
		}
		inputs = append(inputs, fs.Arg(0))
		rest = fs.Args()[1:]
		if len(rest) == 0 {
			break
		}
	}
	if *lang != "zh" && *lang != "en" {
		return usagef("check: --lang %q: want zh or en", *lang)
	}
	if len(inputs) != 1 {
		return usagef("check: want one domain, URL or IP address; %s", checkUsage)
	}
	target, err := domaincheck.Parse(inputs[0])
	if err != nil {
		return usagef("check: %v", err)
	}
	checker, err := newChecker(cfg.DNSServer, nil)
	if err != nil {
		return err
	}
	res, err := checker.Check(ctx, target)
	if err != nil {
		return fmt.Errorf("check %s: %w", target.Input, err)
	}
	bc := bot.Config{}
	if ix, err := cfg.FAQ.load(splitList(*faqPaths)); err == nil {
		bc.Index = ix
	} else {
		fmt.Fprintf(stderr, "beianbot: check: no related questions: %v\n", err)
	}
	report := bot.New(bc).Report(res, *lang, bot.ReportOptions{ListPrivate: true})
	if *asJSON {
		out := struct {
			*domaincheck.Result
			FAQ     []string `json:"faq"`
			Message string   `json:"message"`
		}{res, append([]string{}, report.FAQ...), report.Message}
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	_, err = fmt.Fprintf(stdout, "%s\n\n(%s, %d ms)\n", printable(console.Render(report.Text)), res.Verdict, res.ElapsedMS)
	return err
}

// printable drops control characters (terminal escapes) other than line
// breaks from text a server may have sent.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\n' && (r < ' ' || (r >= 0x7f && r < 0xa0)) {
			return -1
		}
		return r
	}, s)
}
