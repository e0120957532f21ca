-- Timestamps are INTEGER nanoseconds since the epoch (UTC), so an Instant round-trips exactly.

CREATE TABLE rooms (
    id               TEXT    PRIMARY KEY,
    type             TEXT    NOT NULL,
    name             TEXT,
    metadata         TEXT,
    last_seq         INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    dm_key           TEXT    UNIQUE,
    handoff_state    TEXT    NOT NULL,
    handoff_agent_id TEXT,
    handoff_reason   TEXT,
    handoff_by       TEXT,
    handoff_since    INTEGER NOT NULL
);

CREATE TABLE members (
    room_id   TEXT    NOT NULL REFERENCES rooms (id),
    user_id   TEXT    NOT NULL,
    role      TEXT    NOT NULL,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX members_by_user ON members (user_id);

CREATE TABLE messages (
    id            TEXT    PRIMARY KEY,
    room_id       TEXT    NOT NULL REFERENCES rooms (id),
    seq           INTEGER NOT NULL,
    sender_id     TEXT    NOT NULL,
    content       TEXT    NOT NULL,
    meta          TEXT,
    created_at    INTEGER NOT NULL,
    edited_at     INTEGER,
    client_msg_id TEXT,
    UNIQUE (room_id, seq)
);
CREATE UNIQUE INDEX messages_by_client_id ON messages (room_id, sender_id, client_msg_id)
    WHERE client_msg_id IS NOT NULL;

CREATE TABLE pending_deliveries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    TEXT    NOT NULL,
    room_id    TEXT    NOT NULL REFERENCES rooms (id),
    message_id TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX pending_by_user ON pending_deliveries (user_id, room_id, seq);
CREATE INDEX pending_by_room ON pending_deliveries (room_id, seq);
CREATE INDEX pending_by_message ON pending_deliveries (message_id);

CREATE TABLE webhook_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id      TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    user_id         TEXT,
    room_id         TEXT,
    message_id      TEXT,
    seq             INTEGER NOT NULL,
    body            TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    last_attempt_at INTEGER
);
CREATE INDEX webhook_outbox_by_due ON webhook_outbox (next_attempt_at);

CREATE TABLE dead_letters (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL,
    user_id         TEXT,
    room_id         TEXT,
    message_id      TEXT,
    seq             INTEGER NOT NULL,
    attempts        INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    last_attempt_at INTEGER NOT NULL
);

CREATE TABLE bots (
    id             TEXT    PRIMARY KEY,
    name           TEXT    NOT NULL,
    llm_base_url   TEXT    NOT NULL,
    llm_api_key_env TEXT   NOT NULL,
    model          TEXT    NOT NULL,
    provider       TEXT    NOT NULL,
    max_context    INTEGER NOT NULL,
    temperature    REAL,
    max_tokens     INTEGER,
    created_at     INTEGER NOT NULL
);

CREATE TABLE health_probe (
    id INTEGER PRIMARY KEY
);
