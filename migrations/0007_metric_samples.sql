-- CPU and memory samples the console takes from metrics.k8s.io, kept for the last hours
-- so charts have a line. kind is 'node' or 'pod'; a node's namespace is ''.
CREATE TABLE metric_samples (
    cluster   TEXT NOT NULL,
    kind      TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name      TEXT NOT NULL,
    at        INTEGER NOT NULL,
    cpu       REAL NOT NULL,
    memory    REAL NOT NULL
);
CREATE INDEX metric_samples_object ON metric_samples (cluster, kind, namespace, name, at);
CREATE INDEX metric_samples_at ON metric_samples (at);
