package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"strings"
	"time"
)

// cmdHealthcheck is "beianbot healthcheck [URL]": it asks the running bot's
// /healthz (by default on BEIANBOT_HTTP_ADDR's port on this host) and
// succeeds only on 200. Container health checks use it, since the runtime
// image has no curl.
func cmdHealthcheck(ctx context.Context, args []string, cfg config, stdout io.Writer) error {
	if len(args) > 1 {
		return usagef("usage: beianbot healthcheck [URL]")
	}
	url := ""
	if len(args) == 1 {
		url = args[0]
	} else {
		var err error
		if url, err = healthURL(cfg.HTTPAddr); err != nil {
			return err
		}
	}
	if u, err := neturl.Parse(url); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("healthcheck: %q is not an http(s) URL such as http://127.0.0.1:8080/healthz", url)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return usagef("healthcheck: bad URL %q", url)
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<10))
	text := strings.TrimSpace(string(body))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s: %d %s", url, resp.StatusCode, text)
	}
	fmt.Fprintln(stdout, text)
	return nil
}

// healthURL turns a listen address into the URL of its /healthz on this
// host: a wildcard or empty host becomes the loopback address.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", usagef("BEIANBOT_HTTP_ADDR %q: want host:port or :port", addr)
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}
