package domaincheck

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readPage(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/pages/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestInterception(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		server   string
		location string
		body     []byte
		want     string
	}{
		{"alibaba page", 403, "Beaver", "", readPage(t, "aliyun_block.html"), BlockAlibaba},
		{"alibaba old frame", 200, "nginx", "", readPage(t, "aliyun_block_old.html"), BlockAlibaba},
		{"alibaba server header only", 403, "beaver", "", nil, BlockAlibaba},
		{"alibaba title only", 200, "", "", []byte("<title> Non-compliance  ICP Filing </title>"), BlockAlibaba},
		{"tencent redirect", 302, "", "https://dnspod.qcloud.com/static/webblock.html?d=example.cn", nil, BlockTencent},
		{"tencent in page", 200, "", "", []byte(`<script>location.href="https://dnspod.qcloud.com/static/webblock.html?d=example.cn"</script>`), BlockTencent},
		{"generic text", 200, "", "", readPage(t, "generic_block.html"), BlockGeneric},
		{"real site footer", 200, "nginx", "", readPage(t, "footer.html"), ""},
		{"403 from another server", 403, "nginx", "", []byte("Forbidden"), ""},
		{"ordinary redirect", 301, "", "https://example.cn/", nil, ""},
		{"long page mentioning the phrase", 200, "", "", []byte(strings.Repeat("文章", 10000) + "网站未备案"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ev := interception(tt.status, tt.server, tt.location, tt.body)
			if got != tt.want {
				t.Errorf("interception = %q (%s), want %q", got, ev, tt.want)
			}
			if got != "" && ev == "" {
				t.Error("interception gave no evidence")
			}
		})
	}
}

func TestNumbers(t *testing.T) {
	got := numbers(readPage(t, "footer.html"))
	want := []Number{
		{"京ICP备12345678号-1", KindFiling},
		{"京ICP证030173号", KindLicence},
		{"京公网安备11010502030143号", KindPublicSecurity},
		{"粤ICP备2021012345号", KindFiling},
		{"蜀ICP备88888888号-2", KindFiling},
		{"黔ICP备10000001号", KindFiling},
		{"滇ICP备20000002号", KindFiling},
		{"陇ICP备30000003号", KindFiling},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("numbers (-want +got):\n%s", diff)
	}
	for _, s := range []string{
		"萌ICP备20240001号",
		"ICP备12345678号", // no province
		"京ICP备123号",     // too short
		"备案号：待定",
		"沪 icp 备 13045678 号", // lower case and spaces: a number
	} {
		got := numbers([]byte(s))
		if s == "沪 icp 备 13045678 号" {
			if diff := cmp.Diff([]Number{{"沪ICP备13045678号", KindFiling}}, got); diff != "" {
				t.Errorf("numbers(%q) (-want +got):\n%s", s, diff)
			}
			continue
		}
		if len(got) != 0 {
			t.Errorf("numbers(%q) = %v, want none", s, got)
		}
	}
}

func TestPageTitle(t *testing.T) {
	for in, want := range map[string]string{
		"<html><head><TITLE>Hello &amp; bye</TITLE>": "Hello & bye",
		"<title lang=\"zh\">\n 你好\n 世界 </title>":     "你好 世界",
		"<title>unterminated":                        "",
		"no title":                                   "",
	} {
		if got := pageTitle(in); got != want {
			t.Errorf("pageTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzNumbers(f *testing.F) {
	for _, s := range []string{"京ICP备12345678号-1", "<a>沪ICP证<b>123456</b>号</a>", "京公网安备 11010502030143 号", "萌ICP备1号", "<!-- x", "<title>a</title"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, n := range numbers(body) {
			if !strings.ContainsRune(provinces, []rune(n.Number)[0]) {
				t.Fatalf("numbers(%q) gave %q without a province", body, n.Number)
			}
			switch n.Kind {
			case KindFiling, KindLicence, KindPublicSecurity:
			default:
				t.Fatalf("numbers(%q) gave kind %q", body, n.Kind)
			}
		}
		interception(200, "", "", body)
		pageTitle(string(body))
	})
}
