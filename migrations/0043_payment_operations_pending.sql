-- varco:concurrently
-- Why: the reconciliation job looks every minute for maintenance operations still waiting for the
-- acquirer past the grace period (settleStranded, docs/adr/0022): without this index that read the
-- whole of payment_operations, which only grows. Partial: only waiting operations are in it.
CREATE INDEX CONCURRENTLY IF NOT EXISTS payment_operations_pending ON payment_operations (updated_at) WHERE status IN (91, 81, 61, 71, 51);
