-- 0004: the administrator token generated at a deployment's first start when no Auth:AdminTokenHashes is configured.
-- Only its hex SHA-256 is kept (the token is shown once on the console and in a mode-600 file of the data folder); one
-- row at most, so web fronts starting together agree on one token. Ignored once Auth:AdminTokenHashes is configured.
CREATE TABLE IF NOT EXISTS generated_admin_token (
    id         int         PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    token_hash text        NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);
