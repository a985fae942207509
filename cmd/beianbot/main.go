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
  beianbot [run]                                start the configured chat adapters (the terminal chat when none)
  beianbot ask [--json] [--faq PATHS] [QUERY...]  answer one question, or one per line from stdin
  beianbot ask --explain [--json] [QUERY...]    why the best entries scored as they did (for FAQ owners)
  beianbot check [--json] INPUT                 check a domain, URL or IP address
  beianbot faq list                             list the loaded FAQ entries
  beianbot faq lint [PATH...]                   validate FAQ files
  beianbot healthcheck [URL]                    probe a running bot's /healthz (exit 0 on 200)
  beianbot version                              print the version and build information
  beianbot review [--json] [--since 7d]         what the bot could not answer, grouped; 👍/👎 per entry
  beianbot teach ENTRY-ID PHRASING              teach an entry a new phrasing (live on every replica)
  beianbot unteach ENTRY-ID PHRASING            delete a taught phrasing (live on every replica)
  beianbot phrasings export [--lexicon]         the taught phrasings as FAQ "ask:" comments (or a lexicon section)
  beianbot forget --user KEY | --before DATE    delete recorded questions and feedback
Settings come from the environment; .env.example lists them all.`

// dispatch runs one command. The environment is read once, here, for every
// command that needs it.
func dispatch(ctx context.Context, cmd string, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	switch cmd {
	case "help", "-h", "--help", "-help":
		fmt.Fprintln(stdout, usage)
		return nil
	case "version":
		return cmdVersion(args, stdout)
	case "run", "ask", "check", "faq", "healthcheck", "review", "teach", "unteach", "phrasings", "forget":
	default:
		return usagef("unknown command %q; see 'beianbot help'", cmd)
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	switch cmd {
	case "run":
		return cmdRun(ctx, args, cfg, stdin, stdout, stderr)
	case "ask":
		return cmdAsk(ctx, args, cfg, stdin, stdout, stderr)
	case "check":
		return cmdCheck(ctx, args, cfg, stdout, stderr)
	case "faq":
		return cmdFAQ(args, cfg, stdout)
	case "review":
		return cmdReview(ctx, args, cfg, stdout)
	case "teach":
		return cmdTeach(ctx, args, cfg, stdout)
	case "unteach":
		return cmdUnteach(ctx, args, cfg, stdout)
	case "phrasings":
		return cmdPhrasings(ctx, args, cfg, stdout)
	case "forget":
		return cmdForget(ctx, args, cfg, stdout)
	default: // "healthcheck"
		return cmdHealthcheck(ctx, args, cfg, stdout)
	}
}

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
	err := dispatch(ctx, cmd, rest, getenv, stdin, stdout, stderr)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "beianbot: %v\n", err)
	if errors.As(err, new(usageError)) {
		return exitUsage
	}
	return exitError
}
