-- API tokens expire (tokens made before this have none until revoked) and carry a scope:
-- `read` never changes anything, `role` acts with the user's full role.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'role' CHECK (scope IN ('read', 'role'));
