-- Why: issue 15 — the outbox's two functions keep their plans for the life of a connection (PostgreSQL
-- plans a function's statements a few times, then keeps one generic plan), and a plan made while
-- `outbox` was small reads the whole table once it has grown: each lease's UPDATE and each outcome
-- group's UPDATE read every row of a 20,000-message backlog (sequential scan and hash join) on a
-- connection that had worked while the table held 30, until an ANALYZE happened to invalidate the
-- plan. A new installation, a quiet outbox that fills in a burst, a restore: the pool's connections
-- outlive those changes, and autovacuum's first analysis comes only after a minute or more. With
-- sequential scans priced out while the functions run (and, for the lease, hash and merge joins;
-- for the outcome, nested loops and merge joins: a kept nested loop rescanned the unnested outcomes
-- once per message, quadratic in the group's size), every plan they make finds each message by
-- primary key, whatever the table's size was at planning time; so does the foreign-key check of each
-- attempt row, which PostgreSQL plans afresh on its first five runs in a connection and then keeps
-- (it runs inside varco_outbox_record, under its settings, for every outcome the worker records).
-- test/delivery/plans-after-growth.test.ts reads the rows PostgreSQL counted.
ALTER FUNCTION varco_outbox_lease(text, text[], timestamptz, timestamptz, integer) SET enable_seqscan = off;
ALTER FUNCTION varco_outbox_lease(text, text[], timestamptz, timestamptz, integer) SET enable_hashjoin = off;
ALTER FUNCTION varco_outbox_lease(text, text[], timestamptz, timestamptz, integer) SET enable_mergejoin = off;

-- The same rules as 0033. New: the settings; the ids as an index condition (`o.id = ANY(ids)`); and the
-- pending test written as a range. `o.state = 'pending'` is the predicate of the partial index
-- `outbox_due`, so a plan made on a small table read that whole index (every pending message) for a
-- few ids; the planner cannot match the range to the index's predicate, and it means the same. (Planning
-- each call instead, plan_cache_mode = force_custom_plan, cost ~45 µs of PostgreSQL CPU per message.)
CREATE OR REPLACE FUNCTION varco_outbox_record(
  worker_id text, ids text[], attempt_numbers integer[], started timestamptz[], durations integer[], oks boolean[],
  status_codes integer[], errors text[], retry_at timestamptz[], permanents boolean[], recorded_at timestamptz[]
)
RETURNS SETOF text
LANGUAGE sql
SET enable_seqscan = off
SET enable_nestloop = off
SET enable_mergejoin = off
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
  WHERE o.id = ANY(ids) AND o.id = i.id AND o.lease_owner = worker_id AND o.attempts = i.attempt
    AND o.state >= 'pending' AND o.state <= 'pending'
  RETURNING o.id
$$;
