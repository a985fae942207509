package domaincheck

import (
	_ "embed"
	"fmt"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// approvedTLDs is a dated snapshot (2022-08-30) of the domain suffixes MIIT
// accepts for ICP filing, as published by Tencent Cloud from MIIT's
// 域名行业管理信息公示 (domain.miit.gov.cn). The file header names its source.
//
//go:embed data/icp-approved-tlds.txt
var approvedTLDs string

// ApprovedTLDsDate is the date of the approved-suffix snapshot.
const ApprovedTLDsDate = "2022-08-30"

// Suffixes knows which domain suffixes can be filed.
type Suffixes struct {
	approved map[string]string // ASCII suffix without dot -> Unicode form
}

// LoadSuffixes parses the embedded approved-suffix list.
func LoadSuffixes() (*Suffixes, error) { return parseSuffixes(approvedTLDs) }

func parseSuffixes(text string) (*Suffixes, error) {
	s := &Suffixes{approved: map[string]string{}}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		uni := strings.TrimPrefix(line, ".")
		ascii, err := idna.Lookup.ToASCII(uni)
		if err != nil || ascii == "" || !strings.HasPrefix(line, ".") || strings.Contains(ascii, "..") {
			return nil, fmt.Errorf("approved suffix list line %d: bad suffix %q", i+1, line)
		}
		s.approved[strings.ToLower(ascii)] = uni
	}
	if len(s.approved) == 0 {
		return nil, fmt.Errorf("approved suffix list is empty")
	}
	return s, nil
}

// SuffixInfo describes the suffix of a domain.
type SuffixInfo struct {
	// TLD is the public suffix (ICANN section of the Public Suffix List) in
	// Unicode, without a leading dot: "com", "com.cn", "中国".
	TLD string
	// Registrable is the registrable domain (eTLD+1) in ASCII, or "" when
	// the name is itself a public suffix.
	Registrable string
	// Approved is true when the domain ends in a suffix MIIT accepts for
	// filing; Match is the longest such suffix, in Unicode.
	Approved bool
	Match    string
}

// Lookup describes the suffix of the ASCII domain name ascii.
func (s *Suffixes) Lookup(ascii string) SuffixInfo {
	ascii = strings.ToLower(strings.TrimSuffix(ascii, "."))
	ps, _ := publicsuffix.PublicSuffix(ascii)
	info := SuffixInfo{TLD: ps}
	if uni, err := idna.Lookup.ToUnicode(ps); err == nil {
		info.TLD = uni
	}
	if reg, err := publicsuffix.EffectiveTLDPlusOne(ascii); err == nil {
		info.Registrable = reg
	}
	// Longest match: try the whole name, then drop one label at a time.
	for rest := ascii; rest != ""; {
		if uni, ok := s.approved[rest]; ok {
			info.Approved, info.Match = true, uni
			break
		}
		_, after, found := strings.Cut(rest, ".")
		if !found {
			break
		}
		rest = after
	}
	return info
}
