package domaincheck

import (
	"strings"

	"github.com/beianbot/beianbot/internal/ipregion"
)

// decide sets the verdict, NeedsFiling, FAQ and messages of res from its
// addresses and probes. pre is ip_address for an IP input, not_resolving or
// dns_error when DNS gave no address, and "" otherwise.
func decide(res *Result, pre string) {
	var mainland, outside, private, unknownCN []string
	for _, a := range res.Addresses {
		switch {
		case a.Region == ipregion.Private:
			private = append(private, a.IP)
		case a.Mainland:
			mainland = append(mainland, a.IP)
		default:
			outside = append(outside, a.IP+" ("+a.Region+")")
			if a.Region == ipregion.Unknown && a.Whois == ipregion.Mainland {
				unknownCN = append(unknownCN, a.IP)
			}
		}
	}
	var zh, en []string
	say := func(z, e string) { zh, en = append(zh, z), append(en, e) }
	d := res.Domain
	switch {
	case pre == VerdictIPAddress:
		res.Verdict, res.FAQ = VerdictIPAddress, []string{FAQIPOnly}
		a := res.Addresses[0]
		say("您输入的是 IP 地址 "+a.IP+"（地区："+a.Region+"）。阿里云备案系统不支持 IP 备案：只通过 IP 访问的网站，需要在当地通信管理局的备案系统办理 IP 地址报备。",
			"You entered an IP address, "+a.IP+" (region "+a.Region+"). Alibaba Cloud's filing system does not file IP addresses: a site reached only by IP is reported to the local communications administration instead.")
	case pre == VerdictNotResolving:
		res.Verdict, res.FAQ = VerdictNotResolving, []string{FAQWhyBlocked}
		say("域名 "+d+" 没有解析记录（域名不存在，或没有 A/AAAA 记录）。请先在 DNS 中把域名解析到您的服务器。",
			"The domain "+d+" does not resolve (it does not exist or has no A/AAAA record). Point it at your server in DNS first.")
	case pre == VerdictDNSError:
		res.Verdict = VerdictDNSError
		say("查询 "+d+" 的 DNS 失败（超时或服务器错误），请稍后再试。",
			"Looking up "+d+" in DNS failed (timeout or server error); please try again later.")
	case len(mainland) == 0 && len(outside) == 0:
		res.Verdict = VerdictPrivateAddress
		say(d+" 只解析到内网、本机或保留地址（"+strings.Join(private, "、")+"），从互联网无法访问。出于安全考虑，没有探测这些地址。",
			d+" resolves only to private, loopback or reserved addresses ("+strings.Join(private, ", ")+"), which the internet cannot reach. For safety they were not probed.")
	case len(mainland) == 0:
		res.Verdict, res.FAQ = VerdictOutsideMainland, []string{FAQOutsideMainland}
		say(d+" 的地址都在中国大陆以外："+strings.Join(outside, "、")+"。网站使用中国大陆以外的服务器不需要备案。",
			"Every address of "+d+" is outside mainland China: "+strings.Join(outside, ", ")+". A site served from outside the mainland needs no ICP filing.")
		if len(unknownCN) > 0 {
			say("注意："+strings.Join(unknownCN, "、")+" 登记在中国，但没有中国大陆运营商宣告其路由，通常在香港或境外使用；如果服务商告诉您这是大陆服务器，网站仍需备案。",
				"Note: "+strings.Join(unknownCN, ", ")+" is registered in China but no mainland operator routes it; such space is usually used in Hong Kong or abroad. If your provider says the server is in the mainland, the site still needs filing.")
		}
	default:
		decideMainland(res, mainland, outside, say)
	}
	if !res.TLDApproved && res.TLD != "" && res.Verdict != VerdictIPAddress {
		say("另外，."+res.TLD+" 不在工信部可备案的域名后缀列表中（"+ApprovedTLDsDate+" 快照）：这个域名无法备案，只能使用中国大陆以外的服务器。",
			"Also, ."+res.TLD+" is not on MIIT's list of suffixes that can be filed (snapshot of "+ApprovedTLDsDate+"): this domain can never be filed and must be served from outside mainland China.")
	}
	res.Message = strings.Join(zh, "\n\n")
	res.MessageEN = strings.Join(en, "\n\n")
}

// decideMainland handles a domain with at least one mainland address.
func decideMainland(res *Result, mainland, outside []string, say func(zh, en string)) {
	d := res.Domain
	res.NeedsFiling = true
	blocked := blockedProbe(res.HTTP, res.HTTPS)
	where := strings.Join(mainland, "、")
	whereEN := strings.Join(mainland, ", ")
	switch {
	case len(outside) > 0:
		res.Verdict, res.FAQ = VerdictMixed, []string{FAQOutsideMainland, FAQWhyBlocked}
		say(d+" 同时解析到中国大陆地址（"+where+"）和大陆以外的地址（"+strings.Join(outside, "、")+"）。只要有大陆节点开放访问，网站就需要备案。",
			d+" resolves both to mainland China ("+whereEN+") and outside it ("+strings.Join(outside, ", ")+"). As long as a mainland server serves it, the site needs ICP filing.")
		if blocked != nil {
			say("大陆节点返回了备案拦截页面（"+blocked.Evidence+"）。", "The mainland server answers with a filing interception page ("+blocked.Evidence+").")
		}
	case blocked != nil:
		res.Verdict, res.FAQ = VerdictMainlandBlocked, []string{FAQWhyBlocked, FAQApprovedToday, FAQDuringFiling}
		by := map[string][2]string{
			BlockAlibaba: {"阿里云", "Alibaba Cloud"}, BlockTencent: {"腾讯云", "Tencent Cloud"}, BlockGeneric: {"服务商", "the provider"},
		}[blocked.BlockedBy]
		say(d+" 解析到中国大陆服务器（"+where+"），访问被"+by[0]+"的备案拦截页面拦截（"+blocked.Evidence+"）。可能的原因：域名未备案；域名已在其他服务商备案，但未接入当前服务商；备案刚刚通过，信息尚未同步到服务商（通常需要等待一段时间）。",
			d+" points at a server in mainland China ("+whereEN+") and is intercepted by "+by[1]+"'s filing page ("+blocked.Evidence+"). Likely causes: the domain is not filed; it is filed with another provider but not connected to this one; or the filing was just approved and has not synced to the provider yet.")
	case res.HTTP.answered() || res.HTTPS.answered():
		res.Verdict = VerdictMainlandReachable
		if res.ICPNumber != nil {
			kind := [2]string{"备案号", "filing number"}
			if res.ICPKind == KindLicence {
				kind = [2]string{"ICP 经营许可证号", "commercial ICP licence number"}
			}
			say(d+" 解析到中国大陆服务器（"+where+"），网站可以访问。页面上显示的"+kind[0]+"："+*res.ICPNumber+"。",
				d+" points at a server in mainland China ("+whereEN+") and the site is served. The page shows the "+kind[1]+" "+*res.ICPNumber+".")
		} else {
			say(d+" 解析到中国大陆服务器（"+where+"），网站可以访问，但页面上没有找到备案号。在大陆服务器上开放访问的网站必须备案，并在首页底部展示备案号。",
				d+" points at a server in mainland China ("+whereEN+") and the site is served, but no filing number was found in the page. A site served from the mainland must be filed and show its number at the foot of its home page.")
		}
	default:
		res.Verdict, res.FAQ = VerdictMainlandUnreachable, []string{FAQWhyBlocked}
		say(d+" 解析到中国大陆服务器（"+where+"），但 HTTP 和 HTTPS 都没有及时响应。",
			d+" points at a server in mainland China ("+whereEN+"), but neither HTTP nor HTTPS answered in time.")
		if res.Control.answered() {
			say("直接访问该 IP 有响应，说明可能是针对该域名的拦截（例如未备案域名的连接被重置）。",
				"The bare IP address does answer, which points to a block of this domain name (for example, connections for an unfiled domain being reset).")
		} else {
			say("直接访问该 IP 也没有响应：服务器可能没有运行网站，或被防火墙、安全组挡住了。",
				"The bare IP address does not answer either: the server may not be running a website, or a firewall or security group blocks it.")
		}
	}
}

func blockedProbe(ps ...*Probe) *Probe {
	for _, p := range ps {
		if p != nil && p.Blocked {
			return p
		}
	}
	return nil
}
