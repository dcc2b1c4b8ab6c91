-- Why: onboarding of directly connected organisations (issue 3): organisations and their referents,
-- e-mailed single-use invitations, the product catalogue, subscriptions with their approval states,
-- a primary/secondary API key pair per subscription (hashes only), and the durable outbox through
-- which every e-mail (and later every server-to-server message) leaves Varco.

CREATE TABLE organisations (
  id text PRIMARY KEY,
  name text NOT NULL,
  tax_code text NOT NULL,
  tax_code_kind text NOT NULL CHECK (tax_code_kind IN ('it', 'other')),
  type text NOT NULL CHECK (type IN ('creditor_institution', 'psp', 'merchant', 'technology_partner')),
  contact_email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organisations_tax_code ON organisations (upper(tax_code));

ALTER TABLE users ADD COLUMN organisation_id text REFERENCES organisations (id);
ALTER TABLE users ADD CONSTRAINT users_referent_has_organisation CHECK (kind <> 'referent' OR organisation_id IS NOT NULL);

CREATE TABLE products (
  id text PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  route_groups text[] NOT NULL,
  approval_required_test boolean NOT NULL DEFAULT true,
  approval_required_prod boolean NOT NULL DEFAULT true,
  rate_limit_per_minute integer NOT NULL DEFAULT 600 CHECK (rate_limit_per_minute > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO products (id, code, name, description, route_groups) VALUES
  ('prd_node', 'node', 'Node connection', 'Direct connection to the Varco node: ping and node services.', ARRAY['ping', 'node']),
  ('prd_ecommerce', 'ecommerce', 'E-commerce', 'Hosted payment page orders and their status.', ARRAY['ping', 'orders']);

-- The products a referent may subscribe to (chosen by the administrator at invitation).
CREATE TABLE user_products (
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  product_id text NOT NULL REFERENCES products (id),
  PRIMARY KEY (user_id, product_id)
);

-- Only the SHA-256 of the invitation token is stored; the link is e-mailed and works once.
CREATE TABLE invitations (
  id text PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  organisation_id text NOT NULL REFERENCES organisations (id),
  email text NOT NULL,
  first_name text NOT NULL,
  last_name text NOT NULL,
  locale text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'it')),
  product_ids text[] NOT NULL,
  invited_by text REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  superseded_at timestamptz,
  user_id text REFERENCES users (id)
);
CREATE INDEX invitations_organisation ON invitations (organisation_id);

CREATE TABLE subscriptions (
  id text PRIMARY KEY,
  organisation_id text NOT NULL REFERENCES organisations (id),
  product_id text NOT NULL REFERENCES products (id),
  environment text NOT NULL CHECK (environment IN ('test', 'prod')),
  name text NOT NULL,
  state text NOT NULL CHECK (state IN ('submitted', 'active', 'rejected', 'suspended', 'cancelled', 'expired')),
  state_comment text,
  created_by text REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  state_changed_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  inbound_verified_at timestamptz
);
CREATE INDEX subscriptions_organisation ON subscriptions (organisation_id);
CREATE INDEX subscriptions_state ON subscriptions (state);

-- A key slot holds one current key and, during an overlap window, the retired previous one.
-- Only the SHA-256 of a key is stored; the plain key is shown once when it is generated.
CREATE TABLE api_keys (
  id text PRIMARY KEY,
  subscription_id text NOT NULL REFERENCES subscriptions (id),
  slot text NOT NULL CHECK (slot IN ('primary', 'secondary')),
  key_hash text NOT NULL UNIQUE,
  prefix text NOT NULL,
  last4 text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revealed_at timestamptz,
  retired_at timestamptz,
  valid_until timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_keys_subscription ON api_keys (subscription_id, slot);
CREATE UNIQUE INDEX api_keys_one_current_per_slot ON api_keys (subscription_id, slot) WHERE retired_at IS NULL;

-- The durable outbox: written in the transaction of the change that causes it; workers lease rows
-- with FOR UPDATE SKIP LOCKED, so each message is handled by one instance at a time.
CREATE TABLE outbox (
  id text PRIMARY KEY,
  channel text NOT NULL CHECK (channel IN ('email', 'http')),
  payload jsonb NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'held', 'delivered', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_owner text,
  lease_expires_at timestamptz,
  last_error text,
  organisation_id text,
  subject_type text,
  subject_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_channel_created ON outbox (channel, created_at DESC);
CREATE INDEX outbox_subject ON outbox (subject_type, subject_id);

CREATE TABLE outbox_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id text NOT NULL REFERENCES outbox (id),
  attempt integer NOT NULL,
  started_at timestamptz NOT NULL,
  duration_ms integer NOT NULL,
  ok boolean NOT NULL,
  status_code integer,
  error text,
  worker text
);
CREATE INDEX outbox_attempts_message ON outbox_attempts (message_id, attempt);
