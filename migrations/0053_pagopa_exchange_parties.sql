-- Why: a row of the exchange log named one EC, but some exchanges concern several. A cart outcome
-- (sendPaymentOutcomeV2 with tokens of notices of different creditor institutions) named only its first
-- token's EC, so the other ECs and their stations' owners could not see the outcome of their own
-- payment, and the onboarding checklist said they had no messages; a receipt sent to another
-- institution of a notice's transfers was hidden from the notice's EC, which reads that receipt.
--
-- A row now lists any further organisations party to it (`further_organisation_ids`), and every party of
-- every row has a row in `pagopa_exchange_parties` keyed (organisation, at, exchange): the portal reads
-- an organisation's page with one bounded scan of that key, newest first, joined to the log by id,
-- instead of three scans (one per party column) merged. A trigger fills it from each INSERT, in the
-- same statement: the node still writes one statement per group of rows, and rows written by an older
-- Varco still running during the upgrade get their parties too. Rows are never updated.
--
-- Existing rows are copied from their three party columns while the node keeps writing; the rows
-- committed meanwhile are caught up twice: once unlocked, once (short) under the lock the new column
-- and trigger take. A row is written when its exchange ends and `at` is when it started: the catch-ups
-- read the rows started up to 15 minutes before the copy they follow (the longest exchange is bounded
-- by the node's timeouts, at most a few minutes). The three per-column indexes served the portal only:
-- dropped.

CREATE TABLE pagopa_exchange_parties (
  organisation_id text NOT NULL,
  -- The exchange's `at` and id: the portal's keyset (newest first), read from this key alone.
  at timestamptz NOT NULL,
  exchange_id text NOT NULL
);

-- Whoever may write the log may write its parties (the trigger runs with the writer's rights): an older
-- Varco still writing during the upgrade has no grant on this table until the new one grants it after
-- every migration, and its INSERTs would fail until then.
DO $$
DECLARE writer regrole;
BEGIN
  FOR writer IN SELECT DISTINCT a.grantee::regrole FROM pg_class c, aclexplode(c.relacl) a
    WHERE c.oid = 'pagopa_exchanges'::regclass AND a.privilege_type = 'INSERT' AND a.grantee <> 0 AND a.grantee <> c.relowner
  LOOP
    EXECUTE format('GRANT SELECT, INSERT, DELETE ON pagopa_exchange_parties TO %s', writer);
  END LOOP;
END $$;

INSERT INTO pagopa_exchange_parties (organisation_id, at, exchange_id)
SELECT p.id, e.at, e.id
FROM pagopa_exchanges e,
  LATERAL (SELECT DISTINCT id FROM unnest(ARRAY[e.psp_organisation_id, e.ec_organisation_id, e.station_organisation_id]) AS id WHERE id IS NOT NULL) AS p;

-- Built after the copy (one sort, not an insert per row). Read backwards for newest first; the
-- retention job deletes by `at` alone (a skip scan over the organisations).
ALTER TABLE pagopa_exchange_parties ADD CONSTRAINT pagopa_exchange_parties_pkey PRIMARY KEY (organisation_id, at, exchange_id);

SELECT set_config('varco.exchange_parties_since', (clock_timestamp() - interval '15 minutes')::text, true);

INSERT INTO pagopa_exchange_parties (organisation_id, at, exchange_id)
SELECT p.id, e.at, e.id
FROM pagopa_exchanges e,
  LATERAL (SELECT DISTINCT id FROM unnest(ARRAY[e.psp_organisation_id, e.ec_organisation_id, e.station_organisation_id]) AS id WHERE id IS NOT NULL) AS p
WHERE e.at >= now() - interval '15 minutes'
ON CONFLICT DO NOTHING;

-- From here to the commit the log is locked (its reads and writes wait): only the short catch-up below runs under it.
ALTER TABLE pagopa_exchanges ADD COLUMN further_organisation_ids text[];

CREATE FUNCTION pagopa_exchanges_parties() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO pagopa_exchange_parties (organisation_id, at, exchange_id)
  SELECT p.id, n.at, n.id
  FROM new_exchanges n,
    LATERAL (SELECT DISTINCT id FROM unnest(ARRAY[n.psp_organisation_id, n.ec_organisation_id, n.station_organisation_id] || n.further_organisation_ids) AS id
             WHERE id IS NOT NULL) AS p;
  RETURN NULL;
END $$;

CREATE TRIGGER pagopa_exchanges_parties AFTER INSERT ON pagopa_exchanges
  REFERENCING NEW TABLE AS new_exchanges FOR EACH STATEMENT EXECUTE FUNCTION pagopa_exchanges_parties();

INSERT INTO pagopa_exchange_parties (organisation_id, at, exchange_id)
SELECT p.id, e.at, e.id
FROM pagopa_exchanges e,
  LATERAL (SELECT DISTINCT id FROM unnest(ARRAY[e.psp_organisation_id, e.ec_organisation_id, e.station_organisation_id]) AS id WHERE id IS NOT NULL) AS p
WHERE e.at >= current_setting('varco.exchange_parties_since')::timestamptz
ON CONFLICT DO NOTHING;

DROP INDEX pagopa_exchanges_psp_org;
DROP INDEX pagopa_exchanges_ec_org;
DROP INDEX pagopa_exchanges_station_org;
