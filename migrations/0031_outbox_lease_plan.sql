-- Why: issue 15 — a lease read every due message, not the next few. While `outbox` had never been
-- analysed, or was analysed empty (a new installation until autovacuum's first analysis, the
-- benchmark's fresh database, an upgrade or restore without ANALYZE), the planner expected a handful
-- of due rows during a backlog: it combined two indexes in a bitmap, fetched and sorted every due row, then kept the first
-- 20. A lease's cost grew with the backlog (5,000 due: 5,100 rows read per lease of 20; draining
-- 12,000 cost ~445 µs of PostgreSQL CPU per message in leases alone, against ~50). The lease is now
-- this function: its settings leave the planner one plan without a disabled step, the partial index
-- `outbox_due` read in `next_attempt_at` order and stopped by the LIMIT, whatever the statistics say.
-- The settings hold only while the function runs (PostgreSQL restores them on return); without the
-- index the lease would still work, only slower (a disabled step is a last resort, not an error).
CREATE FUNCTION varco_outbox_lease(worker_id text, channels text[], due_at timestamptz, lease_until timestamptz, batch integer)
RETURNS SETOF outbox
LANGUAGE sql
SET enable_bitmapscan = off
SET enable_sort = off
AS $$
  WITH due AS (
    SELECT id FROM outbox
    WHERE state = 'pending' AND channel = ANY(channels) AND next_attempt_at <= due_at
      AND (lease_expires_at IS NULL OR lease_expires_at <= due_at)
    ORDER BY next_attempt_at
    LIMIT batch
    FOR UPDATE SKIP LOCKED
  )
  UPDATE outbox AS o SET lease_owner = worker_id, lease_expires_at = lease_until, attempts = o.attempts + 1
  FROM due WHERE o.id = due.id
  RETURNING o.*
$$;
