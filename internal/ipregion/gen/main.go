//go:build ignore

// Command gen rebuilds data/whois.bin, the country table of package ipregion,
// from the npm package @ip-location-db/geo-whois-asn-country (CC BY 4.0, NRO).
// It is run by hand, never at build or run time:
//
//	cd internal/ipregion && go run gen/main.go
//
// It runs "npm pack" in a temporary folder, reads the package's IPv4 and IPv6
// range CSVs, merges adjacent ranges of the same country, fills gaps with
// "ZZ", and writes the table in the format documented in ../table.go. It also
// writes data/whois.txt (package version and attribution) and copies the
// package's NRO licence notice to data/NRO_LICENSE.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

const pkg = "@ip-location-db/geo-whois-asn-country"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

type row struct {
	start, end [16]byte
	cc         string
}

func run() error {
	dir, err := os.MkdirTemp("", "ipregion-gen")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command("npm", "pack", "--silent", pkg)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("npm pack %s: %w", pkg, err)
	}
	tgz := filepath.Join(dir, strings.TrimSpace(string(out)))
	files, err := untar(tgz, "package/geo-whois-asn-country-ipv4.csv", "package/geo-whois-asn-country-ipv6.csv",
		"package/NRO_LICENSE", "package/package.json")
	if err != nil {
		return err
	}
	v4, err := parse(files["package/geo-whois-asn-country-ipv4.csv"], true)
	if err != nil {
		return fmt.Errorf("ipv4 csv: %w", err)
	}
	v6, err := parse(files["package/geo-whois-asn-country-ipv6.csv"], false)
	if err != nil {
		return fmt.Errorf("ipv6 csv: %w", err)
	}
	v4, v6 = merge(v4, true), merge(v6, false)

	var buf bytes.Buffer
	buf.WriteString("ipregion")
	binary.Write(&buf, binary.BigEndian, uint32(len(v4)))
	binary.Write(&buf, binary.BigEndian, uint32(len(v6)))
	for _, r := range v4 {
		buf.Write(r.start[12:])
	}
	for _, r := range v4 {
		buf.WriteString(r.cc)
	}
	for _, r := range v6 {
		buf.Write(r.start[:])
	}
	for _, r := range v6 {
		buf.WriteString(r.cc)
	}
	if err := os.WriteFile("data/whois.bin", buf.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile("data/NRO_LICENSE", files["package/NRO_LICENSE"], 0o644); err != nil {
		return err
	}
	version := "unknown"
	if i := bytes.Index(files["package/package.json"], []byte(`"version": "`)); i >= 0 {
		rest := files["package/package.json"][i+len(`"version": "`):]
		version = string(rest[:bytes.IndexByte(rest, '"')])
	}
	note := fmt.Sprintf("whois.bin: country of every IPv4 and IPv6 range, built by gen/main.go from\n"+
		"npm %s@%s (GeoFeed + WHOIS + ASN country data,\n"+
		"https://github.com/sapics/ip-location-db). Data licensed under CC BY 4.0\n"+
		"(https://creativecommons.org/licenses/by/4.0/) by the Number Resource Organization\n"+
		"(NRO, https://www.nro.net/); see NRO_LICENSE. %d IPv4 and %d IPv6 ranges after merging.\n",
		pkg, version, len(v4), len(v6))
	if err := os.WriteFile("data/whois.txt", []byte(note), 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote data/whois.bin (%d bytes): %s@%s, %d IPv4 and %d IPv6 ranges\n", buf.Len(), pkg, version, len(v4), len(v6))
	return nil
}

func untar(path string, names ...string) (map[string][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	tr := tar.NewReader(zr)
	out := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		for _, n := range names {
			if h.Name == n {
				b, err := io.ReadAll(tr)
				if err != nil {
					return nil, fmt.Errorf("read %s: %w", n, err)
				}
				out[n] = b
			}
		}
	}
	for _, n := range names {
		if out[n] == nil {
			return nil, fmt.Errorf("%s: no %s in the package", path, n)
		}
	}
	return out, nil
}

func parse(data []byte, v4 bool) ([]row, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = 3
	var rows []row
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		a, err1 := netip.ParseAddr(rec[0])
		b, err2 := netip.ParseAddr(rec[1])
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		if a.Is4() != v4 || b.Is4() != v4 || b.Less(a) || len(rec[2]) != 2 {
			return nil, fmt.Errorf("bad row %q", rec)
		}
		if len(rows) > 0 && netip.AddrFrom16(a.As16()).Less(netip.AddrFrom16(rows[len(rows)-1].start)) {
			return nil, fmt.Errorf("row %q is out of order", rec)
		}
		rows = append(rows, row{start: a.As16(), end: b.As16(), cc: strings.ToUpper(rec[2])})
	}
}

// merge fills gaps with ZZ rows and joins neighbours of the same country, so
// that each row runs until the next row's start and the first starts at 0.
// The published CSVs have a few hundred overlapping rows (a small range
// inside a larger one, listed after it); the later, smaller row wins from its
// start, which cuts the larger row short there.
func merge(rows []row, v4 bool) []row {
	var zero [16]byte
	if v4 {
		zero = netip.IPv4Unspecified().As16()
	}
	var out []row
	next := zero // first address not yet covered
	add := func(start [16]byte, cc string) {
		if n := len(out); n > 0 && out[n-1].start == start {
			out = out[:n-1] // a later row with the same start wins
		}
		if n := len(out); n > 0 && out[n-1].cc == cc {
			return
		}
		out = append(out, row{start: start, cc: cc})
	}
	for _, r := range rows {
		if bytes.Compare(r.start[:], next[:]) > 0 {
			add(next, "ZZ")
		}
		add(r.start, r.cc)
		n, ok := succ(r.end)
		if !ok || (v4 && n[11] != 0xff) {
			return out
		}
		next = n
	}
	add(next, "ZZ")
	return out
}

func succ(a [16]byte) ([16]byte, bool) {
	for i := 15; i >= 0; i-- {
		a[i]++
		if a[i] != 0 {
			return a, true
		}
	}
	return a, false
}
