-- Written once for both databases: migrate() turns BLOB into BYTEA and
-- INTEGER PRIMARY KEY AUTOINCREMENT into BIGSERIAL PRIMARY KEY for PostgreSQL.
-- SQLite reads BIGINT as an integer.
-- Labels: one row per purchase, keyed by (scope, idempotency_key) so that a
-- key buys once. Times are Unix microseconds.
CREATE TABLE labels (
    id              TEXT PRIMARY KEY,
    scope           TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    status          TEXT NOT NULL,
    account         TEXT NOT NULL,
    carrier         TEXT NOT NULL,
    reference       TEXT NOT NULL DEFAULT '',
    tracking_number TEXT NOT NULL DEFAULT '',
    spec            TEXT NOT NULL,
    label           TEXT NOT NULL,
    error           TEXT NOT NULL DEFAULT '',
    lease_until     BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    voided_at       BIGINT,
    UNIQUE (scope, idempotency_key)
);
CREATE INDEX labels_created ON labels (created_at DESC, id DESC);
CREATE INDEX labels_status ON labels (status, created_at DESC);
CREATE INDEX labels_reference ON labels (reference, created_at DESC);
CREATE INDEX labels_tracking ON labels (tracking_number);

CREATE TABLE label_parcels (
    label_id        TEXT NOT NULL REFERENCES labels (id),
    idx             INTEGER NOT NULL,
    tracking_number TEXT NOT NULL,
    PRIMARY KEY (label_id, idx)
);
CREATE INDEX label_parcels_tracking ON label_parcels (tracking_number);

CREATE TABLE label_documents (
    label_id TEXT NOT NULL REFERENCES labels (id),
    parcel   INTEGER NOT NULL,
    format   TEXT NOT NULL,
    data     BLOB NOT NULL,
    PRIMARY KEY (label_id, parcel, format)
);

-- The internal event stream (label.purchased, label.voided, tracker.updated),
-- written in the transaction of the change it announces.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    type       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    data       TEXT NOT NULL
);
