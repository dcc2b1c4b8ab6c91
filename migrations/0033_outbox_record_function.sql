-- Why: issue 15 — the statement that records a worker's delivery outcomes (attempt rows and each
-- message's verdict, guarded by the lease) was planned anew every time: ten arrays unnested in a CTE,
-- an INSERT and an UPDATE. Kysely over `pg` sends unnamed statements, so PostgreSQL never kept its
-- plan. As a function it is parsed once per connection, and PostgreSQL 18 (which Varco requires) keeps
-- a generic plan when its plan cache finds it no worse than planning each call. Measured by the PostgreSQL backend's CPU while
-- one connection leased and recorded 3,000 messages (outcomes in groups of 10), three alternating
-- rounds: 127–147 µs per message → 97–103. The rules are unchanged (src/modules/delivery/outbox.repository.ts,
-- recordAttempts): every attempt row is written; a verdict applies only while the worker still holds
-- the lease (owner and attempt number) and the message is pending. Returns the ids it applied to.
CREATE FUNCTION varco_outbox_record(
  worker_id text, ids text[], attempt_numbers integer[], started timestamptz[], durations integer[], oks boolean[],
  status_codes integer[], errors text[], retry_at timestamptz[], permanents boolean[], recorded_at timestamptz[]
)
RETURNS SETOF text
LANGUAGE sql
AS $$
  WITH input AS (
    SELECT * FROM unnest(ids, attempt_numbers, started, durations, oks, status_codes, errors, retry_at, permanents, recorded_at)
      AS t(id, attempt, started_at, duration_ms, ok, status_code, error, next_attempt_at, permanent, now)
  ), attempts AS (
    INSERT INTO outbox_attempts (message_id, attempt, started_at, duration_ms, ok, status_code, error, worker)
    SELECT id, attempt, started_at, duration_ms, ok, status_code, error, worker_id FROM input
  )
  UPDATE outbox AS o SET
    state = CASE WHEN i.ok THEN 'delivered' WHEN i.next_attempt_at IS NOT NULL THEN 'pending' WHEN i.permanent THEN 'dead' ELSE 'exhausted' END,
    delivered_at = CASE WHEN i.ok THEN i.now ELSE o.delivered_at END,
    next_attempt_at = CASE WHEN NOT i.ok AND i.next_attempt_at IS NOT NULL THEN i.next_attempt_at ELSE o.next_attempt_at END,
    last_error = CASE WHEN i.ok THEN NULL ELSE i.error END,
    lease_owner = NULL, lease_expires_at = NULL
  FROM input AS i
  WHERE o.id = i.id AND o.lease_owner = worker_id AND o.attempts = i.attempt AND o.state = 'pending'
  RETURNING o.id
$$;
