package domaincheck

import (
	"html"
	"regexp"
	"strings"
)

// Interception providers reported in Probe.BlockedBy.
const (
	BlockAlibaba = "alibaba_cloud"
	BlockTencent = "tencent_cloud"
	BlockGeneric = "filing_notice"
)

// genericBlockMax is the largest page the generic text markers are trusted
// in: interception pages are short, and a real site may well mention 备案.
const genericBlockMax = 16 << 10

// interception recognises a filing interception page from a response's
// status, Server and Location headers and body. It returns the provider
// (one of the Block constants) and a short description of the evidence, or
// "" when the response is not an interception page.
func interception(status int, server, location string, body []byte) (provider, evidence string) {
	b := string(body)
	lb := strings.ToLower(b)
	ll := strings.ToLower(location)
	switch {
	case strings.Contains(ll, "dnspod.qcloud.com/static/webblock.html"):
		return BlockTencent, "redirect to dnspod.qcloud.com/static/webblock.html"
	case strings.Contains(lb, "dnspod.qcloud.com/static/webblock.html"):
		return BlockTencent, "page links to dnspod.qcloud.com/static/webblock.html"
	case strings.Contains(lb, "aliyun.com/beian/beian-block"):
		return BlockAlibaba, "page frames aliyun.com/beian/beian-block"
	case strings.Contains(lb, "batit.aliyun.com/alww.html"):
		return BlockAlibaba, "page frames batit.aliyun.com/alww.html"
	case status == 403 && strings.EqualFold(strings.TrimSpace(server), "Beaver"):
		return BlockAlibaba, "403 from Server: Beaver"
	case strings.Contains(strings.ToLower(pageTitle(b)), "non-compliance icp filing"):
		return BlockAlibaba, "title Non-compliance ICP Filing"
	}
	if len(body) <= genericBlockMax {
		// Phrases of hosting providers' "not filed" pages.
		for _, t := range [...]string{"该网站暂时无法进行访问", "本网站尚未进行备案", "网站暂时无法访问",
			"该网站未备案", "网站未备案", "尚未进行ICP备案", "Non-compliance ICP Filing"} {
			if strings.Contains(b, t) {
				return BlockGeneric, "page says " + t
			}
		}
	}
	return "", ""
}

// pageTitle returns the text of the page's <title>, at most 200 bytes.
func pageTitle(body string) string {
	lb := strings.ToLower(body)
	i := strings.Index(lb, "<title")
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(lb[i:], '>')
	if j < 0 {
		return ""
	}
	start := i + j + 1
	end := strings.Index(lb[start:], "</title")
	if end < 0 {
		return ""
	}
	t := strings.Join(strings.Fields(html.UnescapeString(body[start:start+end])), " ")
	if len(t) > 200 {
		t = t[:200]
	}
	return t
}

// Kinds of numbers found in a page.
const (
	// KindFiling is an ICP filing number (ICP备案号), e.g. 京ICP备12345678号-1.
	KindFiling = "icp_filing"
	// KindLicence is a commercial ICP licence (ICP经营许可证), e.g. 京ICP证030173号.
	KindLicence = "icp_licence"
	// KindPublicSecurity is a public-security filing number (公安备案号),
	// e.g. 京公网安备11010502030143号.
	KindPublicSecurity = "public_security"
)

// Number is a filing or licence number shown in a page.
type Number struct {
	Number string `json:"number"`
	Kind   string `json:"kind"`
}

// provinces are the one-character abbreviations that start ICP numbers,
// including the alternative forms 蜀 (Sichuan), 黔 (Guizhou), 滇 (Yunnan) and
// 陇 (Gansu).
const provinces = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼蜀黔滇陇"

// numberRE matches the three kinds of numbers. Spaces are allowed between
// the parts, as pages often put them there.
var numberRE = regexp.MustCompile(`([` + provinces + `])\s*(?:` +
	`(?i:ICP)\s*备\s*(\d{6,12})\s*号(?:\s*[-－—]\s*(\d{1,4}))?` + // filing
	`|(?i:ICP)\s*证\s*([A-Za-z]?\d{5,12})\s*号?` + // commercial licence
	`|公网安备\s*(\d{10,16})\s*号?)`) // public security

// numbers returns the distinct filing, licence and public-security numbers
// in a page, in order of appearance. Tags are removed first, so a number
// split by markup (京ICP备<a>12345678</a>号) is still found; a badge such as
// 萌ICP备 has no province and is not a number.
func numbers(body []byte) []Number {
	text := pageText(body)
	var out []Number
	seen := map[string]bool{}
	for _, m := range numberRE.FindAllStringSubmatch(text, 20) {
		var n Number
		switch {
		case m[2] != "":
			n = Number{Number: m[1] + "ICP备" + m[2] + "号", Kind: KindFiling}
			if m[3] != "" {
				n.Number += "-" + m[3]
			}
		case m[4] != "":
			n = Number{Number: m[1] + "ICP证" + strings.ToUpper(m[4]) + "号", Kind: KindLicence}
		case m[5] != "":
			n = Number{Number: m[1] + "公网安备" + m[5] + "号", Kind: KindPublicSecurity}
		}
		if n.Number != "" && !seen[n.Number] {
			seen[n.Number] = true
			out = append(out, n)
		}
	}
	return out
}

// pageText strips tags, comments and scripts from an HTML page and decodes
// entities, leaving roughly the text a reader sees.
func pageText(body []byte) string {
	var b strings.Builder
	s := string(body)
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		end := ">"
		if strings.HasPrefix(s, "<!--") {
			end = "-->"
		}
		j := strings.Index(s, end)
		if j < 0 {
			break
		}
		s = s[j+len(end):]
	}
	return html.UnescapeString(b.String())
}
