-- Clusters with encrypted credentials, key-value settings, and an audit log with one
-- column per fact (who, from where, what, on which object, with what, how it ended).

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE TABLE clusters (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT    NOT NULL UNIQUE,
    description       TEXT    NOT NULL DEFAULT '',
    environment       TEXT    NOT NULL CHECK (environment IN ('prod', 'stage', 'dev', 'test')),
    default_namespace TEXT    NOT NULL DEFAULT 'default',
    source            TEXT    NOT NULL CHECK (source IN ('kubeconfig', 'in-cluster', 'demo')),
    context           TEXT,
    -- nonce || XChaCha20-Poly1305 ciphertext of the kubeconfig, bound to the name.
    credentials       BLOB,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    -- Bumped on every change, so running servers notice edits made elsewhere.
    revision          INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE audit_log_v2 (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    user       TEXT NOT NULL,
    source     TEXT NOT NULL DEFAULT '',
    cluster    TEXT NOT NULL DEFAULT '',
    namespace  TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    parameters TEXT NOT NULL DEFAULT '',
    outcome    TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'denied')),
    error      TEXT NOT NULL DEFAULT '',
    trace_id   TEXT NOT NULL DEFAULT ''
);

-- Old rows: "user/alice" targets become kind and name; outcomes get their new words.
INSERT INTO audit_log_v2 (id, at, user, source, kind, name, action, parameters, outcome, error, trace_id)
SELECT id, at, actor, '',
       CASE WHEN instr(target, '/') > 0 THEN substr(target, 1, instr(target, '/') - 1) ELSE '' END,
       CASE WHEN instr(target, '/') > 0 THEN substr(target, instr(target, '/') + 1) ELSE target END,
       action, '',
       CASE outcome WHEN 'success' THEN 'succeeded' WHEN 'denied' THEN 'denied' ELSE 'failed' END,
       CASE WHEN outcome = 'success' THEN '' ELSE detail END,
       trace_id
FROM audit_log;

DROP TABLE audit_log;
ALTER TABLE audit_log_v2 RENAME TO audit_log;
CREATE INDEX audit_log_object ON audit_log (cluster, namespace, kind, name, id);
CREATE INDEX audit_log_user ON audit_log (user, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
