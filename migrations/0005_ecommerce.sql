-- Why: the Ogone-compatible hosted payment page (issue 5). A merchant account (PSPID) per
-- organisation with separate test and prod technical settings (passphrases sealed with the master
-- key, never stored in clear), orders unique per PSPID + environment + ORDERID, payment attempts
-- (masked card data only), the merchant's error log with its signature debugger, and the key id of
-- the master key so instances started with different keys refuse to run instead of corrupting data.

CREATE TABLE platform_settings (
  name text PRIMARY KEY,
  value text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE merchants (
  id text PRIMARY KEY,
  organisation_id text NOT NULL UNIQUE REFERENCES organisations (id),
  pspid text NOT NULL,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX merchants_pspid ON merchants (upper(pspid));

CREATE TABLE merchant_settings (
  merchant_id text NOT NULL REFERENCES merchants (id),
  environment text NOT NULL CHECK (environment IN ('test', 'prod')),
  hashing_method text NOT NULL DEFAULT 'each-parameter' CHECK (hashing_method IN ('each-parameter', 'main-parameters')),
  hash_algorithm text NOT NULL DEFAULT 'sha512' CHECK (hash_algorithm IN ('sha1', 'sha256', 'sha512')),
  charset text NOT NULL DEFAULT 'page' CHECK (charset IN ('page', 'latin1', 'utf8')),
  referrers text NOT NULL DEFAULT '',
  sha_in_sealed text,
  sha_out_sealed text,
  accept_url text,
  decline_url text,
  exception_url text,
  cancel_url text,
  feedback_on_redirect boolean NOT NULL DEFAULT true,
  s2s_timing text NOT NULL DEFAULT 'none' CHECK (s2s_timing IN ('none', 'deferred', 'online', 'online_deferred_fallback')),
  s2s_url_accepted text,
  s2s_url_declined text,
  s2s_method text NOT NULL DEFAULT 'POST' CHECK (s2s_method IN ('POST', 'GET')),
  feedback_params text[] NOT NULL DEFAULT ARRAY[]::text[],
  default_operation text NOT NULL DEFAULT 'SAL' CHECK (default_operation IN ('RES', 'SAL')),
  payment_retries integer NOT NULL DEFAULT 10 CHECK (payment_retries BETWEEN 1 AND 99),
  enabled_currencies text[] NOT NULL DEFAULT ARRAY['EUR']::text[],
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, environment)
);

-- PAYIDs are numbers, as Ingenico's are: shop plugins store them in numeric columns.
CREATE SEQUENCE pay_id_seq START WITH 3000000001;

CREATE TABLE orders (
  id text PRIMARY KEY,
  merchant_id text NOT NULL REFERENCES merchants (id),
  environment text NOT NULL CHECK (environment IN ('test', 'prod')),
  order_ref text NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  currency text NOT NULL,
  language text NOT NULL,
  operation text NOT NULL CHECK (operation IN ('RES', 'SAL')),
  status integer NOT NULL DEFAULT 0,
  pay_id bigint NOT NULL UNIQUE DEFAULT nextval('pay_id_seq'),
  request jsonb NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  card_brand text,
  card_masked text,
  card_expiry text,
  card_holder text,
  acceptance text,
  nc_error text,
  paid_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX orders_merchant_env_ref ON orders (merchant_id, environment, order_ref);

CREATE TABLE payment_attempts (
  id text PRIMARY KEY,
  order_id text NOT NULL REFERENCES orders (id),
  attempt integer NOT NULL,
  outcome text NOT NULL,
  status integer NOT NULL,
  nc_error text,
  acceptance text,
  card_brand text,
  card_masked text,
  card_expiry text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (order_id, attempt)
);

CREATE TABLE ecommerce_errors (
  id text PRIMARY KEY,
  merchant_id text REFERENCES merchants (id),
  environment text NOT NULL,
  pspid text,
  order_ref text,
  code text NOT NULL,
  message text NOT NULL,
  client_ip text,
  referrer text,
  debug jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ecommerce_errors_merchant ON ecommerce_errors (merchant_id, environment, created_at DESC);
