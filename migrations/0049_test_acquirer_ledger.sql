-- Why: the built-in test acquirer (src/modules/checkout/test-acquirer.ts) kept what it had answered — the
-- latest transaction per order reference and every maintenance operation — in its process's memory, so
-- after a restart, or asked by another instance's reconciliation job, it answered not_found and the TEST
-- environment declined (gave back) what a stopped process had left uncertain, where a real acquirer
-- would answer processed (docs/adr/0022). Its ledger is now here, shared by every instance; the
-- `retention.test_acquirer` job deletes rows nobody will ask about any more (by updated_at).
CREATE TABLE test_acquirer_transactions (
  order_ref text PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('authorised', 'refused', 'unknown', 'not_found')),
  pay_id text,
  acceptance text,
  nc_error text,
  updated_at timestamptz NOT NULL,
  CHECK (state <> 'authorised' OR (pay_id IS NOT NULL AND acceptance IS NOT NULL)),
  CHECK (state <> 'refused' OR nc_error IS NOT NULL)
);
CREATE INDEX test_acquirer_transactions_updated_at ON test_acquirer_transactions (updated_at);

CREATE TABLE test_acquirer_operations (
  operation_ref text PRIMARY KEY,
  outcome text NOT NULL CHECK (outcome IN ('done', 'refused')),
  reference text,
  nc_error text,
  updated_at timestamptz NOT NULL,
  CHECK ((outcome = 'done') = (reference IS NOT NULL)),
  CHECK ((outcome = 'refused') = (nc_error IS NOT NULL))
);
CREATE INDEX test_acquirer_operations_updated_at ON test_acquirer_operations (updated_at);
