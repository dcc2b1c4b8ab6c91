-- Why: invitation links must not be readable while they wait (issue 10 item 13), and finished rows
-- must not pile up for ever (item 7, retention). An invitation is created without a token: its
-- e-mail in the outbox names the invitation, and the token is made only when the e-mail is sent (or
-- when an administrator asks for a link), so it exists only in the message (or on that one page);
-- the invitation keeps its hash, replaced by each new token. Periodic jobs (retention) take a lease
-- per job so one instance runs each job at a time, and once per interval across instances.

ALTER TABLE invitations ALTER COLUMN token_hash DROP NOT NULL;

-- Invitation e-mails already queued or sent: the link (and its token) leaves the outbox; the
-- invitation's id takes its place. A link an administrator already copied keeps working: the
-- invitation's hash is unchanged until a new token is made.
UPDATE outbox
SET payload = jsonb_set(payload #- '{params,link}', '{params,invitationId}', to_jsonb(subject_id))
WHERE channel = 'email' AND payload->>'template' = 'invitation' AND subject_type = 'invitation' AND subject_id IS NOT NULL;

CREATE TABLE job_leases (
  name text PRIMARY KEY,
  -- The instance running the job now, and until when its lease holds (a crashed instance's lease expires).
  owner text,
  leased_until timestamptz,
  -- No instance starts the job before this.
  next_run_at timestamptz NOT NULL,
  last_started_at timestamptz,
  last_finished_at timestamptz,
  last_error text,
  last_report jsonb
);

-- Retention deletes by age.
CREATE INDEX ecommerce_errors_created ON ecommerce_errors (created_at);
-- A finished message's age counts from its delivery, or from its last attempt when it was given up.
CREATE INDEX outbox_finished ON outbox ((COALESCE(delivered_at, next_attempt_at))) WHERE state IN ('delivered', 'dead');
CREATE INDEX station_checks_started ON station_checks (started_at);
