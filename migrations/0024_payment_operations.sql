-- Why: DirectLink maintenance (issue 13). An authorised order is captured, refunded or cancelled
-- later, in parts: each operation is a PAYIDSUB of the order (the authorisation itself is PAYIDSUB 0,
-- the order row) with its own status and feedback. The order keeps the running totals so one row lock
-- decides every operation, and CHECK constraints refuse any write that would capture more than was
-- authorised or refund more than was captured, whatever the code above them does. Card aliases
-- (ALIAS/ALIASUSAGE) keep a card for later payments: the PAN only sealed with the master key, the
-- CVC never, the rest masked as on every other row.

ALTER TABLE orders
  ADD COLUMN channel text NOT NULL DEFAULT 'hosted' CHECK (channel IN ('hosted', 'directlink')),
  ADD COLUMN captured bigint NOT NULL DEFAULT 0,
  ADD COLUMN refunded bigint NOT NULL DEFAULT 0,
  -- SAS (last capture) or a cancellation: no capture any more. RFS (last refund): no refund any more.
  ADD COLUMN capture_closed boolean NOT NULL DEFAULT false,
  ADD COLUMN refund_closed boolean NOT NULL DEFAULT false,
  ADD COLUMN last_pay_id_sub integer NOT NULL DEFAULT 0,
  ADD COLUMN alias text;

-- A sale (SAL) is captured as it is authorised: what it may refund is its amount.
ALTER TABLE orders
  ADD CONSTRAINT orders_captured_within CHECK (captured >= 0 AND captured <= amount),
  ADD CONSTRAINT orders_refunded_within CHECK (refunded >= 0 AND refunded <= CASE WHEN operation = 'SAL' THEN amount ELSE captured END);

CREATE TABLE payment_operations (
  id text PRIMARY KEY,
  order_id text NOT NULL REFERENCES orders (id),
  pay_id_sub integer NOT NULL CHECK (pay_id_sub >= 1),
  operation text NOT NULL CHECK (operation IN ('SAL', 'SAS', 'RFD', 'RFS', 'DEL', 'DES', 'REN')),
  amount bigint NOT NULL CHECK (amount >= 0),
  status integer NOT NULL,
  nc_error text NOT NULL,
  acceptance text,
  acquirer_ref text,
  actor_type text NOT NULL CHECK (actor_type IN ('api_user', 'referent', 'admin', 'cli', 'system')),
  actor_id text,
  feedback_message_id text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (order_id, pay_id_sub)
);

CREATE TABLE card_aliases (
  id text PRIMARY KEY,
  merchant_id text NOT NULL REFERENCES merchants (id),
  environment text NOT NULL CHECK (environment IN ('test', 'prod')),
  alias text NOT NULL CHECK (length(alias) BETWEEN 1 AND 50),
  usage text CHECK (length(usage) <= 255),
  pan_sealed text NOT NULL CHECK (pan_sealed LIKE 'sb1.%'),
  card_brand text NOT NULL,
  card_masked text NOT NULL CHECK (card_masked ~ '^X+[0-9]{4}$'),
  card_expiry text NOT NULL CHECK (card_expiry ~ '^[0-9]{4}$'),
  card_holder text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  last_used_at timestamptz
);
-- An alias names one card of one merchant in one environment (the tenancy of a token).
CREATE UNIQUE INDEX card_aliases_key ON card_aliases (merchant_id, environment, alias);
