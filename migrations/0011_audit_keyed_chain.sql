-- Why: the audit chain was plain SHA-256, so anyone with write access to the database could
-- recompute it after an edit, and deleting the newest rows left a valid (shorter) chain. New rows
-- are chained with an HMAC whose key is derived from the master key (never in the database), and
-- every append also writes a signed checkpoint (newest seq, its hash, the row count), so
-- `varco audit verify` detects edits, recomputation without the key and truncation. Rows written
-- before this migration keep verifying with their plain SHA-256 (`scheme`); after the first keyed
-- row an unkeyed one is a failure. docs/adr/0015-audit-and-database-roles.md.

-- Existing rows get 'sha256'; the default is dropped at once, so a writer that does not name the
-- scheme (an older Varco still running during an upgrade) fails instead of adding unkeyed rows.
ALTER TABLE audit_log ADD COLUMN scheme text NOT NULL DEFAULT 'sha256'
  CHECK (scheme IN ('sha256', 'hmac-sha256'));
ALTER TABLE audit_log ALTER COLUMN scheme DROP DEFAULT;

-- One row per append, written in the append's transaction: `audit_seq` is the newest audit row it
-- covers, `hash` that row's hash, `row_count` the rows up to it. `mac` is HMAC-SHA-256 under a key
-- derived from the master key; only the row below, written here where no key exists, has none.
CREATE TABLE audit_checkpoints (
  audit_seq bigint PRIMARY KEY,
  hash text NOT NULL,
  row_count bigint NOT NULL CHECK (row_count >= 0),
  at timestamptz NOT NULL,
  mac text
);

-- The state of the log at the upgrade (an empty log on a fresh install): verify requires at least
-- one checkpoint, so emptying the table is detected too.
INSERT INTO audit_checkpoints (audit_seq, hash, row_count, at, mac)
SELECT coalesce(max(seq), 0),
       coalesce((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), repeat('0', 64)),
       count(*), now(), NULL
FROM audit_log;

-- Append-only like audit_log: the application role may only SELECT and INSERT either table; the
-- triggers also stop the schema owner's accidental edits (TRUNCATE fires no row trigger; audit_log
-- has had its TRUNCATE trigger since migration 0004).
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
