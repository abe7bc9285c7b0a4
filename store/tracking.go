package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/tracking"
)

var _ tracking.Store = (*DB)(nil)

const trackerColumns = `id, carrier, account, tracking_number, status, tracking, active, next_poll_at, last_error, created_at, updated_at`

// never is the next_poll_at of a tracker that is no longer polled.
const never = int64(1) << 62

func scanTracker(row interface{ Scan(...any) error }) (*tracking.Tracker, error) {
	var t tracking.Tracker
	var status, tr, lastErr string
	var active int
	var next, created, updated int64
	if err := row.Scan(&t.ID, &t.Carrier, &t.Account, &t.TrackingNumber, &status, &tr, &active, &next, &lastErr, &created, &updated); err != nil {
		return nil, err
	}
	t.Status, t.Active = shipgate.Status(status), active == 1
	if tr != "" {
		var x shipgate.Tracking
		if err := json.Unmarshal([]byte(tr), &x); err != nil {
			return nil, err
		}
		t.Tracking = &x
	}
	if lastErr != "" {
		var e shipgate.ErrorBody
		if json.Unmarshal([]byte(lastErr), &e) == nil {
			t.LastError = &e
		}
	}
	if t.Active && next != never {
		n := fromMicros(next)
		t.NextPollAt = &n
	}
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &t, nil
}

func trackerValues(t *tracking.Tracker) (tr, lastErr string, active int, next int64, err error) {
	if t.Tracking != nil {
		b, err := json.Marshal(t.Tracking)
		if err != nil {
			return "", "", 0, 0, err
		}
		tr = string(b)
	}
	lastErr = errJSON(t.LastError)
	next = never
	if t.Active {
		active = 1
		if t.NextPollAt != nil {
			next = micros(*t.NextPollAt)
		}
	}
	return tr, lastErr, active, next, nil
}

// CreateTracker adds a tracker and its first event, or returns the tracker
// that already follows the number for the account.
func (d *DB) CreateTracker(ctx context.Context, t *tracking.Tracker, ev *shipgate.Event) (*tracking.Tracker, error) {
	tr, lastErr, active, next, err := trackerValues(t)
	if err != nil {
		return nil, err
	}
	var created bool
	err = d.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO trackers (id, carrier, account, tracking_number, status, tracking, active, next_poll_at, last_error, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (account, tracking_number) DO NOTHING`,
			t.ID, t.Carrier, t.Account, t.TrackingNumber, string(t.Status), tr, active, next, lastErr, micros(t.CreatedAt), micros(t.UpdatedAt))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		created = true
		return insertEvent(ctx, tx, ev)
	})
	if err != nil || created {
		return nil, err
	}
	return scanTracker(d.sql.QueryRowContext(ctx, `SELECT `+trackerColumns+` FROM trackers WHERE account = $1 AND tracking_number = $2`, t.Account, t.TrackingNumber))
}

// GetTracker returns a tracker by id.
func (d *DB) GetTracker(ctx context.Context, id string) (*tracking.Tracker, error) {
	t, err := scanTracker(d.sql.QueryRowContext(ctx, `SELECT `+trackerColumns+` FROM trackers WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("tracker", id)
	}
	return t, err
}

// ListTrackers returns trackers newest first.
func (d *DB) ListTrackers(ctx context.Context, cursor string, limit int) ([]*tracking.Tracker, string, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	q := `SELECT ` + trackerColumns + ` FROM trackers`
	var args []any
	if cursor != "" {
		cond, err := afterCursor(cursor, func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) })
		if err != nil {
			return nil, "", err
		}
		q += " WHERE " + cond
	}
	q += ` ORDER BY created_at DESC, id DESC LIMIT ` + strconv.Itoa(limit+1)
	rows, err := d.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []*tracking.Tracker
	for rows.Next() {
		t, err := scanTracker(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := page(out, limit, func(t *tracking.Tracker) (time.Time, string) { return t.CreatedAt, t.ID })
	return out, next, nil
}

// DeleteTracker removes a tracker.
func (d *DB) DeleteTracker(ctx context.Context, id string) error {
	res, err := d.sql.ExecContext(ctx, `DELETE FROM trackers WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return notFound("tracker", id)
	}
	return nil
}

// skipLocked is PostgreSQL's row lock clause for claims: concurrent pollers
// skip the rows another one is claiming. SQLite serializes writers instead.
func (d *DB) skipLocked() string {
	if d.dialect == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// ClaimTrackers reserves due trackers for one poller.
func (d *DB) ClaimTrackers(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*tracking.Tracker, error) {
	rows, err := d.sql.QueryContext(ctx, `UPDATE trackers SET lease_until = $2
		WHERE id IN (SELECT id FROM trackers WHERE active = 1 AND next_poll_at <= $1 AND lease_until <= $1
		             ORDER BY next_poll_at LIMIT $3`+d.skipLocked()+`)
		RETURNING `+trackerColumns, micros(now), micros(leaseUntil), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*tracking.Tracker
	for rows.Next() {
		t, err := scanTracker(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// UpdateTracker saves a poll and its event, and releases the claim.
func (d *DB) UpdateTracker(ctx context.Context, t *tracking.Tracker, ev *shipgate.Event) error {
	tr, lastErr, active, next, err := trackerValues(t)
	if err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE trackers SET status = $2, tracking = $3, active = $4, next_poll_at = $5, last_error = $6, updated_at = $7, lease_until = 0 WHERE id = $1`,
			t.ID, string(t.Status), tr, active, next, lastErr, micros(t.UpdatedAt))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil // deleted while it was polled: nothing to announce
		}
		return insertEvent(ctx, tx, ev)
	})
}

func placeholders(start, n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = "$" + strconv.Itoa(start+i)
	}
	return strings.Join(p, ", ")
}
