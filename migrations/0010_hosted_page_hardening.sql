-- Why: hosted page hardening (issue 10 items 5, 7, 17). Legacy "main parameters" hashing becomes an
-- acknowledged choice (when it was accepted, per configuration); the error log keeps a bounded number
-- of rows per PSPID as a ring of slots, so a rejection costs one upsert and never a large DELETE; and a
-- PSPID is reserved per environment, unique case-insensitively across organisations, only once the
-- organisation's e-commerce subscription in that environment has been approved.

-- Item 5: when the merchant acknowledged the risks of legacy hashing (null: not acknowledged).
ALTER TABLE merchant_settings ADD COLUMN legacy_hashing_accepted_at timestamptz;

-- Item 7: a ring of slots per bucket ('<merchant id>:<environment>' for a known PSPID, '*' for
-- every unknown one together). Slot = (rows written to the bucket - 1) modulo the configured bound,
-- so the next write replaces the oldest row. Existing rows are numbered oldest first.
ALTER TABLE ecommerce_errors ADD COLUMN bucket text;
ALTER TABLE ecommerce_errors ADD COLUMN slot integer;
UPDATE ecommerce_errors e SET bucket = r.bucket, slot = r.n - 1
FROM (SELECT id, COALESCE(merchant_id || ':' || environment, '*') AS bucket,
        row_number() OVER (PARTITION BY COALESCE(merchant_id || ':' || environment, '*') ORDER BY created_at, id) AS n
      FROM ecommerce_errors) r
WHERE r.id = e.id;
ALTER TABLE ecommerce_errors ALTER COLUMN bucket SET NOT NULL, ALTER COLUMN slot SET NOT NULL;
CREATE UNIQUE INDEX ecommerce_errors_ring ON ecommerce_errors (bucket, slot);

CREATE TABLE ecommerce_error_counters (
  bucket text PRIMARY KEY,
  written bigint NOT NULL
);
INSERT INTO ecommerce_error_counters (bucket, written) SELECT bucket, count(*) FROM ecommerce_errors GROUP BY bucket;

-- Item 17: a PSPID per merchant and environment. Two organisations can never hold the same PSPID in
-- one environment (one merchant per organisation, and this index), whatever its case.
CREATE TABLE pspid_claims (
  merchant_id text NOT NULL REFERENCES merchants (id),
  environment text NOT NULL CHECK (environment IN ('test', 'prod')),
  pspid text NOT NULL CHECK (pspid ~ '^[A-Za-z0-9_-]{2,30}$'),
  claimed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, environment)
);
CREATE UNIQUE INDEX pspid_claims_environment_pspid ON pspid_claims (environment, upper(pspid));

-- Existing accounts keep their PSPID where their subscription was approved (active or suspended).
INSERT INTO pspid_claims (merchant_id, environment, pspid, claimed_at)
SELECT DISTINCT m.id, s.environment, m.pspid, m.created_at
FROM merchants m
JOIN subscriptions s ON s.organisation_id = m.organisation_id AND s.state IN ('active', 'suspended')
JOIN products p ON p.id = s.product_id AND p.code = 'ecommerce';

-- merchants.pspid is now the name asked for when the account was opened; holding it is a claim.
DROP INDEX merchants_pspid;
CREATE INDEX merchants_pspid ON merchants (upper(pspid));

-- The moment an e-commerce subscription becomes active (approved, created approved, reactivated),
-- the organisation's merchant claims its PSPID in that environment, if no other merchant holds it
-- there; otherwise the merchant chooses another one (portal, CLI). In the approval's transaction,
-- so every path that approves (back office, CLI, automatic approval) reserves the name.
CREATE FUNCTION varco_claim_pspid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state = 'active' AND (TG_OP = 'INSERT' OR OLD.state IS DISTINCT FROM 'active')
     AND EXISTS (SELECT 1 FROM products p WHERE p.id = NEW.product_id AND p.code = 'ecommerce') THEN
    INSERT INTO pspid_claims (merchant_id, environment, pspid)
    SELECT m.id, NEW.environment, m.pspid FROM merchants m WHERE m.organisation_id = NEW.organisation_id
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER subscriptions_claim_pspid AFTER INSERT OR UPDATE OF state ON subscriptions
  FOR EACH ROW EXECUTE FUNCTION varco_claim_pspid();

-- The hosted page caches configurations by PSPID (migration 0007): a claim changes what a PSPID names.
CREATE TRIGGER pspid_claims_notify_config AFTER INSERT OR UPDATE OR DELETE ON pspid_claims
  FOR EACH STATEMENT EXECUTE FUNCTION varco_notify_merchant_config();
