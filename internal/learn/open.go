package learn

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// DefaultFile is the SQLite file used when no database is configured, in
// the working directory.
const DefaultFile = "beianbot.db"

// Location is a parsed BEIANBOT_DATABASE_URL.
type Location struct {
	// Postgres is true for a PostgreSQL URL; then URL is set, else Path.
	Postgres bool
	URL      string
	Path     string
}

// String names the database without secrets: the SQLite file, or the
// PostgreSQL host and database.
func (l Location) String() string {
	if !l.Postgres {
		return l.Path
	}
	u, err := url.Parse(l.URL)
	if err != nil {
		return "postgres"
	}
	return "postgres://" + u.Host + u.Path
}

// ErrBadURL is returned by ParseURL for a value it cannot use.
var ErrBadURL = errors.New("want a file path, sqlite:PATH, or postgres://…")

// ParseURL parses a database setting: empty (DefaultFile), a plain path,
// sqlite:PATH, or postgres:// (postgresql://) URL.
func ParseURL(raw string) (Location, error) {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return Location{Path: DefaultFile}, nil
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return Location{}, fmt.Errorf("%q: %w", redactURL(raw), ErrBadURL)
		}
		return Location{Postgres: true, URL: raw}, nil
	}
	path := raw
	if rest, ok := strings.CutPrefix(raw, "sqlite:"); ok {
		path = strings.TrimPrefix(rest, "//")
	} else if strings.Contains(raw, "://") {
		return Location{}, fmt.Errorf("%q: %w", redactURL(raw), ErrBadURL)
	}
	if path == "" || strings.ContainsRune(path, 0) {
		return Location{}, fmt.Errorf("%q: %w", raw, ErrBadURL)
	}
	return Location{Path: filepath.Clean(path)}, nil
}

// redactURL drops the password from a URL for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		if i := strings.Index(raw, "@"); i >= 0 {
			return "…" + raw[i:]
		}
		return raw
	}
	return u.Redacted()
}

// Open connects to the database at loc and applies the schema migrations.
// A file that is not a database, or that cannot be written, is an error
// naming it.
func Open(ctx context.Context, loc Location) (Store, error) {
	s := &sqlStore{where: loc.String()}
	var err error
	if loc.Postgres {
		s.d = postgresDialect
		s.db, err = sql.Open("pgx", loc.URL)
		if err == nil {
			s.db.SetMaxOpenConns(8)
			s.db.SetMaxIdleConns(4)
			s.db.SetConnMaxIdleTime(5 * time.Minute)
		}
	} else {
		s.d = sqliteDialect
		if _, statErr := os.Stat(loc.Path); errors.Is(statErr, fs.ErrNotExist) {
			// A new file is the bot's alone: it holds what users asked.
			if f, err := os.OpenFile(loc.Path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err == nil {
				f.Close()
			}
		}
		s.db, err = sql.Open("sqlite", sqliteDSN(loc.Path))
		if err == nil {
			// One connection: SQLite has one writer anyway, and this way
			// the bot never waits on its own lock.
			s.db.SetMaxOpenConns(1)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", s.where, err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open database %s: %w", s.where, err)
	}
	return s, nil
}

// sqliteDSN is the modernc.org/sqlite data source for path: a write-ahead
// log (readers do not block the writer), a wait when another process (the
// CLI) holds the lock, and transactions that take the write lock at once.
func sqliteDSN(path string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + esc + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}
