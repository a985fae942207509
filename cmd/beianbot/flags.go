package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// parseFlags parses a command's args into fs. Bad flags are a usage error
// of one line that ends with synopsis. On -h or --help it prints synopsis,
// about and the flags to stdout and reports help, which the command answers
// by returning nil (exit 0).
func parseFlags(fs *flag.FlagSet, args []string, synopsis, about string, stdout io.Writer) (help bool, err error) {
	fs.SetOutput(io.Discard)
	err = fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stdout, "usage: %s\n%s\n", synopsis, about)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return true, nil
	}
	if err != nil {
		return false, usagef("%s: %v; usage: %s", fs.Name(), err, synopsis)
	}
	return false, nil
}
