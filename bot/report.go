package bot

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/beianbot/beianbot/faq"
	"github.com/beianbot/beianbot/internal/domaincheck"
	"github.com/beianbot/beianbot/internal/ipregion"
)

// maxReportText bounds the text of a check reply, in bytes.
const maxReportText = 3500

// CheckReport is a domain check result as the bot words it, for every
// surface: the chat platforms, the terminal chat and `beianbot check`.
type CheckReport struct {
	// Message explains the verdict in a paragraph or a few.
	Message string
	// Text is the whole reply in the Markdown subset: a heading, Message,
	// the facts found, and the related FAQ questions. At most
	// maxReportText bytes.
	Text string
	// FAQ are the ids of the entries that explain the verdict, and Related
	// those entries in the report's language.
	FAQ     []string
	Related []*faq.Entry
}

// ReportOptions says how a report is worded.
type ReportOptions struct {
	// ListPrivate lists private and reserved addresses one by one. Chat
	// replies only count them, so that no chat user learns which internal
	// addresses a name points at; the operator's own `beianbot check` lists
	// them.
	ListPrivate bool
}

// Report words res in lang ("zh" or "en") with the current FAQ's related
// entries.
func (r *Responder) Report(res *domaincheck.Result, lang string, opts ReportOptions) CheckReport {
	l := r.faq.Load()
	rep := CheckReport{FAQ: l.related[res.Verdict], Related: l.relatedFor(res.Verdict, lang)}
	w := words{lang: lang}
	explain(&w, res)
	rep.Message = w.String()

	var b strings.Builder
	b.WriteString("**" + res.Domain + pick(lang, "：", ": ") + verdictLabel(res.Verdict, lang) + "**\n\n")
	b.WriteString(rep.Message)
	if items := facts(res, lang, opts); len(items) > 0 {
		b.WriteString("\n\n- " + strings.Join(items, "\n- "))
	}
	if len(rep.Related) > 0 {
		b.WriteString("\n\n" + pick(lang, "相关问题：", "Related FAQ:") + "\n")
		for _, e := range rep.Related {
			b.WriteString("\n- " + e.Question)
		}
	}
	rep.Text = bound(b.String(), maxReportText)
	return rep
}

// words collects the paragraphs of a message in one language.
type words struct {
	lang  string
	paras []string
}

func (w *words) say(zh, en string) { w.paras = append(w.paras, pick(w.lang, zh, en)) }

func (w *words) String() string { return strings.Join(w.paras, "\n\n") }

// explain says what the verdict of res means. Addresses are not named here:
// the facts list names them once.
func explain(w *words, res *domaincheck.Result) {
	d := res.Domain
	switch res.Verdict {
	case domaincheck.VerdictIPAddress:
		w.say("您输入的是 IP 地址。阿里云备案系统不支持 IP 备案：只通过 IP 访问的网站，需要在当地通信管理局的备案系统办理 IP 地址报备。",
			"You entered an IP address. Alibaba Cloud's filing system does not file IP addresses: a site reached only by IP is reported to the local communications administration instead.")
	case domaincheck.VerdictNotResolving:
		w.say("域名 "+d+" 没有解析记录（域名不存在，或没有 A/AAAA 记录）。请先在 DNS 中把域名解析到您的服务器。",
			"The domain "+d+" does not resolve (it does not exist or has no A/AAAA record). Point it at your server in DNS first.")
	case domaincheck.VerdictDNSError:
		explainDNS(w, res)
	case domaincheck.VerdictPrivateAddress:
		if _, err := netip.ParseAddr(res.ASCII); err == nil {
			w.say("这是内网、本机或保留地址，从互联网无法访问，不涉及备案。出于安全考虑，没有探测这个地址。",
				"That is a private, loopback or reserved address, which the internet cannot reach; filing does not apply. For safety it was not probed.")
		} else {
			w.say(d+" 只解析到内网、本机或保留地址，从互联网无法访问。出于安全考虑，没有探测这些地址。",
				d+" resolves only to private, loopback or reserved addresses, which the internet cannot reach. For safety they were not probed.")
		}
	case domaincheck.VerdictOutsideMainland:
		w.say(d+" 的地址都在中国大陆以外。网站使用中国大陆以外的服务器不需要备案。",
			"Every address of "+d+" is outside mainland China. A site served from outside the mainland needs no ICP filing.")
		if res.HasReason(domaincheck.ReasonRegisteredCN) {
			w.say("注意：其中有登记在中国、但没有中国大陆运营商宣告路由的地址，通常在香港或境外使用；如果服务商告诉您这是大陆服务器，网站仍需备案。",
				"Note: some addresses are registered in China but no mainland operator routes them; such space is usually used in Hong Kong or abroad. If your provider says the server is in the mainland, the site still needs filing.")
		}
	case domaincheck.VerdictMixed:
		w.say(d+" 同时解析到中国大陆和大陆以外的地址。只要有大陆节点开放访问，网站就需要备案。",
			d+" resolves both to mainland China and outside it. As long as a mainland server serves it, the site needs ICP filing.")
		if p := res.Blocked(); p != nil {
			w.say("大陆节点返回了备案拦截页面（"+p.Evidence+"）。", "The mainland server answers with a filing interception page ("+p.Evidence+").")
		}
	case domaincheck.VerdictMainlandBlocked:
		var by [2]string
		var evidence string
		if p := res.Blocked(); p != nil {
			by, evidence = providerName(p.BlockedBy), p.Evidence
		} else {
			by = providerName("")
		}
		w.say(d+" 解析到中国大陆服务器，访问被"+by[0]+"的备案拦截页面拦截"+paren("zh", evidence)+"。可能的原因：域名未备案；域名已在其他服务商备案，但未接入当前服务商；备案刚刚通过，信息尚未同步到服务商（通常需要等待一段时间）。",
			d+" points at a server in mainland China and is intercepted by "+by[1]+"'s filing page"+paren("en", evidence)+". Likely causes: the domain is not filed; it is filed with another provider but not connected to this one; or the filing was just approved and has not synced to the provider yet.")
	case domaincheck.VerdictMainlandReachable:
		if res.ICPNumber != nil {
			kind := [2]string{"备案号", "filing number"}
			if res.ICPKind == domaincheck.KindLicence {
				kind = [2]string{"ICP 经营许可证号", "commercial ICP licence number"}
			}
			w.say(d+" 解析到中国大陆服务器，网站可以访问。页面上显示的"+kind[0]+"："+*res.ICPNumber+"。",
				d+" points at a server in mainland China and the site is served. The page shows the "+kind[1]+" "+*res.ICPNumber+".")
		} else {
			w.say(d+" 解析到中国大陆服务器，网站可以访问，但页面上没有找到备案号。在大陆服务器上开放访问的网站必须备案，并在首页底部展示备案号。",
				d+" points at a server in mainland China and the site is served, but no filing number was found in the page. A site served from the mainland must be filed and show its number at the foot of its home page.")
		}
	case domaincheck.VerdictMainlandUnreachable:
		explainUnreachable(w, res)
	}
	if res.HasReason(domaincheck.ReasonPrivateAddresses) {
		w.say("另有内网或保留地址，没有探测。", "Some other addresses are private or reserved; they were not probed.")
	}
	if res.HasReason(domaincheck.ReasonTLDNotApproved) {
		w.say("另外，."+res.TLD+" 不在工信部可备案的域名后缀列表中（"+domaincheck.ApprovedTLDsDate+" 快照）：这个域名无法备案，只能使用中国大陆以外的服务器。",
			"Also, ."+res.TLD+" is not on MIIT's list of suffixes that can be filed (snapshot of "+domaincheck.ApprovedTLDsDate+"): this domain can never be filed and must be served from outside mainland China.")
	}
}

// explainDNS names why DNS failed and what to do about it.
func explainDNS(w *words, res *domaincheck.Result) {
	cause := map[string][2]string{
		domaincheck.CauseNoServer:           {"没有配置 DNS 服务器", "no DNS server is configured"},
		domaincheck.CauseTimeout:            {"DNS 服务器没有及时响应（超时）", "the DNS server did not answer in time (timeout)"},
		domaincheck.CauseServFail:           {"DNS 服务器返回 SERVFAIL，通常是该域名自己的 DNS 服务器出错", "the DNS server answered SERVFAIL, usually because the domain's own name servers fail"},
		domaincheck.CauseRefused:            {"DNS 服务器拒绝了查询（REFUSED）", "the DNS server refused the query (REFUSED)"},
		domaincheck.CauseNetworkUnreachable: {"网络不可达（network is unreachable），连不上 DNS 服务器", "the network is unreachable, so the DNS server cannot be reached"},
		domaincheck.CauseConnectionRefused:  {"DNS 服务器拒绝连接（connection refused）", "the DNS server refused the connection (connection refused)"},
		domaincheck.CauseCNAMELoop:          {"它的 CNAME 记录构成循环", "its CNAME records form a loop"},
		domaincheck.CauseCNAMETooLong:       {"它的 CNAME 链超过 8 层", "its CNAME chain is longer than 8 names"},
	}[res.DNSCause]
	if cause[0] == "" {
		cause = [2]string{"查询出错", "the lookup failed"}
	}
	d := res.Domain
	w.say("查询 "+d+" 的 DNS 失败："+cause[0]+"。", "Looking up "+d+" in DNS failed: "+cause[1]+".")
	switch res.DNSCause {
	case domaincheck.CauseCNAMELoop, domaincheck.CauseCNAMETooLong:
		w.say("请检查该域名的 CNAME 记录。", "Fix the domain's CNAME records.")
	case domaincheck.CauseServFail:
		w.say("请稍后再试；如果每个域名都这样，可能是本机器人使用的 DNS 服务器有问题，管理员可以用 BEIANBOT_DNS_SERVER 指定另一个（host:port）。",
			"Please try again later; if every domain fails like this, the bot's DNS server may be at fault, and its operator can set BEIANBOT_DNS_SERVER (host:port) to another one.")
	default:
		w.say("这是本机器人所用 DNS 服务器的问题，不是您的域名的问题：管理员可以用 BEIANBOT_DNS_SERVER 指定一个可用的 DNS 服务器（host:port）。",
			"This is a problem with the bot's DNS server, not with your domain: its operator can set BEIANBOT_DNS_SERVER (host:port) to a DNS server that works.")
	}
}

// explainUnreachable says what happened to the probes of a mainland
// address that served nothing: in time only when they timed out.
func explainUnreachable(w *words, res *domaincheck.Result) {
	d := res.Domain
	if probeError(res.HTTP) == "timeout" && probeError(res.HTTPS) == "timeout" {
		w.say(d+" 解析到中国大陆服务器，但 HTTP 和 HTTPS 都没有及时响应（超时）。",
			d+" points at a server in mainland China, but neither HTTP nor HTTPS answered in time.")
	} else {
		w.say(d+" 解析到中国大陆服务器，但 HTTP 和 HTTPS 都没有响应（HTTP："+probeErrorText(res.HTTP, "zh")+"；HTTPS："+probeErrorText(res.HTTPS, "zh")+"）。",
			d+" points at a server in mainland China, but neither HTTP nor HTTPS answered (HTTP: "+probeErrorText(res.HTTP, "en")+"; HTTPS: "+probeErrorText(res.HTTPS, "en")+").")
	}
	if res.HasReason(domaincheck.ReasonBareIPAnswers) {
		w.say("直接访问该 IP 有响应，说明可能是针对该域名的拦截（例如未备案域名的连接被重置）。",
			"The bare IP address does answer, which points to a block of this domain name (for example, connections for an unfiled domain being reset).")
	} else {
		w.say("直接访问该 IP 也没有响应：服务器可能没有运行网站，或被防火墙、安全组挡住了。",
			"The bare IP address does not answer either: the server may not be running a website, or a firewall or security group blocks it.")
	}
}

func probeError(p *domaincheck.Probe) string {
	if p == nil {
		return ""
	}
	return p.Error
}

// probeErrorText words a probe's error.
func probeErrorText(p *domaincheck.Probe, lang string) string {
	e := probeError(p)
	if e == "" {
		return pick(lang, "未探测", "not probed")
	}
	if lang == "en" {
		return e
	}
	zh := map[string]string{"timeout": "超时", "connection reset": "连接被重置", "connection refused": "连接被拒绝",
		"connection closed": "连接被关闭", "tls error": "TLS 错误", "network unreachable": "网络不可达",
		"host unreachable": "主机不可达"}[e]
	if zh == "" {
		return e
	}
	return zh
}

// facts lists what the check found, each address once.
func facts(res *domaincheck.Result, lang string, opts ReportOptions) []string {
	var items []string
	private := 0
	// An address the user typed is no secret to them.
	_, err := netip.ParseAddr(res.ASCII)
	listPrivate := opts.ListPrivate || err == nil
	for _, a := range res.Addresses {
		if a.Private() && !listPrivate {
			private++
			continue
		}
		s := pick(lang, "地址 ", "Address ") + "`" + a.IP + "`" + pick(lang, "：", ": ") + regionName(a.Region, lang)
		if a.Whois != "" && a.Whois != ipregion.Unknown {
			s += pick(lang, "（登记在 "+a.Whois+"）", " (registered to "+a.Whois+")")
		}
		items = append(items, s)
	}
	if private > 0 {
		items = append(items, pick(lang, strconv.Itoa(private)+" 个内网/保留地址（不显示）", plural(private, "private address", "private addresses")+" (not shown)"))
	}
	if n := res.More.Total(); n > 0 {
		items = append(items, pick(lang, "……另有 "+strconv.Itoa(n)+" 个地址", "… and "+strconv.Itoa(n)+" more"))
	}
	if res.ASCII != res.Domain {
		items = append(items, pick(lang, "ASCII 形式：", "ASCII form: ")+codeSpan(res.ASCII, 260))
	}
	if res.Verdict != domaincheck.VerdictIPAddress && res.TLD != "" {
		if res.TLDApproved {
			items = append(items, pick(lang, "后缀 ."+res.TLD+" 可以备案", "Suffix ."+res.TLD+" can be filed"))
		} else {
			items = append(items, pick(lang, "后缀 ."+res.TLD+" 不能备案", "Suffix ."+res.TLD+" cannot be filed"))
		}
	}
	if len(res.CNAME) > 0 {
		items = append(items, "CNAME: "+codeSpan(strings.Join(res.CNAME, " → "), 600))
	}
	for _, p := range []struct {
		name  string
		probe *domaincheck.Probe
	}{{"HTTP", res.HTTP}, {"HTTPS", res.HTTPS}, {pick(lang, "直接访问 IP", "Bare IP"), res.Control}} {
		if p.probe != nil {
			items = append(items, p.name+pick(lang, "：", ": ")+probeText(p.probe, lang))
		}
	}
	for _, n := range res.Numbers {
		items = append(items, numberLabel(n.Kind, lang)+pick(lang, "：", ": ")+n.Number)
	}
	return items
}

// providerName names an interception page's provider in Chinese and English.
func providerName(blockedBy string) [2]string {
	switch blockedBy {
	case domaincheck.BlockAlibaba:
		return [2]string{"阿里云", "Alibaba Cloud"}
	case domaincheck.BlockTencent:
		return [2]string{"腾讯云", "Tencent Cloud"}
	}
	return [2]string{"服务商", "the provider"}
}

// paren puts s in brackets of lang, or gives "" for an empty s.
func paren(lang, s string) string {
	if s == "" {
		return ""
	}
	return pick(lang, "（"+s+"）", " ("+s+")")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// bound cuts text to at most max bytes, at the last line break that fits,
// and marks the cut.
func bound(text string, max int) string {
	if len(text) <= max {
		return text
	}
	cut := strings.LastIndexByte(text[:max-len("\n…")], '\n')
	if cut <= 0 {
		return cutAt(text, max-len("\n…")) + "\n…"
	}
	return text[:cut] + "\n…"
}
