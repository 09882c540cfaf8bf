-- Every session and API token carries the epoch of its user at the time it was made;
-- raising the user's epoch (password, role or disabled changed, "sign out everywhere")
-- ends all of them at once.
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
