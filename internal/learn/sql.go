package learn

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dialect is what differs between SQLite and PostgreSQL.
type dialect struct {
	name string
	// serial is the column type of an auto-numbered primary key.
	serial string
	// dollar: placeholders are $1, $2… rather than ?.
	dollar bool
	// lock, when set, is run first in the migration transaction so that
	// replicas starting together migrate one at a time.
	lock string
}

var (
	sqliteDialect   = dialect{name: "sqlite", serial: "INTEGER PRIMARY KEY AUTOINCREMENT"}
	postgresDialect = dialect{name: "postgres", serial: "BIGSERIAL PRIMARY KEY", dollar: true,
		lock: "SELECT pg_advisory_xact_lock(7243190)"}
)

// q rewrites the ? placeholders of s for the dialect.
func (d dialect) q(s string) string {
	if !d.dollar {
		return s
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// migrations are applied in order, each once; their number is their index
// plus one. Never edit one that has shipped: add another.
func migrations(d dialect) [][]string {
	return [][]string{{
		`CREATE TABLE questions (id TEXT PRIMARY KEY, platform TEXT NOT NULL, chat TEXT NOT NULL,
			user_key TEXT NOT NULL, text TEXT NOT NULL, outcome TEXT NOT NULL, entry TEXT NOT NULL,
			score DOUBLE PRECISION NOT NULL, offered TEXT NOT NULL, at BIGINT NOT NULL)`,
		`CREATE INDEX questions_at ON questions (at)`,
		`CREATE INDEX questions_user ON questions (user_key)`,
		// slot makes feedback unique per question and user: "vote" for
		// 👍/👎, "pick:<entry>" for a suggestion pressed.
		`CREATE TABLE feedback (question TEXT NOT NULL, user_key TEXT NOT NULL, kind TEXT NOT NULL,
			entry TEXT NOT NULL, slot TEXT NOT NULL, at BIGINT NOT NULL,
			PRIMARY KEY (question, user_key, slot))`,
		`CREATE INDEX feedback_at ON feedback (at)`,
		`CREATE INDEX feedback_user ON feedback (user_key)`,
		`CREATE TABLE phrasings (id ` + d.serial + `, entry TEXT NOT NULL, text TEXT NOT NULL,
			who TEXT NOT NULL, at BIGINT NOT NULL, UNIQUE (entry, text))`,
		`CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)`,
	}}
}

// sqlStore is the Store on a database/sql connection pool.
type sqlStore struct {
	db *sql.DB
	d  dialect
	// where names the database in errors (the file, or the host).
	where string
}

// migrate brings the schema up to date and proves the database writable.
func (s *sqlStore) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if s.d.lock != "" {
		if _, err := tx.ExecContext(ctx, s.d.lock); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return err
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&have); err != nil {
		return err
	}
	all := migrations(s.d)
	if have > len(all) {
		return fmt.Errorf("schema version %d is newer than this binary knows (%d)", have, len(all))
	}
	for v := have + 1; v <= len(all); v++ {
		for _, stmt := range all[v-1] {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migration %d: %w", v, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.d.q(`INSERT INTO schema_version (version) VALUES (?)`), v); err != nil {
			return err
		}
	}
	// A write on every start, so a read-only database fails here, not on
	// the first question.
	if _, err := tx.ExecContext(ctx, s.d.q(`INSERT INTO meta (k, v) VALUES ('opened', ?)
		ON CONFLICT (k) DO UPDATE SET v = excluded.v`), time.Now().UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	return tx.Commit()
}

// batchRows bounds the rows of one INSERT.
const batchRows = 100

// AddQuestions stores qs: on PostgreSQL in one statement over arrays, on
// SQLite in one transaction, a few rows per INSERT.
func (s *sqlStore) AddQuestions(ctx context.Context, qs []Question) error {
	if len(qs) == 0 {
		return nil
	}
	var err error
	if s.d.dollar {
		err = s.insertArrays(ctx, qs)
	} else {
		err = s.insertRows(ctx, qs)
	}
	if err != nil {
		return fmt.Errorf("store questions: %w", err)
	}
	return nil
}

// insertArrays is PostgreSQL's batch insert: each column as an array,
// unnested into rows, whatever the batch size.
func (s *sqlStore) insertArrays(ctx context.Context, qs []Question) error {
	cols := make([][]string, 8) // the text columns, in order
	scores := make([]float64, len(qs))
	ats := make([]int64, len(qs))
	for i, q := range qs {
		for c, v := range textColumns(q) {
			cols[c] = append(cols[c], v)
		}
		scores[i], ats[i] = q.Score, q.Time.UnixMilli()
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO questions (id, platform, chat, user_key, text, outcome, entry, offered, score, at)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
			$9::float8[], $10::bigint[])
		ON CONFLICT (id) DO NOTHING`,
		cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7], scores, ats)
	return err
}

// textColumns is a question's text columns as stored: id, platform, chat,
// user key, text, outcome, entry, offered.
func textColumns(q Question) [8]string {
	return [8]string{q.ID, q.Platform, q.Chat, q.UserKey, Bound(q.Text), q.Outcome, q.Entry, strings.Join(q.Offered, " ")}
}

// insertRows is SQLite's batch insert: multi-row INSERTs in one
// transaction.
func (s *sqlStore) insertRows(ctx context.Context, qs []Question) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	for len(qs) > 0 {
		n := min(len(qs), batchRows)
		var b strings.Builder
		b.WriteString(`INSERT INTO questions (id, platform, chat, user_key, text, outcome, entry, offered, score, at) VALUES `)
		args := make([]any, 0, n*10)
		for i, q := range qs[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			for _, v := range textColumns(q) {
				args = append(args, v)
			}
			args = append(args, q.Score, q.Time.UnixMilli())
		}
		b.WriteString(` ON CONFLICT (id) DO NOTHING`)
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
		qs = qs[n:]
	}
	return tx.Commit()
}

// AddFeedback stores f unless its slot (vote, or pick of an entry) is taken.
func (s *sqlStore) AddFeedback(ctx context.Context, f Feedback) (bool, error) {
	slot := "vote"
	switch f.Kind {
	case KindUp, KindDown:
	case KindPick:
		slot = "pick:" + f.Entry
	default:
		return false, fmt.Errorf("store feedback: unknown kind %q", f.Kind)
	}
	return s.changed(ctx, "store feedback", `INSERT INTO feedback (question, user_key, kind, entry, slot, at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (question, user_key, slot) DO NOTHING`,
		f.Question, f.UserKey, f.Kind, f.Entry, slot, f.Time.UnixMilli())
}

// changed runs a statement and reports whether it changed a row; what names
// it in an error.
func (s *sqlStore) changed(ctx context.Context, what, query string, args ...any) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.d.q(query), args...)
	if err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	return n > 0, nil
}

const questionCols = `id, platform, chat, user_key, text, outcome, entry, score, offered, at`

func scanQuestion(sc interface{ Scan(...any) error }) (Question, error) {
	var q Question
	var offered string
	var at int64
	if err := sc.Scan(&q.ID, &q.Platform, &q.Chat, &q.UserKey, &q.Text, &q.Outcome, &q.Entry, &q.Score, &offered, &at); err != nil {
		return Question{}, err
	}
	if offered != "" {
		q.Offered = strings.Fields(offered)
	}
	q.Time = time.UnixMilli(at).UTC()
	return q, nil
}

// Question reads one question by id.
func (s *sqlStore) Question(ctx context.Context, id string) (Question, bool, error) {
	q, err := scanQuestion(s.db.QueryRowContext(ctx, s.d.q(`SELECT `+questionCols+` FROM questions WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Question{}, false, nil
	}
	if err != nil {
		return Question{}, false, fmt.Errorf("read question: %w", err)
	}
	return q, true, nil
}

// Questions reads the questions asked since a time, oldest first.
func (s *sqlStore) Questions(ctx context.Context, since time.Time) ([]Question, error) {
	rows, err := s.db.QueryContext(ctx, s.d.q(`SELECT `+questionCols+` FROM questions WHERE at >= ? ORDER BY at, id`), since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("read questions: %w", err)
	}
	defer rows.Close()
	var out []Question
	for rows.Next() {
		q, err := scanQuestion(rows)
		if err != nil {
			return nil, fmt.Errorf("read questions: %w", err)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read questions: %w", err)
	}
	return out, nil
}

// Feedback reads the feedback given since a time.
func (s *sqlStore) Feedback(ctx context.Context, since time.Time) ([]Feedback, error) {
	rows, err := s.db.QueryContext(ctx, s.d.q(`SELECT question, user_key, kind, entry, at FROM feedback WHERE at >= ? ORDER BY at`), since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("read feedback: %w", err)
	}
	defer rows.Close()
	var out []Feedback
	for rows.Next() {
		var f Feedback
		var at int64
		if err := rows.Scan(&f.Question, &f.UserKey, &f.Kind, &f.Entry, &at); err != nil {
			return nil, fmt.Errorf("read feedback: %w", err)
		}
		f.Time = time.UnixMilli(at).UTC()
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read feedback: %w", err)
	}
	return out, nil
}

// Teach stores a phrasing unless the entry has it already.
func (s *sqlStore) Teach(ctx context.Context, entry, text, who string) (bool, error) {
	return s.changed(ctx, "store phrasing", `INSERT INTO phrasings (entry, text, who, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (entry, text) DO NOTHING`, entry, Bound(text), who, time.Now().UnixMilli())
}

// Unteach deletes a taught phrasing.
func (s *sqlStore) Unteach(ctx context.Context, entry, text string) (bool, error) {
	return s.changed(ctx, "delete phrasing", `DELETE FROM phrasings WHERE entry = ? AND text = ?`, entry, Bound(text))
}

// Phrasings reads every taught phrasing in the order taught.
func (s *sqlStore) Phrasings(ctx context.Context) ([]Phrasing, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, entry, text, who, at FROM phrasings ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read phrasings: %w", err)
	}
	defer rows.Close()
	var out []Phrasing
	for rows.Next() {
		var p Phrasing
		var at int64
		if err := rows.Scan(&p.ID, &p.Entry, &p.Text, &p.Who, &at); err != nil {
			return nil, fmt.Errorf("read phrasings: %w", err)
		}
		p.Time = time.UnixMilli(at).UTC()
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read phrasings: %w", err)
	}
	return out, nil
}

// PhrasingsVersion is the count and latest id of the phrasings.
func (s *sqlStore) PhrasingsVersion(ctx context.Context) (string, error) {
	var n, last int64
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(id), 0) FROM phrasings`).Scan(&n, &last); err != nil {
		return "", fmt.Errorf("read phrasings version: %w", err)
	}
	return strconv.FormatInt(n, 10) + ":" + strconv.FormatInt(last, 10), nil
}

// deleteWhere deletes from questions and feedback in one transaction.
func (s *sqlStore) deleteWhere(ctx context.Context, cond string, arg any) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	var total int64
	for _, table := range []string{"questions", "feedback"} {
		res, err := tx.ExecContext(ctx, s.d.q(`DELETE FROM `+table+` WHERE `+cond), arg)
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, tx.Commit()
}

// Forget deletes one user key's questions and feedback.
func (s *sqlStore) Forget(ctx context.Context, userKey string) (int64, error) {
	n, err := s.deleteWhere(ctx, "user_key = ?", userKey)
	if err != nil {
		return 0, fmt.Errorf("forget user: %w", err)
	}
	return n, nil
}

// ForgetBefore deletes the questions and feedback older than t.
func (s *sqlStore) ForgetBefore(ctx context.Context, t time.Time) (int64, error) {
	n, err := s.deleteWhere(ctx, "at < ?", t.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("forget before %s: %w", t.Format(time.RFC3339), err)
	}
	return n, nil
}

// Secret returns the user-key secret, made on first use.
func (s *sqlStore) Secret(ctx context.Context) ([]byte, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, fmt.Errorf("make user key secret: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, s.d.q(`INSERT INTO meta (k, v) VALUES ('user_key_secret', ?) ON CONFLICT (k) DO NOTHING`),
		hex.EncodeToString(raw[:])); err != nil {
		return nil, fmt.Errorf("store user key secret: %w", err)
	}
	var v string
	if err := s.db.QueryRowContext(ctx, `SELECT v FROM meta WHERE k = 'user_key_secret'`).Scan(&v); err != nil {
		return nil, fmt.Errorf("read user key secret: %w", err)
	}
	b, err := hex.DecodeString(v)
	if err != nil || len(b) < 16 {
		return nil, fmt.Errorf("read user key secret: malformed value in %s", s.where)
	}
	return b, nil
}

// Claim inserts a claim row and reports whether it was the first.
func (s *sqlStore) Claim(ctx context.Context, key string) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.d.q(`INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING`),
		"claim:"+key, time.Now().UTC().Format(time.RFC3339))
	if err != nil {
		return false, fmt.Errorf("claim %s: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim %s: %w", key, err)
	}
	return n > 0, nil
}

// Ping checks the database answers.
func (s *sqlStore) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", s.where, err)
	}
	return nil
}

// Close closes the connection pool.
func (s *sqlStore) Close() error { return s.db.Close() }

// Bound cuts s to at most MaxText bytes at a character boundary.
func Bound(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= MaxText {
		return s
	}
	cut := MaxText
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
