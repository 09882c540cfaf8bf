-- Whether a failed action's error was Bosun's own internal failure (database, session
-- store...): its text is for admins; everyone else reads that it happened.
ALTER TABLE audit_log ADD COLUMN internal INTEGER NOT NULL DEFAULT 0;
