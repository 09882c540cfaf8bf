-- What a tracked operation works through one by one (a drain's pods), with each one's
-- state: JSON array of {namespace, name, state, message, attempts}.
ALTER TABLE operations ADD COLUMN items TEXT NOT NULL DEFAULT '[]';
