package main

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// The deployment files live at the repository root; no docker engine runs
// in CI, so these tests read them and check what an operator relies on.

// contractVars are the variables ../shared/CONTRACT.md names, plus the ones
// the operations issue adds.
var contractVars = []string{
	"BEIANBOT_FAQ", "BEIANBOT_HTTP_ADDR", "BEIANBOT_DNS_SERVER", "BEIANBOT_LOG_LEVEL",
	"BEIANBOT_REDIS_URL", "BEIANBOT_DOCS_BASE_URL",
	"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL",
	"TELEGRAM_BOT_TOKEN", "TELEGRAM_API_ENDPOINT", "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_WEBHOOK_URL",
	"BEIANBOT_LOG_FORMAT", "BEIANBOT_LEXICON",
	"BEIANBOT_ANSWER_AT", "BEIANBOT_CHANNEL_ANSWER_AT",
}

func readRoot(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// composeFile is the part of docker-compose.yml these tests look at.
type composeFile struct {
	Services map[string]struct {
		Build *struct {
			Context string `yaml:"context"`
		} `yaml:"build"`
		Image   string   `yaml:"image"`
		Command []string `yaml:"command"`
		EnvFile []struct {
			Path     string `yaml:"path"`
			Required *bool  `yaml:"required"`
		} `yaml:"env_file"`
		Environment map[string]string `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		DependsOn   map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Restart         string `yaml:"restart"`
		StopGracePeriod string `yaml:"stop_grace_period"`
		Healthcheck     *struct {
			Test     []string `yaml:"test"`
			Interval string   `yaml:"interval"`
			Timeout  string   `yaml:"timeout"`
			Retries  int      `yaml:"retries"`
		} `yaml:"healthcheck"`
	} `yaml:"services"`
}

func TestDockerCompose(t *testing.T) {
	raw := readRoot(t, "docker-compose.yml")
	var c composeFile
	dec := yaml.NewDecoder(strings.NewReader(raw))
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	names := make([]string, 0, len(c.Services))
	for n := range c.Services {
		names = append(names, n)
	}
	slices.Sort(names)
	if want := []string{"bot", "postgres", "redis"}; !slices.Equal(names, want) {
		t.Fatalf("services = %v, want %v", names, want)
	}

	bot := c.Services["bot"]
	if bot.Build == nil || bot.Build.Context != "." {
		t.Error("bot is not built from the repository (build.context: .)")
	}
	if len(bot.EnvFile) != 1 || bot.EnvFile[0].Path != ".env" || bot.EnvFile[0].Required == nil || *bot.EnvFile[0].Required {
		t.Errorf("bot env_file = %+v, want .env with required: false (a missing .env is no hard error)", bot.EnvFile)
	}
	if !strings.Contains(raw, "Compose v2") {
		t.Error("docker-compose.yml does not say it needs Compose v2")
	}
	if !slices.Contains(strings.Split(readRoot(t, ".gitignore"), "\n"), ".env") {
		t.Error(".gitignore does not keep .env out of version control")
	}
	if url := bot.Environment["BEIANBOT_REDIS_URL"]; !strings.Contains(url, "redis://redis:6379") {
		t.Errorf("bot BEIANBOT_REDIS_URL = %q, want the redis service by default", url)
	}
	if addr := bot.Environment["BEIANBOT_HTTP_ADDR"]; !strings.HasSuffix(addr, ":8080") {
		t.Errorf("bot BEIANBOT_HTTP_ADDR = %q, want port 8080, which ports and the health check use", addr)
	}
	if len(bot.Ports) != 1 || !strings.HasSuffix(bot.Ports[0], ":8080") {
		t.Errorf("bot ports = %v, want one mapping to container port 8080", bot.Ports)
	}
	if _, ok := bot.DependsOn["redis"]; !ok {
		t.Error("bot does not depend on redis")
	}
	if bot.DependsOn["redis"].Condition == "service_healthy" {
		t.Error("bot waits for redis to be healthy; it must start (in memory) without it")
	}
	for name, s := range c.Services {
		if s.Restart != "unless-stopped" && s.Restart != "always" {
			t.Errorf("%s restart = %q, want unless-stopped or always", name, s.Restart)
		}
		if s.Healthcheck == nil || len(s.Healthcheck.Test) == 0 {
			t.Errorf("%s has no health check", name)
		}
	}
	if hc := bot.Healthcheck; hc != nil {
		want := []string{"CMD", "/usr/local/bin/beianbot", "healthcheck"}
		if !slices.Equal(hc.Test, want) {
			t.Errorf("bot healthcheck test = %v, want %v (exec form: the image has no shell)", hc.Test, want)
		}
		if d, err := time.ParseDuration(hc.Timeout); err != nil || d < 4*time.Second {
			t.Errorf("bot healthcheck timeout = %q, want ≥ 4s (the probe itself waits up to 3s)", hc.Timeout)
		}
	}
	if d, err := time.ParseDuration(bot.StopGracePeriod); err != nil || d <= 10*time.Second {
		t.Errorf("bot stop_grace_period = %q, want more than the 10 s shutdown takes", bot.StopGracePeriod)
	}
	redis := c.Services["redis"]
	if !strings.HasPrefix(redis.Image, "redis:") {
		t.Errorf("redis image = %q", redis.Image)
	}
	// Evicting would drop dedup ids or live rate-limit windows early.
	if i := slices.Index(redis.Command, "--maxmemory-policy"); i < 0 || i+1 >= len(redis.Command) || redis.Command[i+1] != "noeviction" {
		t.Errorf("redis command = %q, want --maxmemory-policy noeviction", redis.Command)
	}

	// Every ${VAR} the file interpolates is documented in .env.example.
	env := envExample(t)
	for _, m := range regexp.MustCompile(`\$\{([A-Z0-9_]+)`).FindAllStringSubmatch(raw, -1) {
		if _, ok := env[m[1]]; !ok {
			t.Errorf("docker-compose.yml uses ${%s}, which .env.example does not list", m[1])
		}
	}
}

// envExample parses .env.example into variable -> the comment above it,
// failing on lines that are neither comments nor VAR=value.
func envExample(t *testing.T) map[string]string {
	t.Helper()
	vars := map[string]string{}
	var comment []string
	sc := bufio.NewScanner(strings.NewReader(readRoot(t, ".env.example")))
	line := 0
	assign := regexp.MustCompile(`^([A-Z][A-Z0-9_]*)=(.*)$`)
	for sc.Scan() {
		line++
		text := sc.Text()
		switch {
		case strings.TrimSpace(text) == "":
			comment = nil
		case strings.HasPrefix(text, "#"):
			comment = append(comment, strings.TrimSpace(strings.TrimPrefix(text, "#")))
		default:
			m := assign.FindStringSubmatch(text)
			if m == nil {
				t.Errorf(".env.example:%d: not VAR=value: %q", line, text)
				continue
			}
			if _, dup := vars[m[1]]; dup {
				t.Errorf(".env.example:%d: %s listed twice", line, m[1])
			}
			vars[m[1]] = strings.Join(comment, " ")
			comment = nil
		}
	}
	return vars
}

func TestEnvExample(t *testing.T) {
	env := envExample(t)
	want := slices.Clone(contractVars)
	// Every variable the command reads, so a new setting cannot go
	// undocumented.
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	read := regexp.MustCompile(`get(?:env)?\("([A-Z0-9_]+)"\)`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range read.FindAllStringSubmatch(string(b), -1) {
			want = append(want, m[1])
		}
	}
	for _, v := range want {
		c, ok := env[v]
		switch {
		case !ok:
			t.Errorf(".env.example does not list %s", v)
		case len(c) < 10:
			t.Errorf(".env.example: %s has no comment saying what it is", v)
		}
	}
}

func TestDockerfile(t *testing.T) {
	df := readRoot(t, "Dockerfile")
	stages := regexp.MustCompile(`(?m)^FROM\s+(\S+)(?:\s+AS\s+(\S+))?`).FindAllStringSubmatch(df, -1)
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stages, want a build and a runtime stage", len(stages))
	}
	runtime := df[strings.LastIndex(df, "\nFROM "):]
	for _, want := range []string{
		"CGO_ENABLED=0 go build",
		"./cmd/beianbot",
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if base := stages[len(stages)-1][1]; !strings.Contains(base, "distroless/static") || !strings.HasSuffix(base, ":nonroot") {
		t.Errorf("runtime base = %q, want a static distroless nonroot image (CA certificates, no root)", base)
	}
	for _, want := range []string{
		"USER nonroot",
		"COPY --from=build /out/beianbot /usr/local/bin/beianbot",
		`ENTRYPOINT ["/usr/local/bin/beianbot"]`,
		`CMD ["/usr/local/bin/beianbot", "healthcheck"]`,
		"EXPOSE 8080",
	} {
		if !strings.Contains(runtime, want) {
			t.Errorf("runtime stage lacks %q", want)
		}
	}
	di := readRoot(t, ".dockerignore")
	for _, want := range []string{".git", ".env"} {
		if !slices.Contains(strings.Split(di, "\n"), want) {
			t.Errorf(".dockerignore does not exclude %s", want)
		}
	}
}
