-- Why: issue 14 — password reset by e-mail for administrators and referents. One row per request; the link's token is made when the e-mail is sent and kept only as a hash; single use, 30 minutes, only the newest request of a person counts.
CREATE TABLE password_resets (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id),
  surface text NOT NULL CHECK (surface IN ('admin', 'portal')),
  requested_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  ip text,
  token_hash text,
  used_at timestamptz,
  superseded_at timestamptz
);
CREATE INDEX password_resets_user ON password_resets (user_id, requested_at DESC);
CREATE INDEX password_resets_ip ON password_resets (ip, requested_at DESC);
CREATE UNIQUE INDEX password_resets_token ON password_resets (token_hash) WHERE token_hash IS NOT NULL;
