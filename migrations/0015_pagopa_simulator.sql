-- Why: the test EC simulator of issue 11. A creditor institution switches on a built-in simulated
-- station in the TEST environment and chooses its answers per notice-number pattern (an ordered list,
-- first match wins). The list is one JSON array in the EC's row, edited under a row lock with a
-- version number, so reordering and concurrent edits never interleave. Receipt deliveries are counted
-- in PostgreSQL so "refuse the first N receipts" holds across several Varco processes.
-- Production can never hold a simulator: the environment column only admits 'test'.

CREATE TABLE pagopa_simulators (
  organisation_id text NOT NULL REFERENCES organisations (id),
  environment text NOT NULL DEFAULT 'test' CHECK (environment = 'test'),
  enabled boolean NOT NULL DEFAULT false,
  primitive_version smallint NOT NULL DEFAULT 2 CHECK (primitive_version IN (1, 2)),
  -- Ordered scenarios (src/modules/pagopa-simulator/scenario.types.ts); validated by the service.
  scenarios jsonb NOT NULL DEFAULT '[]'::jsonb
    CHECK (jsonb_typeof(scenarios) = 'array' AND jsonb_array_length(scenarios) <= 50),
  -- Bumped on every change: a form posted from a stale page is refused instead of undoing a change.
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organisation_id, environment)
);

-- One row per receipt (receiptId) a simulated EC received: how many deliveries, for the
-- "refuse the first N receipts" scenarios. Incremented with one upsert per delivery.
CREATE TABLE pagopa_simulator_receipts (
  organisation_id text NOT NULL REFERENCES organisations (id),
  environment text NOT NULL DEFAULT 'test' CHECK (environment = 'test'),
  receipt_key text NOT NULL CHECK (length(receipt_key) <= 100),
  notice_number text,
  deliveries integer NOT NULL CHECK (deliveries >= 1),
  first_at timestamptz NOT NULL,
  last_at timestamptz NOT NULL,
  PRIMARY KEY (organisation_id, environment, receipt_key)
);
CREATE INDEX pagopa_simulator_receipts_last ON pagopa_simulator_receipts (last_at);
