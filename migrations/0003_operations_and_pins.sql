-- Tracked operations (VM lifecycle actions that run on after their request) and the
-- objects each user pins to Quick actions.

CREATE TABLE operations (
    id             TEXT PRIMARY KEY,
    action         TEXT NOT NULL,
    cluster        TEXT NOT NULL,
    namespace      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    name           TEXT NOT NULL,
    -- Who asked, and through what: the audit rows the operation writes later carry them.
    user_id        INTEGER,
    username       TEXT NOT NULL,
    role           TEXT NOT NULL,
    source         TEXT NOT NULL,
    trace_id       TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL,
    -- JSON of the options in force (force, grace period, deadlines).
    options        TEXT NOT NULL,
    -- Why a forced fallback fired, when it did.
    fallback       TEXT,
    message        TEXT NOT NULL DEFAULT '',
    -- The uid of the VM instance being replaced, to tell the new one from it.
    old_instance   TEXT NOT NULL DEFAULT '',
    -- RFC 3339 deadlines of the current phase, so a resumed operation keeps them.
    stop_deadline  TEXT,
    start_deadline TEXT,
    -- JSON array of {state, at, message}.
    transitions    TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    finished_at    TEXT,
    -- "cluster/namespace/name" while unfinished, NULL after: at most one running
    -- operation per VM, enforced by the database itself.
    active_key     TEXT UNIQUE
);
CREATE INDEX operations_target ON operations (cluster, namespace, kind, name, created_at);
CREATE INDEX operations_unfinished ON operations (finished_at) WHERE finished_at IS NULL;

CREATE TABLE pins (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cluster    TEXT NOT NULL,
    namespace  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, cluster, namespace, kind, name)
);
