-- Why: the foundation needs accounts (administrators now, referents of organisations later),
-- server-side sessions, sign-in throttling, the one-time setup link for the first administrator,
-- and the append-only, hash-chained audit log every later module writes into.

CREATE TABLE users (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('admin', 'referent')),
  email text NOT NULL,
  password_hash text,
  first_name text,
  last_name text,
  locale text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'it')),
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);
CREATE UNIQUE INDEX users_kind_email ON users (kind, lower(email));

-- Only a SHA-256 of the session token is stored: a database leak does not yield live sessions.
CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  id text NOT NULL UNIQUE,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  surface text NOT NULL CHECK (surface IN ('admin', 'portal')),
  csrf_token text NOT NULL,
  ip text,
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- One row per throttled key ('account:<surface>:<email>' or 'ip:<surface>:<address>').
CREATE TABLE signin_throttle (
  key text PRIMARY KEY,
  failures integer NOT NULL,
  window_started_at timestamptz NOT NULL,
  locked_until timestamptz
);

CREATE TABLE setup_tokens (
  token_hash text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

-- Append-only: rows are chained by hash so `varco audit verify` finds the first altered row.
CREATE TABLE audit_log (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE,
  at timestamptz NOT NULL,
  actor_type text NOT NULL,
  actor_id text,
  action text NOT NULL,
  subject_type text,
  subject_id text,
  organisation_id text,
  ip text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id);
CREATE INDEX audit_log_organisation ON audit_log (organisation_id, seq);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
