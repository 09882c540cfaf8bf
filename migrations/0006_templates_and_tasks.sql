-- YAML templates a team keeps, and the record of each time one was applied (a task).

CREATE TABLE templates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    yaml        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE tasks (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    -- NULL once the template is deleted: the task keeps its name and rendered YAML.
    template_id   INTEGER REFERENCES templates (id) ON DELETE SET NULL,
    template_name TEXT NOT NULL,
    -- JSON object of the values given.
    "values"      TEXT NOT NULL,
    -- JSON array of {cluster, namespace}.
    targets       TEXT NOT NULL,
    dry_run       INTEGER NOT NULL DEFAULT 0,
    rendered      TEXT NOT NULL,
    state         TEXT NOT NULL,
    -- JSON array of per-target results, filled in as the task goes.
    results       TEXT NOT NULL DEFAULT '[]',
    message       TEXT NOT NULL DEFAULT '',
    rerun_of      INTEGER,
    -- JSON array of what deleting the created objects did, once asked.
    cleanup       TEXT NOT NULL DEFAULT '[]',
    user_id       INTEGER,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    finished_at   TEXT
);
CREATE INDEX tasks_by_template ON tasks (template_id, id);
CREATE INDEX tasks_unfinished ON tasks (finished_at) WHERE finished_at IS NULL;
