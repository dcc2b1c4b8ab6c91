-- varco:concurrently
-- Why: the reconciliation job asks the acquirer every minute about maintenance operations of unknown
-- outcome that became so within the last day (settleUncertain, docs/adr/0022): without this index that
-- read the whole of payment_operations. Partial: only operations of unknown outcome are in it.
CREATE INDEX CONCURRENTLY IF NOT EXISTS payment_operations_uncertain ON payment_operations (updated_at) WHERE status IN (92, 82, 62, 72, 52);
