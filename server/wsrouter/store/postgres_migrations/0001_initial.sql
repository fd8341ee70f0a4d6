-- The first schema of the PostgreSQL store: the same tables as SQLite's (version 1).
-- Applied once, in one transaction, under the migration advisory lock
-- (wsrouter/store/_postgres_schema.py). Never edit a migration that has shipped: add
-- the next file.

CREATE TABLE notifications (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    user_id text,  -- NULL: a system notification, visible to every user
    title text NOT NULL,
    message text NOT NULL,
    priority text NOT NULL,
    data json,  -- json, not jsonb: kept as it was written (key order included)
    created_at timestamptz NOT NULL
);
CREATE INDEX notifications_by_user ON notifications (user_id, created_at, seq);

-- Receipts are per user, so one system notification can be read by each user.
CREATE TABLE notification_receipts (
    notification_id text NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    user_id text NOT NULL,
    read_at timestamptz NOT NULL,
    PRIMARY KEY (notification_id, user_id)
);

CREATE TABLE test_sessions (
    id text PRIMARY KEY,
    user_id text NOT NULL,
    title text NOT NULL,
    question_count integer NOT NULL,
    started_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    submitted_at timestamptz,
    submit_reason text
);
-- Only open sessions are ever searched by deadline (the auto-submit, on every node).
CREATE INDEX test_sessions_open_by_end ON test_sessions (ends_at) WHERE submitted_at IS NULL;

CREATE TABLE answers (
    session_id text NOT NULL REFERENCES test_sessions (id) ON DELETE CASCADE,
    question_id text NOT NULL,
    answer bytea NOT NULL,
    version integer NOT NULL,
    saved_at timestamptz NOT NULL,
    client_answer_id text,
    PRIMARY KEY (session_id, question_id)
);

-- The record each client_answer_id produced: a later write to the same question
-- replaces its row in `answers`, but a retry of the first write must still get the
-- first write's record back.
CREATE TABLE applied_answers (
    session_id text NOT NULL REFERENCES test_sessions (id) ON DELETE CASCADE,
    client_answer_id text NOT NULL,
    question_id text NOT NULL,
    answer bytea NOT NULL,
    version integer NOT NULL,
    saved_at timestamptz NOT NULL,
    PRIMARY KEY (session_id, client_answer_id)
);

CREATE TABLE chat_messages (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    room text NOT NULL,
    sender_id text NOT NULL,
    sender_name text NOT NULL,
    message text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX chat_messages_by_room ON chat_messages (room, created_at, seq);
