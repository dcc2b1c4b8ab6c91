-- Why: issue 12 — an outbox message whose retries ran out is `exhausted` (its owner is told), apart from `dead` (given up at once: retrying cannot help).
-- Messages already `dead` stay so: which of them ran out of retries cannot be told apart afterwards.
ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_state_check CHECK (state IN ('pending', 'held', 'delivered', 'dead', 'exhausted'));

-- Retention finds finished messages by this index; exhausted ones are finished too.
DROP INDEX outbox_finished;
CREATE INDEX outbox_finished ON outbox ((COALESCE(delivered_at, next_attempt_at))) WHERE state IN ('delivered', 'dead', 'exhausted');
