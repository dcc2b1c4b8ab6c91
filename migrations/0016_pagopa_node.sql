-- Why: the pagoPA node's state (issue 11): one row per activation (payment token) with its state,
-- the EC's payment data and the PSP's outcome, and the idempotency records of activatePaymentNotice.
-- EXACTLY ONE LIVE TOKEN PER NOTICE is a partial unique index, not a check in code, so concurrent
-- activations in any number of Varco processes cannot both hold a notice; a paid notice stays held
-- for ever (PPT_PAGAMENTO_DUPLICATO). Decisions: docs/adr/0020-pagopa-node.md.
--
-- No foreign keys to organisations or stations: a payment row records what was routed at the time
-- and must never be refused or wait on a lock of another module's row on the node's hot path.

CREATE TABLE pagopa_payments (
  -- 32 lowercase hex characters made by the node; the XSD allows 1–35.
  token text PRIMARY KEY CHECK (length(token) BETWEEN 1 AND 35),
  environment text NOT NULL CHECK (environment IN ('test', 'prod')),
  fiscal_code text NOT NULL CHECK (fiscal_code ~ '^[0-9]{11}$'),
  notice_number text NOT NULL CHECK (notice_number ~ '^[0-9]{18}$'),
  -- activating: inserted, paGetPayment in flight; active: token given to the PSP; failed: the
  -- activation answered KO; paid / ko: the PSP's outcome; expired: a later activation took the notice.
  state text NOT NULL CHECK (state IN ('activating', 'active', 'failed', 'paid', 'ko', 'expired')),
  operation text NOT NULL CHECK (operation IN ('activatePaymentNotice', 'activatePaymentNoticeV2')),
  psp_organisation_id text NOT NULL,
  psp_company_name text NOT NULL,
  id_psp text NOT NULL,
  id_broker_psp text NOT NULL,
  id_channel text NOT NULL,
  idempotency_key text,
  -- The amount the PSP asked to activate (cents); the EC's data below carries the amount it set.
  amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
  ec_organisation_id text NOT NULL,
  -- The station the EC was called at; NULL for the test EC simulator.
  station_id text,
  station_code text NOT NULL,
  -- The station's owner (the organisation the mutual-TLS call was made for); NULL for the simulator.
  station_organisation_id text,
  primitive_version smallint NOT NULL CHECK (primitive_version IN (1, 2)),
  activated_at timestamptz NOT NULL,
  -- While activating: held at least for the paGetPayment timeout; once active: the token's expiry.
  expires_at timestamptz NOT NULL,
  -- The EC's paGetPayment[V2] data as the codec decoded it (amounts in cents), once active.
  payment jsonb,
  failure_fault_code text,
  outcome text CHECK (outcome IN ('OK', 'KO')),
  outcome_at timestamptz,
  outcome_details jsonb,
  -- sendPaymentOutcome's idempotencyKey and request digest: the same request again is answered OK.
  outcome_idempotency_key text,
  outcome_digest text,
  updated_at timestamptz NOT NULL,
  CHECK (state NOT IN ('active', 'paid', 'ko') OR payment IS NOT NULL),
  CHECK ((state IN ('paid', 'ko')) = (outcome IS NOT NULL)),
  CHECK (state <> 'paid' OR outcome = 'OK'),
  CHECK (state <> 'ko' OR outcome = 'KO')
);

-- The rule of the node: at most one activating, active or paid token per notice, across processes.
CREATE UNIQUE INDEX pagopa_payments_live_notice ON pagopa_payments (environment, fiscal_code, notice_number)
  WHERE state IN ('activating', 'active', 'paid');
CREATE INDEX pagopa_payments_notice ON pagopa_payments (environment, fiscal_code, notice_number, activated_at);

-- activatePaymentNotice[V2] idempotency: the same key and request within the token's life get the
-- stored answer; the insert of this row decides between concurrent requests with the same key.
CREATE TABLE pagopa_idempotency (
  environment text NOT NULL CHECK (environment IN ('test', 'prod')),
  id_psp text NOT NULL,
  idempotency_key text NOT NULL,
  request_digest text NOT NULL,
  token text NOT NULL,
  -- The answer sent, once the activation succeeded (NULL while it is in progress).
  response text,
  valid_until timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (environment, id_psp, idempotency_key),
  -- Deferred: the record is inserted first, so a same-key race is decided before the notice's index.
  FOREIGN KEY (token) REFERENCES pagopa_payments (token) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX pagopa_idempotency_token ON pagopa_idempotency (token);
CREATE INDEX pagopa_idempotency_valid_until ON pagopa_idempotency (valid_until);
