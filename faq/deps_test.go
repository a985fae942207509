package faq

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps faq a plain library: no chat SDKs, no HTTP, no environment.
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	banned := []string{"net/http", "github.com/slack-go/", "github.com/go-telegram-bot-api/", "github.com/redis/", "github.com/beianbot/beianbot/bot", "github.com/beianbot/beianbot/internal"}
	for _, dep := range strings.Fields(string(out)) {
		for _, b := range banned {
			if dep == b || strings.HasPrefix(dep, b) {
				t.Errorf("faq depends on %s", dep)
			}
		}
	}
}

// TestNoEnvironment checks that faq never reads the environment itself.
func TestNoEnvironment(t *testing.T) {
	out, err := exec.Command("grep", "-rn", "--include=*.go", "--exclude=*_test.go", "os.Getenv\\|os.LookupEnv\\|os.Environ", ".").Output()
	if err == nil && len(out) > 0 {
		t.Errorf("faq reads the environment:\n%s", out)
	}
}
