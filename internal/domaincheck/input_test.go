package domaincheck

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in     string
		domain string
		ascii  string
		ip     bool
	}{
		{"example.com", "example.com", "example.com", false},
		{"  Example.COM  ", "example.com", "example.com", false},
		{"example.com.", "example.com", "example.com", false},
		{"www.example.com.cn", "www.example.com.cn", "www.example.com.cn", false},
		{"例子.中国", "例子.中国", "xn--fsqu00a.xn--fiqs8s", false},
		{"xn--fsqu00a.xn--fiqs8s", "例子.中国", "xn--fsqu00a.xn--fiqs8s", false},
		{"https://例子.中国/x", "例子.中国", "xn--fsqu00a.xn--fiqs8s", false},
		{"例子。中国", "例子.中国", "xn--fsqu00a.xn--fiqs8s", false},
		{"ｅｘａｍｐｌｅ．ｃｏｍ", "example.com", "example.com", false},
		{"ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ／", "example.com", "example.com", false},
		{"http://user:pass@example.com:8080/path?q=1#frag", "example.com", "example.com", false},
		{"HTTPS://WWW.Example.Com", "www.example.com", "www.example.com", false},
		{"example.com/some/path", "example.com", "example.com", false},
		{"example.com:443", "example.com", "example.com", false},
		{"//example.com/x", "example.com", "example.com", false},
		{"http://example.com./", "example.com", "example.com", false},
		{"münchen.de", "münchen.de", "xn--mnchen-3ya.de", false},
		{"MÜNCHEN.DE", "münchen.de", "xn--mnchen-3ya.de", false},
		{"114.114.114.114", "114.114.114.114", "114.114.114.114", true},
		{"http://8.8.8.8/", "8.8.8.8", "8.8.8.8", true},
		{"８．８．８．８", "8.8.8.8", "8.8.8.8", true},
		{"2400:3200::1", "2400:3200::1", "2400:3200::1", true},
		{"[2400:3200::1]", "2400:3200::1", "2400:3200::1", true},
		{"http://[2400:3200::1]:8080/x", "2400:3200::1", "2400:3200::1", true},
		{"::ffff:8.8.8.8", "8.8.8.8", "8.8.8.8", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			want := []string{tt.in, tt.domain, tt.ascii}
			if diff := cmp.Diff(want, []string{got.Input, got.Domain, got.ASCII}); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tt.in, diff)
			}
			if got.IsIP() != tt.ip {
				t.Errorf("Parse(%q).IsIP() = %v, want %v", tt.in, got.IsIP(), tt.ip)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []string{
		"",
		"   ",
		"example .com",
		"exa\tmple.com",
		"example.com\x00",
		"exam\x7fple.com",
		"a..b.com",
		".example.com",
		"example..",
		"localhost",
		"com",
		"1.2.3",
		"256.1.1.1",
		"-bad-.com",
		"bad_name.com",
		"exa mple",
		"ftp:",
		"http://",
		"http:///path",
		"javascript:alert(1)",
		"mailto:a@example.com",
		"file:///etc/passwd",
		"http://example.com:99999/",
		"http://example.com:abc/",
		"fe80::1%eth0",
		"[fe80::1%25eth0]",
		strings.Repeat("a", 64) + ".com",
		strings.Repeat("abcdefghi.", 26) + "com",
		strings.Repeat("x", 10<<10),
		"\xff\xfe.com",
		"<script>.com",
		"例子 中国",
		"what is icp filing?",
	}
	for _, in := range tests {
		name := in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			got, err := Parse(in)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", in, got)
			}
			if !IsInputError(err) {
				t.Errorf("Parse(%q) error %T is not an *InputError", in, err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"example.com", "https://例子.中国/x", "[::1]:80", "1.2.3.4", "ｅｘａｍｐｌｅ．ｃｏｍ", "a..b", "http://u@h:1/p?q#f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := Parse(in)
		if err != nil {
			if !IsInputError(err) {
				t.Fatalf("Parse(%q) error %T is not an *InputError", in, err)
			}
			return
		}
		if got.ASCII == "" || got.Domain == "" {
			t.Fatalf("Parse(%q) = %+v: empty host", in, got)
		}
		if !utf8.ValidString(got.Domain) || len(got.ASCII) > 253 {
			t.Fatalf("Parse(%q) = %+v: bad host", in, got)
		}
		if got.IsIP() {
			if got.IP.String() != got.ASCII {
				t.Fatalf("Parse(%q) = %+v: IP and ASCII differ", in, got)
			}
			return
		}
		// A parsed domain parses again to itself.
		again, err := Parse(got.ASCII)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse again: %v", in, got.ASCII, err)
		}
		if again.ASCII != got.ASCII || again.Domain != got.Domain {
			t.Fatalf("Parse(%q) = %+v, parsing its ASCII gives %+v", in, got, again)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	for _, in := range []string{"example.com", "https://user@例子.中国:8443/path?q=1", "114.114.114.114"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
