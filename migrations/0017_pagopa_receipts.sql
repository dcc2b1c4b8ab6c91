-- Why: the pagoPA receipts of issue 11. When a PSP reports an OK outcome the node builds one receipt
-- per creditor institution of the transfer list and delivers each with paSendRT / paSendRTV2 through
-- the durable outbox, on a channel of its own (`soap`), retried for about two days. A receipt row is
-- written in the outcome's transaction together with its outbox message, so a crash after the
-- outcome never loses it; its attempts are kept here (they outlive the outbox's retention) with the
-- EC's answer and the exchange-log message of each.

ALTER TABLE outbox DROP CONSTRAINT outbox_channel_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_channel_check CHECK (channel IN ('email', 'http', 'soap'));

CREATE TABLE pagopa_receipts (
  id text PRIMARY KEY,
  environment text NOT NULL CHECK (environment IN ('test', 'prod')),
  -- The payment token, which is the receiptId on the wire (stPaymentToken: 1..35 characters).
  token text NOT NULL CHECK (length(token) BETWEEN 1 AND 35),
  notice_number text NOT NULL,
  -- The notice's creditor institution (receipt/fiscalCode) and its organisation.
  fiscal_code text NOT NULL,
  ec_organisation_id text NOT NULL,
  -- The institution this copy goes to (idPA): the notice's EC first (position 0), then the other
  -- beneficiaries of the transfers. Its organisation is known once the registry knows the code.
  recipient_fiscal_code text NOT NULL CHECK (recipient_fiscal_code ~ '^[0-9]{11}$'),
  recipient_organisation_id text,
  position smallint NOT NULL CHECK (position BETWEEN 0 AND 5),
  psp_organisation_id text NOT NULL,
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  -- What paSendRT[V2] is built from at delivery time (the paid payment's snapshot), so the message
  -- always fits the version the EC's station speaks when it is sent.
  payload jsonb NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  -- The outbox message delivering it now (a resend makes a new one).
  outbox_message_id text NOT NULL,
  -- Where the last attempt went: a station (and its owner, who may read the receipt) or the simulator.
  station_id text,
  station_code text,
  station_organisation_id text,
  primitive_version smallint CHECK (primitive_version IN (1, 2)),
  last_attempt_at timestamptz,
  last_error text,
  first_delivered_at timestamptz,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (environment, token, recipient_fiscal_code)
);
CREATE INDEX pagopa_receipts_created ON pagopa_receipts (created_at DESC, id DESC);
CREATE INDEX pagopa_receipts_ec ON pagopa_receipts (ec_organisation_id, id DESC);
CREATE INDEX pagopa_receipts_recipient ON pagopa_receipts (recipient_organisation_id, id DESC);
CREATE INDEX pagopa_receipts_psp ON pagopa_receipts (psp_organisation_id, id DESC);
CREATE INDEX pagopa_receipts_station_owner ON pagopa_receipts (station_organisation_id, id DESC);
CREATE INDEX pagopa_receipts_notice ON pagopa_receipts (notice_number);

CREATE TABLE pagopa_receipt_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  receipt_id text NOT NULL REFERENCES pagopa_receipts (id),
  outbox_message_id text NOT NULL,
  -- The outbox's attempt number of that message (1 for the first try).
  attempt integer NOT NULL,
  started_at timestamptz NOT NULL,
  duration_ms integer NOT NULL,
  -- delivered: EC OK; duplicate: PAA_RECEIPT_DUPLICATA (delivered too); retry: anything else.
  result text NOT NULL CHECK (result IN ('delivered', 'duplicate', 'retry')),
  destination text CHECK (destination IN ('station', 'simulator')),
  station_code text,
  primitive_version smallint CHECK (primitive_version IN (1, 2)),
  http_status integer,
  ec_outcome text CHECK (ec_outcome IN ('OK', 'KO')),
  fault_code text,
  error text,
  -- The exchange-log message (msg_…) holding both SOAP messages, when it was recorded.
  exchange_id text
);
CREATE INDEX pagopa_receipt_attempts_receipt ON pagopa_receipt_attempts (receipt_id, id);
CREATE INDEX pagopa_receipt_attempts_message ON pagopa_receipt_attempts (outbox_message_id) WHERE result IN ('delivered', 'duplicate');
