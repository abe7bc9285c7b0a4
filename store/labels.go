package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/labels"
)

var _ labels.Store = (*DB)(nil)

const labelColumns = `id, scope, idempotency_key, request_hash, status, spec, label, error, lease_until, created_at, updated_at, voided_at`

func scanLabel(row interface{ Scan(...any) error }) (*labels.Record, error) {
	var r labels.Record
	var status, spec, label, errBody string
	var lease, created, updated int64
	var voided sql.NullInt64
	if err := row.Scan(&r.Label.ID, &r.Scope, &r.IdempotencyKey, &r.RequestHash, &status, &spec, &label, &errBody, &lease, &created, &updated, &voided); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(label), &r.Label); err != nil {
		return nil, fmt.Errorf("label %s: %w", r.Label.ID, err)
	}
	if err := json.Unmarshal([]byte(spec), &r.Spec); err != nil {
		return nil, fmt.Errorf("label %s spec: %w", r.Label.ID, err)
	}
	r.Label.Status = shipgate.LabelStatus(status)
	r.Label.Error = nil
	if errBody != "" {
		var e shipgate.ErrorBody
		if json.Unmarshal([]byte(errBody), &e) == nil {
			r.Label.Error = &e
		}
	}
	r.Label.CreatedAt, r.Label.UpdatedAt = fromMicros(created), fromMicros(updated)
	r.Label.VoidedAt = nil
	if voided.Valid {
		t := fromMicros(voided.Int64)
		r.Label.VoidedAt = &t
	}
	if r.Label.Parcels == nil {
		r.Label.Parcels = []shipgate.LabelParcel{}
	}
	r.LeaseUntil = fromMicros(lease)
	return &r, nil
}

// labelJSON is the stored form of a label: without its document, status and
// error, which have columns of their own.
func labelJSON(l *shipgate.Label) (string, error) {
	c := *l
	c.Label, c.Error, c.VoidedAt = nil, nil, nil
	b, err := json.Marshal(&c)
	return string(b), err
}

func errJSON(e *shipgate.ErrorBody) string {
	if e == nil {
		return ""
	}
	b, _ := json.Marshal(e)
	return string(b)
}

// InsertPending records a pending purchase, or returns the record that
// already holds its scope and key.
func (d *DB) InsertPending(ctx context.Context, r *labels.Record) (*labels.Record, error) {
	spec, err := json.Marshal(r.Spec)
	if err != nil {
		return nil, err
	}
	lj, err := labelJSON(&r.Label)
	if err != nil {
		return nil, err
	}
	res, err := d.sql.ExecContext(ctx, `INSERT INTO labels (id, scope, idempotency_key, request_hash, status, account, carrier, reference, spec, label, lease_until, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
		ON CONFLICT (scope, idempotency_key) DO NOTHING`,
		r.Label.ID, r.Scope, r.IdempotencyKey, r.RequestHash, string(r.Label.Status), r.Label.Account, r.Label.Carrier,
		r.Spec.Reference, string(spec), lj, micros(r.LeaseUntil), micros(r.Label.CreatedAt))
	if err != nil && !isUniqueViolation(err) {
		return nil, err
	}
	if err == nil {
		if n, _ := res.RowsAffected(); n == 1 {
			return nil, nil
		}
	}
	return d.GetByKey(ctx, r.Scope, r.IdempotencyKey)
}

// Retry turns a failed record back into a pending one.
func (d *DB) Retry(ctx context.Context, id string, spec labels.Spec, leaseUntil, now time.Time) (bool, error) {
	sj, err := json.Marshal(spec)
	if err != nil {
		return false, err
	}
	res, err := d.sql.ExecContext(ctx, `UPDATE labels SET status = 'pending', spec = $2, error = '', lease_until = $3, updated_at = $4
		WHERE id = $1 AND status = 'failed'`, id, string(sj), micros(leaseUntil), micros(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Complete stores a bought label with its parcels, documents and event.
func (d *DB) Complete(ctx context.Context, l *shipgate.Label, docs []labels.StoredDocument, ev *shipgate.Event) error {
	lj, err := labelJSON(l)
	if err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE labels SET status = 'purchased', label = $2, tracking_number = $3, error = '', updated_at = $4
			WHERE id = $1 AND status IN ('pending', 'in_doubt')`, l.ID, lj, l.TrackingNumber, micros(l.UpdatedAt))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return shipgate.Errorf(shipgate.CodeConflict, "label %s is no longer pending", l.ID)
		}
		for i, p := range l.Parcels {
			if _, err := tx.ExecContext(ctx, `INSERT INTO label_parcels (label_id, idx, tracking_number) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, l.ID, i, p.TrackingNumber); err != nil {
				return err
			}
		}
		for _, doc := range docs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO label_documents (label_id, parcel, format, data) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, l.ID, doc.Parcel, string(doc.Format), doc.Data); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, ev)
	})
}

func insertEvent(ctx context.Context, tx *sql.Tx, ev *shipgate.Event) error {
	if ev == nil {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO events (id, type, created_at, data) VALUES ($1, $2, $3, $4)`, ev.ID, ev.Type, micros(ev.CreatedAt), string(ev.Data))
	return err
}

// Fail records a failed or in-doubt purchase.
func (d *DB) Fail(ctx context.Context, id string, status shipgate.LabelStatus, e *shipgate.ErrorBody, now time.Time, from ...shipgate.LabelStatus) (bool, error) {
	if len(from) == 0 {
		from = []shipgate.LabelStatus{shipgate.LabelPending}
	}
	args := []any{id, string(status), errJSON(e), micros(now)}
	ph := make([]string, len(from))
	for i, f := range from {
		args = append(args, string(f))
		ph[i] = "$" + strconv.Itoa(5+i)
	}
	res, err := d.sql.ExecContext(ctx, `UPDATE labels SET status = $2, error = $3, updated_at = $4 WHERE id = $1 AND status IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Get returns a record by label id.
func (d *DB) Get(ctx context.Context, id string) (*labels.Record, error) {
	r, err := scanLabel(d.sql.QueryRowContext(ctx, `SELECT `+labelColumns+` FROM labels WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("label", id)
	}
	return r, err
}

// GetByKey returns a record by scope and idempotency key.
func (d *DB) GetByKey(ctx context.Context, scope, key string) (*labels.Record, error) {
	r, err := scanLabel(d.sql.QueryRowContext(ctx, `SELECT `+labelColumns+` FROM labels WHERE scope = $1 AND idempotency_key = $2`, scope, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("label with idempotency key", key)
	}
	return r, err
}

// List returns labels matching f, newest first, with the next page's cursor.
func (d *DB) List(ctx context.Context, f labels.Filter) ([]*labels.Record, string, error) {
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if f.Reference != "" {
		where = append(where, "reference = "+arg(f.Reference))
	}
	if f.Status != "" {
		where = append(where, "status = "+arg(string(f.Status)))
	}
	if f.TrackingNumber != "" {
		p := arg(f.TrackingNumber)
		where = append(where, "(tracking_number = "+p+" OR id IN (SELECT label_id FROM label_parcels WHERE tracking_number = "+p+"))")
	}
	if f.Cursor != "" {
		cond, err := afterCursor(f.Cursor, arg)
		if err != nil {
			return nil, "", err
		}
		where = append(where, cond)
	}
	q := `SELECT ` + labelColumns + ` FROM labels`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY created_at DESC, id DESC LIMIT " + strconv.Itoa(limit+1)
	rows, err := d.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []*labels.Record
	for rows.Next() {
		r, err := scanLabel(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := page(out, limit, func(r *labels.Record) (time.Time, string) { return r.Label.CreatedAt, r.Label.ID })
	return out, next, nil
}

// afterCursor returns the keyset condition of a page after cursor (rows are
// ordered by created_at, id, newest first); arg binds a value.
func afterCursor(cursor string, arg func(any) string) (string, error) {
	at, id, err := decodeCursor(cursor)
	if err != nil {
		return "", shipgate.FieldErrorf("cursor", "is not a cursor this API gave out")
	}
	a, b := arg(at), arg(id)
	return "(created_at < " + a + " OR (created_at = " + a + " AND id < " + b + "))", nil
}

// page cuts a query's limit+1 rows to limit and returns the next page's
// cursor ("" when there is no next page).
func page[T any](rows []T, limit int, key func(T) (time.Time, string)) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	at, id := key(rows[limit-1])
	return rows, encodeCursor(micros(at), id)
}

func encodeCursor(at int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at, 10) + ":" + id))
}

func decodeCursor(c string) (int64, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", err
	}
	at, id, ok := strings.Cut(string(b), ":")
	if !ok {
		return 0, "", errors.New("bad cursor")
	}
	v, err := strconv.ParseInt(at, 10, 64)
	return v, id, err
}

// Documents returns every stored document of a label.
func (d *DB) Documents(ctx context.Context, id string) ([]labels.StoredDocument, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT parcel, format, data FROM label_documents WHERE label_id = $1 ORDER BY parcel, format`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []labels.StoredDocument
	for rows.Next() {
		var doc labels.StoredDocument
		var f string
		if err := rows.Scan(&doc.Parcel, &f, &doc.Data); err != nil {
			return nil, err
		}
		doc.Format = shipgate.LabelFormat(f)
		out = append(out, doc)
	}
	return out, rows.Err()
}

// AddDocument stores one more document of a label.
func (d *DB) AddDocument(ctx context.Context, id string, doc labels.StoredDocument) error {
	_, err := d.sql.ExecContext(ctx, `INSERT INTO label_documents (label_id, parcel, format, data) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, id, doc.Parcel, string(doc.Format), doc.Data)
	return err
}

// MarkVoided sets a purchased label voided and records its event.
func (d *DB) MarkVoided(ctx context.Context, id string, at time.Time, ev *shipgate.Event) (bool, error) {
	var done bool
	err := d.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE labels SET status = 'voided', voided_at = $2, updated_at = $2 WHERE id = $1 AND status = 'purchased'`, id, micros(at))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil // voided already (by a concurrent request): no second event
		}
		done = true
		return insertEvent(ctx, tx, ev)
	})
	return done, err
}

// ExpireLeases marks pending purchases whose lease passed as in doubt.
func (d *DB) ExpireLeases(ctx context.Context, now time.Time) ([]string, error) {
	body := errJSON(&shipgate.ErrorBody{Code: shipgate.CodeCarrierTimeout, Message: "the purchase did not finish: the process buying it stopped or lost the carrier's answer"})
	rows, err := d.sql.QueryContext(ctx, `UPDATE labels SET status = 'in_doubt', error = $2, updated_at = $1
		WHERE status = 'pending' AND lease_until < $1 RETURNING id`, micros(now), body)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// CountByStatus returns how many labels have status s.
func (d *DB) CountByStatus(ctx context.Context, s shipgate.LabelStatus) (int, error) {
	var n int
	err := d.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM labels WHERE status = $1`, string(s)).Scan(&n)
	return n, err
}
