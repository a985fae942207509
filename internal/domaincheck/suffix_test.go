package domaincheck

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSuffixes(t *testing.T) {
	s, err := LoadSuffixes()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ascii string
		want  SuffixInfo
	}{
		{"example.com", SuffixInfo{TLD: "com", Registrable: "example.com", Approved: true, Match: "com"}},
		{"www.example.cn", SuffixInfo{TLD: "cn", Registrable: "example.cn", Approved: true, Match: "cn"}},
		{"example.com.cn", SuffixInfo{TLD: "com.cn", Registrable: "example.com.cn", Approved: true, Match: "com.cn"}},
		{"example.gs.cn", SuffixInfo{TLD: "gs.cn", Registrable: "example.gs.cn", Approved: true, Match: "cn"}}, // .gs.cn is missing from the snapshot; .cn covers it
		{"xn--fsqu00a.xn--fiqs8s", SuffixInfo{TLD: "中国", Registrable: "xn--fsqu00a.xn--fiqs8s", Approved: true, Match: "中国"}},
		{"example.top", SuffixInfo{TLD: "top", Registrable: "example.top", Approved: true, Match: "top"}},
		{"example.me", SuffixInfo{TLD: "me", Registrable: "example.me", Approved: true, Match: "me"}},
		{"example.io", SuffixInfo{TLD: "io", Registrable: "example.io"}},
		{"example.ai", SuffixInfo{TLD: "ai", Registrable: "example.ai"}},
		{"example.org", SuffixInfo{TLD: "org", Registrable: "example.org"}},
		{"example.dev", SuffixInfo{TLD: "dev", Registrable: "example.dev"}},
		{"example.app", SuffixInfo{TLD: "app", Registrable: "example.app"}},
		{"example.hk", SuffixInfo{TLD: "hk", Registrable: "example.hk"}},
		{"example.co.uk", SuffixInfo{TLD: "co.uk", Registrable: "example.co.uk"}},
		{"example.co", SuffixInfo{TLD: "co", Registrable: "example.co", Approved: true, Match: "co"}},
		{"EXAMPLE.COM.", SuffixInfo{TLD: "com", Registrable: "example.com", Approved: true, Match: "com"}},
	}
	for _, tt := range tests {
		t.Run(tt.ascii, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, s.Lookup(tt.ascii)); diff != "" {
				t.Errorf("Lookup(%q) (-want +got):\n%s", tt.ascii, diff)
			}
		})
	}
}

func TestParseSuffixes(t *testing.T) {
	s, err := parseSuffixes("# header\n.cn\n.中国\n\n.com.cn\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Lookup("a.b.com.cn"); got.Match != "com.cn" {
		t.Errorf("longest match = %q, want com.cn", got.Match)
	}
	for _, bad := range []string{"", "# only a comment\n", "cn\n", ".a..b\n"} {
		if _, err := parseSuffixes(bad); err == nil {
			t.Errorf("parseSuffixes(%q) succeeded, want an error", bad)
		}
	}
}
