package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/beianbot/beianbot/internal/domaincheck"
)

// Checker runs the live domain check; *domaincheck.Checker is one. Check
// returns a Result for every check that ran, whatever its verdict.
type Checker interface {
	Check(ctx context.Context, t domaincheck.Target) (*domaincheck.Result, error)
}

// maxCachedResult bounds a cached check result, in bytes of JSON. Results
// are bounded by construction (see domaincheck.MaxAddresses); this is the
// guard that keeps a surprise out of the shared cache.
const maxCachedResult = 64 << 10

// check validates arg, applies the per-user limit, and returns an
// acknowledgement whose FollowUp runs the check (or reuses a cached result)
// and formats it.
func (r *Responder) check(ctx context.Context, msg Message, arg, lang string) Reply {
	if r.checker == nil {
		return Reply{Outcome: OutcomeRefused, Lang: lang, Text: pick(lang, "域名检查功能尚未配置。", "The domain check is not configured.")}
	}
	t, err := domaincheck.Parse(arg)
	if err != nil {
		return Reply{Outcome: OutcomeRefused, Lang: lang, Text: pick(lang,
			"这看起来不像域名、网址或 IP 地址，请这样发送：`/beian check example.com`",
			"That doesn't look like a domain, URL or IP address. Try `/beian check example.com`")}
	}
	if !r.allowCheck(ctx, msg) {
		return Reply{Outcome: OutcomeRefused, Lang: lang, Text: pick(lang,
			fmt.Sprintf("检查太频繁了：每人每%s最多 %d 次，请稍后再试。", zhDuration(r.checkWindow), r.checkLimit),
			fmt.Sprintf("Too many checks: at most %d per %s per person. Please try again later.", r.checkLimit, enDuration(r.checkWindow)))}
	}
	return Reply{
		Outcome:  OutcomeCheck,
		Lang:     lang,
		Text:     pick(lang, "正在检查 "+t.Domain+"…", "Checking "+t.Domain+"…"),
		FollowUp: func(ctx context.Context) Reply { return r.runCheck(ctx, t, lang) },
	}
}

// allowCheck applies the per-user check limit, kept under the user's key
// (never the raw id). The terminal chat has one user, the operator, and no
// limit.
func (r *Responder) allowCheck(ctx context.Context, msg Message) bool {
	if msg.Platform == PlatformConsole {
		return true
	}
	key := "ratelimit:check:" + msg.Platform + ":" + r.userKey(msg.Platform, msg.UserID)
	ok, err := r.store.Allow(ctx, key, r.checkLimit, r.checkWindow)
	if err != nil {
		r.metrics.StoreError("allow")
		r.logger.LogAttrs(ctx, slog.LevelWarn, "check rate limit unavailable", slog.String("error", err.Error()))
		return true
	}
	return ok
}

// runCheck returns the formatted result for t.
func (r *Responder) runCheck(ctx context.Context, t domaincheck.Target, lang string) Reply {
	res, err := r.result(ctx, t)
	if err != nil {
		r.logger.LogAttrs(ctx, slog.LevelError, "domain check failed", slog.String("domain", t.ASCII), slog.Any("error", err))
		return Reply{Outcome: OutcomeRefused, Lang: lang, Text: pick(lang,
			"检查没能完成，请稍后再试。", "The check could not be completed; please try again later.")}
	}
	return r.checkReply(res, lang)
}

// result returns the check result for t: from the cache when a fresh one is
// there, else from a run of the check shared with every concurrent caller
// asking for the same domain. The result is cached.
func (r *Responder) result(ctx context.Context, t domaincheck.Target) (*domaincheck.Result, error) {
	key := "check:" + t.ASCII
	if b, found, err := r.store.Get(ctx, key); err != nil {
		r.metrics.StoreError("get")
		r.logger.LogAttrs(ctx, slog.LevelWarn, "check cache unavailable", slog.String("error", err.Error()))
	} else if found {
		var res domaincheck.Result
		if err := json.Unmarshal(b, &res); err == nil && res.Verdict != "" {
			res.Input = t.Input
			return &res, nil
		}
	}
	run := func(ctx context.Context) (*domaincheck.Result, error) { return r.runChecker(ctx, key, t) }
	res, shared, err := r.flights.do(ctx, key, run)
	if shared && err != nil && ctx.Err() == nil {
		// The run this caller waited on was cut short by its own caller
		// (a shorter deadline, a shutdown): this caller still has time.
		res, shared, err = r.flights.do(ctx, key, run)
	}
	if err != nil {
		return nil, err
	}
	if shared {
		c := *res
		c.Input = t.Input
		res = &c
	}
	return res, nil
}

// runChecker runs the check for t and caches its result under key.
func (r *Responder) runChecker(ctx context.Context, key string, t domaincheck.Target) (*domaincheck.Result, error) {
	start := time.Now()
	res, err := r.checker.Check(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", t.ASCII, err)
	}
	r.metrics.Check(res.Verdict, time.Since(start))
	r.logger.LogAttrs(ctx, slog.LevelInfo, "domain checked", slog.String("domain", t.ASCII),
		slog.String("verdict", res.Verdict), slog.Int64("elapsed_ms", res.ElapsedMS))
	b, err := json.Marshal(res)
	switch {
	case err != nil:
		r.logger.LogAttrs(ctx, slog.LevelWarn, "check result not cached", slog.String("error", err.Error()))
	case len(b) > maxCachedResult:
		r.logger.LogAttrs(ctx, slog.LevelWarn, "check result not cached", slog.Int("bytes", len(b)))
	default:
		if err := r.store.Set(ctx, key, b, r.cacheTTL); err != nil {
			r.metrics.StoreError("set")
			r.logger.LogAttrs(ctx, slog.LevelWarn, "check cache unavailable", slog.String("error", err.Error()))
		}
	}
	return res, nil
}

// checkReply is the chat reply for a result: its report, with a button for
// each related FAQ question.
func (r *Responder) checkReply(res *domaincheck.Result, lang string) Reply {
	report := r.Report(res, lang, ReportOptions{})
	rep := Reply{Outcome: OutcomeCheck, Lang: lang, Text: report.Text}
	for _, e := range report.Related {
		rep.Buttons = append(rep.Buttons, Button{Label: e.Question, Value: buttonValue(e)})
	}
	return rep
}

func verdictLabel(v, lang string) string {
	labels := map[string][2]string{
		domaincheck.VerdictIPAddress:           {"IP 地址", "IP address"},
		domaincheck.VerdictNotResolving:        {"没有解析", "not resolving"},
		domaincheck.VerdictDNSError:            {"DNS 查询失败", "DNS error"},
		domaincheck.VerdictPrivateAddress:      {"内网地址", "private address"},
		domaincheck.VerdictOutsideMainland:     {"中国大陆以外", "outside mainland China"},
		domaincheck.VerdictMainlandBlocked:     {"被备案拦截", "blocked for missing filing"},
		domaincheck.VerdictMainlandReachable:   {"大陆服务器，可访问", "mainland server, reachable"},
		domaincheck.VerdictMainlandUnreachable: {"大陆服务器，无响应", "mainland server, no answer"},
		domaincheck.VerdictMixed:               {"大陆与境外混合", "mainland and outside"},
	}
	l, ok := labels[v]
	if !ok {
		return v
	}
	return pick(lang, l[0], l[1])
}

func regionName(region, lang string) string {
	names := map[string][2]string{
		"CN":      {"中国大陆", "mainland China"},
		"HK":      {"中国香港", "Hong Kong"},
		"MO":      {"中国澳门", "Macao"},
		"TW":      {"中国台湾", "Taiwan"},
		"ZZ":      {"未知", "unknown"},
		"private": {"内网/保留地址", "private or reserved"},
	}
	if n, ok := names[region]; ok {
		return pick(lang, n[0], n[1])
	}
	return region
}

func numberLabel(kind, lang string) string {
	switch kind {
	case domaincheck.KindFiling:
		return pick(lang, "ICP 备案号", "ICP filing number")
	case domaincheck.KindLicence:
		return pick(lang, "ICP 经营许可证", "Commercial ICP licence")
	case domaincheck.KindPublicSecurity:
		return pick(lang, "公安备案号", "Public security filing number")
	}
	return kind
}

// probeText says what one probe saw. Server-supplied text (the Location
// header) is shortened and put in a code span so it cannot add markup.
func probeText(p *domaincheck.Probe, lang string) string {
	if p.Status == 0 {
		if lang == "en" {
			return "no answer (" + p.Error + ")"
		}
		zh := map[string]string{"timeout": "超时", "connection reset": "连接被重置", "connection refused": "连接被拒绝",
			"connection closed": "连接被关闭", "tls error": "TLS 错误"}[p.Error]
		if zh == "" {
			zh = p.Error
		}
		return "无响应（" + zh + "）"
	}
	s := strconv.Itoa(p.Status)
	if p.Blocked {
		by := map[string][2]string{
			domaincheck.BlockAlibaba: {"阿里云", "Alibaba Cloud"},
			domaincheck.BlockTencent: {"腾讯云", "Tencent Cloud"},
		}[p.BlockedBy]
		if by[0] == "" {
			by = [2]string{"服务商", "provider"}
		}
		s += pick(lang, "，"+by[0]+"备案拦截页面", ", "+by[1]+" filing interception page")
	}
	if p.Location != "" {
		s += pick(lang, "，跳转到 ", ", redirects to ") + codeSpan(p.Location, 100)
	}
	return s
}

func codeSpan(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r == '`' || r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > max {
		s = cutAt(s, max) + "…"
	}
	return "`" + s + "`"
}

func zhDuration(d time.Duration) string {
	if d%time.Minute == 0 {
		if d == time.Minute {
			return "分钟"
		}
		return strconv.Itoa(int(d/time.Minute)) + "分钟"
	}
	return strconv.Itoa(int(d/time.Second)) + "秒"
}

func enDuration(d time.Duration) string {
	if d%time.Minute == 0 {
		if d == time.Minute {
			return "minute"
		}
		return strconv.Itoa(int(d/time.Minute)) + " minutes"
	}
	return strconv.Itoa(int(d/time.Second)) + " seconds"
}
