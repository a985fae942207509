// Command beianbot answers ICP filing (备案) questions in Slack, Telegram or
// the terminal, and checks why a domain is blocked.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes, per the contract.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// usageError is bad usage or bad input: exit 2 with its one-line message.
type usageError struct{ msg string }

// Error returns the one-line message.
func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

const usage = `usage:
  beianbot [run]                     start the configured chat adapters (the terminal chat when none)
  beianbot ask [--json] [QUERY...]   answer one question, or one per line from stdin
  beianbot check [--json] INPUT      check a domain, URL or IP address
  beianbot faq list                  list the loaded FAQ entries
  beianbot faq lint [PATH...]        validate FAQ files
  beianbot healthcheck [URL]         probe a running bot's /healthz (exit 0 on 200)`

// run is the whole program: it takes its environment as arguments so tests
// can drive it end to end, and returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "beianbot: internal error: %v\n", p)
			code = exitError
		}
	}()
	cmd, rest := "run", args
	if len(args) > 0 {
		cmd, rest = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "run":
		err = cmdRun(ctx, rest, getenv, stdin, stdout, stderr)
	case "ask":
		err = cmdAsk(ctx, rest, getenv, stdin, stdout, stderr)
	case "check":
		err = cmdCheck(ctx, rest, getenv, stdout, stderr)
	case "faq":
		err = cmdFAQ(rest, getenv, stdout)
	case "healthcheck":
		err = cmdHealthcheck(ctx, rest, getenv, stdout)
	case "help", "-h", "--help", "-help":
		fmt.Fprintln(stdout, usage)
		return exitOK
	default:
		err = usagef("unknown command %q; see 'beianbot help'", cmd)
	}
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "beianbot: %v\n", err)
	if errors.As(err, new(usageError)) {
		return exitUsage
	}
	return exitError
}
