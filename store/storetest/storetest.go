// Package storetest opens throw-away databases for tests: SQLite in a temp
// directory always, and PostgreSQL in a fresh schema when
// SHIPGATE_TEST_POSTGRES_URL is set.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shipgate/shipgate/store"
)

// EnvPostgresURL names the environment variable with a PostgreSQL for tests.
const EnvPostgresURL = "SHIPGATE_TEST_POSTGRES_URL"

// SQLite opens a new SQLite database file in a temp directory; reopening its
// URL (a restart) finds the same data.
func SQLite(t testing.TB) (*store.DB, string) {
	t.Helper()
	u := "sqlite://" + filepath.Join(t.TempDir(), "shipgate.db")
	return open(t, u), u
}

var seq atomic.Int64

// Postgres opens the database named by SHIPGATE_TEST_POSTGRES_URL in a schema
// of its own (dropped after the test), or skips the test naming the variable.
func Postgres(t testing.TB) (*store.DB, string) {
	t.Helper()
	base := os.Getenv(EnvPostgresURL)
	if base == "" {
		t.Skipf("%s is not set: skipping the PostgreSQL run", EnvPostgresURL)
	}
	schema := fmt.Sprintf("shipgate_test_%d_%d", time.Now().UnixNano()%1e9, seq.Add(1))
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("%s: %v", EnvPostgresURL, err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return open(t, u.String()), u.String()
}

func open(t testing.TB, u string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Each runs f against SQLite and, when configured, PostgreSQL; url reopens
// the same database (to test a restart).
func Each(t *testing.T, f func(t *testing.T, db *store.DB, url string)) {
	t.Run("sqlite", func(t *testing.T) { db, u := SQLite(t); f(t, db, u) })
	t.Run("postgres", func(t *testing.T) { db, u := Postgres(t); f(t, db, u) })
}
