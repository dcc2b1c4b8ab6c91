-- Why: the outbound half of a direct connection (issue 4). An organisation registers stations per
-- environment; every change is a new version reviewed by an administrator while the approved version
-- keeps serving. Administrators authorise extra trusted CAs per environment. Reachability checks are
-- kept as history. The audit log also refuses TRUNCATE, which row triggers do not see.

CREATE TABLE stations (
  id text PRIMARY KEY,
  organisation_id text NOT NULL REFERENCES organisations (id),
  environment text NOT NULL CHECK (environment IN ('test', 'prod')),
  code text NOT NULL,
  allow_private_ip boolean NOT NULL DEFAULT false,
  connect_timeout_ms integer NOT NULL DEFAULT 7000 CHECK (connect_timeout_ms BETWEEN 100 AND 60000),
  response_timeout_ms integer NOT NULL DEFAULT 7000 CHECK (response_timeout_ms BETWEEN 100 AND 120000),
  approved_version_id text,
  connection_state text NOT NULL DEFAULT 'unverified' CHECK (connection_state IN ('unverified', 'verified', 'failing')),
  outbound_verified_at timestamptz,
  last_check_at timestamptz,
  flagged_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX stations_env_code ON stations (environment, upper(code));
CREATE INDEX stations_organisation ON stations (organisation_id);

CREATE TABLE station_versions (
  id text PRIMARY KEY,
  station_id text NOT NULL REFERENCES stations (id),
  version integer NOT NULL,
  state text NOT NULL CHECK (state IN ('to_check', 'to_fix', 'approved', 'superseded')),
  primary_url text NOT NULL,
  primary_ip text NOT NULL,
  primary_port integer NOT NULL CHECK (primary_port BETWEEN 1 AND 65535),
  secondary_url text,
  secondary_ip text,
  secondary_port integer CHECK (secondary_port BETWEEN 1 AND 65535),
  review_note text,
  submitted_by text REFERENCES users (id),
  submitted_at timestamptz NOT NULL DEFAULT now(),
  reviewed_by text REFERENCES users (id),
  reviewed_at timestamptz,
  UNIQUE (station_id, version),
  CHECK ((secondary_url IS NULL) = (secondary_ip IS NULL) AND (secondary_ip IS NULL) = (secondary_port IS NULL))
);
ALTER TABLE stations ADD CONSTRAINT stations_approved_version FOREIGN KEY (approved_version_id) REFERENCES station_versions (id);
-- At most one version under review per station.
CREATE UNIQUE INDEX station_versions_one_pending ON station_versions (station_id) WHERE state IN ('to_check', 'to_fix');

CREATE TABLE station_checks (
  id text PRIMARY KEY,
  station_id text NOT NULL REFERENCES stations (id),
  version_id text REFERENCES station_versions (id),
  trigger text NOT NULL CHECK (trigger IN ('portal', 'admin', 'cli', 'schedule')),
  ok boolean NOT NULL,
  result jsonb NOT NULL,
  started_at timestamptz NOT NULL,
  duration_ms integer NOT NULL
);
CREATE INDEX station_checks_station ON station_checks (station_id, started_at DESC);

CREATE TABLE trusted_cas (
  id text PRIMARY KEY,
  environment text NOT NULL CHECK (environment IN ('test', 'prod')),
  pem text NOT NULL,
  subject text NOT NULL,
  fingerprint_sha256 text NOT NULL,
  not_after timestamptz NOT NULL,
  added_by text,
  added_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz
);
CREATE UNIQUE INDEX trusted_cas_active ON trusted_cas (environment, fingerprint_sha256) WHERE removed_at IS NULL;

-- Expiry warnings already sent (30, 14, 7 days), so each is sent once per certificate.
CREATE TABLE certificate_warnings (
  fingerprint_sha256 text NOT NULL,
  days_before integer NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (fingerprint_sha256, days_before)
);

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
