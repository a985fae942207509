package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// testDatabase is the SQLite file tests share when they do not set
// BEIANBOT_DATABASE_URL, so that no test leaves one in the package folder.
var testDatabase string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "beianbot-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testDatabase = filepath.Join(dir, "shared.db")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o644) }
