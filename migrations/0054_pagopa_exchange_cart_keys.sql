-- Why: a cart outcome (sendPaymentOutcomeV2 with tokens of notices of several creditor institutions)
-- is one row of the exchange log that kept only its first notice's number and token, so another
-- institution of the cart searching by its own token or notice number (the portal's filters, the link
-- from its payment page) did not find it; and the row did not say whose each token was, so the portal
-- showed every party the whole cart: the other institutions' tokens, their notice and fiscal code.
--
-- A cart's row now lists its notices (`cart_notices`: in the request's order, each token with its
-- notice, fiscal code, EC, station and station owner when the token is the calling PSP's; NULL for
-- every other row). The portal masks what is not the viewer's and searches by the keys in
-- `pagopa_exchange_cart_keys` (kind, key, at, exchange): each token and notice number of each cart, read
-- backwards from a key like the log's own (token, at) and (notice_number, at) indexes, each row's
-- ownership checked on the row. A trigger fills it from each INSERT, in the same statement (as the
-- parties of migration 0053): the node still writes one statement per group of rows.
--
-- Nothing is built on the log itself (an index on a new column would read the whole log under a lock
-- that stops the node's writes): the column is added without a default (no rewrite, no scan), the keys
-- table is new and empty. Rows written before have no notices: a cart's row of migration 0053 keeps
-- being found by its first notice only.

ALTER TABLE pagopa_exchanges ADD COLUMN cart_notices jsonb;

CREATE TABLE pagopa_exchange_cart_keys (
  kind text NOT NULL CHECK (kind IN ('token', 'notice')),
  key text NOT NULL,
  -- The exchange's `at` and id: the search's keyset (newest first), read from this key alone.
  at timestamptz NOT NULL,
  exchange_id text NOT NULL,
  PRIMARY KEY (kind, key, at, exchange_id)
);

-- The search keys of a cart's notices: each token and notice number once. Total: whatever the column
-- holds (only Varco writes it), anything but an array of objects gives no key rather than an error, so
-- the row is never refused for its keys.
CREATE FUNCTION pagopa_exchange_cart_keys_of(notices jsonb) RETURNS TABLE (kind text, key text) LANGUAGE sql IMMUTABLE AS $$
  SELECT DISTINCT k.kind, k.key
  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(notices) = 'array' THEN notices ELSE '[]'::jsonb END) AS n,
    LATERAL (VALUES ('token', n ->> 'token'), ('notice', n ->> 'noticeNumber')) AS k (kind, key)
  WHERE k.key IS NOT NULL AND k.key <> ''
$$;

-- As for the parties (migration 0053): the trigger runs with the writer's rights, and an older Varco
-- still writing during the upgrade gets the new table's grants (and the function's, where EXECUTE was
-- taken from PUBLIC) only from the new one's start.
DO $$
DECLARE writer regrole;
BEGIN
  FOR writer IN SELECT DISTINCT a.grantee::regrole FROM pg_class c, aclexplode(c.relacl) a
    WHERE c.oid = 'pagopa_exchanges'::regclass AND a.privilege_type = 'INSERT' AND a.grantee <> 0 AND a.grantee <> c.relowner
  LOOP
    EXECUTE format('GRANT SELECT, INSERT, DELETE ON pagopa_exchange_cart_keys TO %s', writer);
    EXECUTE format('GRANT EXECUTE ON FUNCTION pagopa_exchange_cart_keys_of(jsonb) TO %s', writer);
  END LOOP;
END $$;

CREATE FUNCTION pagopa_exchanges_cart_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO pagopa_exchange_cart_keys (kind, key, at, exchange_id)
  SELECT k.kind, k.key, n.at, n.id
  FROM new_exchanges n, LATERAL pagopa_exchange_cart_keys_of(n.cart_notices) AS k
  WHERE n.cart_notices IS NOT NULL
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER pagopa_exchanges_cart_keys AFTER INSERT ON pagopa_exchanges
  REFERENCING NEW TABLE AS new_exchanges FOR EACH STATEMENT EXECUTE FUNCTION pagopa_exchanges_cart_keys();
