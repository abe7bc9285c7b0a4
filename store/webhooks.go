package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/webhooks"
)

var _ webhooks.Store = (*DB)(nil)

// CreateWebhook stores a webhook.
func (d *DB) CreateWebhook(ctx context.Context, w *webhooks.Webhook) error {
	evs, _ := json.Marshal(w.Events)
	_, err := d.sql.ExecContext(ctx, `INSERT INTO webhooks (id, url, events, secret, created_at) VALUES ($1, $2, $3, $4, $5)`,
		w.ID, w.URL, string(evs), w.Secret, micros(w.CreatedAt))
	return err
}

func scanWebhook(row interface{ Scan(...any) error }) (*webhooks.Webhook, error) {
	var w webhooks.Webhook
	var evs string
	var created int64
	if err := row.Scan(&w.ID, &w.URL, &evs, &w.Secret, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(evs), &w.Events); err != nil {
		return nil, err
	}
	w.CreatedAt = fromMicros(created)
	return &w, nil
}

// GetWebhook returns a webhook with its secret.
func (d *DB) GetWebhook(ctx context.Context, id string) (*webhooks.Webhook, error) {
	w, err := scanWebhook(d.sql.QueryRowContext(ctx, `SELECT id, url, events, secret, created_at FROM webhooks WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("webhook", id)
	}
	return w, err
}

// ListWebhooks returns every webhook, oldest first.
func (d *DB) ListWebhooks(ctx context.Context) ([]*webhooks.Webhook, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT id, url, events, secret, created_at FROM webhooks ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*webhooks.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// DeleteWebhook removes a webhook with its deliveries and their attempts.
func (d *DB) DeleteWebhook(ctx context.Context, id string) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE webhook_id = $1)`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM deliveries WHERE webhook_id = $1`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return notFound("webhook", id)
		}
		return nil
	})
}

// FanOut turns new events into deliveries, one per subscribed webhook.
func (d *DB) FanOut(ctx context.Context, now time.Time, limit int) (int, error) {
	n := 0
	err := d.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT seq, id, type, created_at FROM events WHERE fanned_out = 0 ORDER BY seq LIMIT $1`+d.skipLocked(), limit)
		if err != nil {
			return err
		}
		type ev struct {
			seq     int64
			id, typ string
			at      int64
		}
		var evs []ev
		for rows.Next() {
			var e ev
			if err := rows.Scan(&e.seq, &e.id, &e.typ, &e.at); err != nil {
				rows.Close()
				return err
			}
			evs = append(evs, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(evs) == 0 {
			return err
		}
		hrows, err := tx.QueryContext(ctx, `SELECT id, url, events, secret, created_at FROM webhooks`)
		if err != nil {
			return err
		}
		var hooks []*webhooks.Webhook
		for hrows.Next() {
			w, err := scanWebhook(hrows)
			if err != nil {
				hrows.Close()
				return err
			}
			hooks = append(hooks, w)
		}
		hrows.Close()
		seqs := make([]any, len(evs))
		for i, e := range evs {
			seqs[i] = e.seq
			for _, w := range hooks {
				if !slices.Contains(w.Events, e.typ) || micros(w.CreatedAt) > e.at {
					continue
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (id, webhook_id, event_id, event_type, status, next_attempt_at, created_at)
					VALUES ($1, $2, $3, $4, 'pending', $5, $5) ON CONFLICT (webhook_id, event_id) DO NOTHING`,
					deliveryID(), w.ID, e.id, e.typ, micros(now)); err != nil {
					return err
				}
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE events SET fanned_out = 1 WHERE seq IN (`+placeholders(1, len(seqs))+`)`, seqs...)
		n = len(evs)
		return err
	})
	return n, err
}

// deliveryID returns a new random delivery id.
func deliveryID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "dlv_" + hex.EncodeToString(b[:])
}

// ClaimDeliveries reserves due deliveries for one sender.
func (d *DB) ClaimDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*webhooks.Claimed, error) {
	rows, err := d.sql.QueryContext(ctx, `UPDATE deliveries SET lease_until = $2
		WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $1 AND lease_until <= $1
		             ORDER BY next_attempt_at LIMIT $3`+d.skipLocked()+`)
		RETURNING id`, micros(now), micros(leaseUntil), limit)
	if err != nil {
		return nil, err
	}
	var ids []any
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return nil, err
	}
	q := `SELECT d.id, d.webhook_id, d.event_id, d.event_type, d.status, d.attempts, d.created_at, w.url, w.secret, e.created_at, e.data
		FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.id = d.event_id
		WHERE d.id IN (` + placeholders(1, len(ids)) + `)`
	rows, err = d.sql.QueryContext(ctx, q, ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*webhooks.Claimed
	for rows.Next() {
		var c webhooks.Claimed
		var created, evAt int64
		var data string
		if err := rows.Scan(&c.Delivery.ID, &c.Delivery.WebhookID, &c.Delivery.EventID, &c.Delivery.EventType, &c.Delivery.Status, &c.Delivery.Attempts,
			&created, &c.URL, &c.Secret, &evAt, &data); err != nil {
			return nil, err
		}
		c.Delivery.CreatedAt = fromMicros(created)
		c.Event = shipgate.Event{ID: c.Delivery.EventID, Type: c.Delivery.EventType, CreatedAt: fromMicros(evAt), Data: json.RawMessage(data)}
		out = append(out, &c)
	}
	return out, rows.Err()
}

// RecordAttempt records one attempt and the delivery's new state.
func (d *DB) RecordAttempt(ctx context.Context, id string, a webhooks.Attempt, status string, next *time.Time) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO delivery_attempts (delivery_id, at, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5)`,
			id, micros(a.At), a.StatusCode, a.Error, a.DurationMS); err != nil {
			return err
		}
		nextAt := int64(never)
		if next != nil {
			nextAt = micros(*next)
		}
		var delivered any
		if status == webhooks.StatusDelivered {
			delivered = micros(a.At)
		}
		_, err := tx.ExecContext(ctx, `UPDATE deliveries SET attempts = attempts + 1, status = $2, next_attempt_at = $3, last_status_code = $4,
			last_error = $5, lease_until = 0, delivered_at = $6 WHERE id = $1`, id, status, nextAt, a.StatusCode, a.Error, delivered)
		return err
	})
}

// ListDeliveries returns a webhook's deliveries, newest first, with their attempts.
func (d *DB) ListDeliveries(ctx context.Context, webhookID, cursor string, limit int) ([]*webhooks.Delivery, string, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	q := `SELECT id, webhook_id, event_id, event_type, status, attempts, next_attempt_at, last_status_code, last_error, created_at, delivered_at
		FROM deliveries WHERE webhook_id = $1`
	args := []any{webhookID}
	if cursor != "" {
		cond, err := afterCursor(cursor, func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) })
		if err != nil {
			return nil, "", err
		}
		q += " AND " + cond
	}
	q += ` ORDER BY created_at DESC, id DESC LIMIT ` + strconv.Itoa(limit+1)
	rows, err := d.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	var out []*webhooks.Delivery
	for rows.Next() {
		var dl webhooks.Delivery
		var next, created int64
		var delivered sql.NullInt64
		if err := rows.Scan(&dl.ID, &dl.WebhookID, &dl.EventID, &dl.EventType, &dl.Status, &dl.Attempts, &next, &dl.LastStatusCode, &dl.LastError, &created, &delivered); err != nil {
			rows.Close()
			return nil, "", err
		}
		if dl.Status == webhooks.StatusPending && next != never {
			n := fromMicros(next)
			dl.NextAttemptAt = &n
		}
		dl.CreatedAt = fromMicros(created)
		if delivered.Valid {
			t := fromMicros(delivered.Int64)
			dl.DeliveredAt = &t
		}
		out = append(out, &dl)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, nextCursor := page(out, limit, func(d *webhooks.Delivery) (time.Time, string) { return d.CreatedAt, d.ID })
	if len(out) == 0 {
		return out, nextCursor, nil
	}
	byID := make(map[string]*webhooks.Delivery, len(out))
	ids := make([]any, len(out))
	for i, dl := range out {
		byID[dl.ID], ids[i] = dl, dl.ID
	}
	arows, err := d.sql.QueryContext(ctx, `SELECT delivery_id, at, status_code, error, duration_ms FROM delivery_attempts
		WHERE delivery_id IN (`+placeholders(1, len(ids))+`) ORDER BY at`, ids...)
	if err != nil {
		return nil, "", err
	}
	defer arows.Close()
	for arows.Next() {
		var a webhooks.Attempt
		var id string
		var at int64
		if err := arows.Scan(&id, &at, &a.StatusCode, &a.Error, &a.DurationMS); err != nil {
			return nil, "", err
		}
		a.At = fromMicros(at)
		byID[id].History = append(byID[id].History, a)
	}
	if err := arows.Err(); err != nil {
		return nil, "", err
	}
	return out, nextCursor, nil
}
