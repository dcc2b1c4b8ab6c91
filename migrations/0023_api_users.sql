-- Why: DirectLink (issue 13) authenticates server-to-server calls with an API user of the merchant:
-- PSPID + USERID + PSWD, besides SHA-IN. API users belong to one merchant and one environment (as a
-- PSPID does), their passwords are stored only as argon2id hashes, and a removed user keeps its row
-- (disabled_at) so the audit log's subject stays resolvable while the USERID may be created again.

CREATE TABLE merchant_api_users (
  id text PRIMARY KEY,
  merchant_id text NOT NULL REFERENCES merchants (id),
  environment text NOT NULL CHECK (environment IN ('test', 'prod')),
  userid text NOT NULL CHECK (userid ~ '^[A-Za-z0-9._@-]{2,50}$'),
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);
-- One live USERID per merchant and environment, whatever its case (shops type it in any case).
CREATE UNIQUE INDEX merchant_api_users_live ON merchant_api_users (merchant_id, environment, upper(userid)) WHERE disabled_at IS NULL;
