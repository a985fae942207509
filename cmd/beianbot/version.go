package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// cmdVersion is "beianbot version": the module version, the Go version and,
// when the binary was built from a checkout, the commit and its time.
func cmdVersion(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return usagef("version takes no arguments")
	}
	version, goVersion := "(unknown)", runtime.Version()
	var revision, when, modified string
	if info, ok := debug.ReadBuildInfo(); ok {
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		goVersion = info.GoVersion
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = " (modified)"
				}
			}
		}
	}
	fmt.Fprintf(stdout, "beianbot %s\n", version)
	fmt.Fprintf(stdout, "go:       %s\n", goVersion)
	if revision != "" {
		fmt.Fprintf(stdout, "revision: %s%s\n", revision, modified)
	}
	if when != "" {
		fmt.Fprintf(stdout, "time:     %s\n", when)
	}
	return nil
}
