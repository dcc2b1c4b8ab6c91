-- Why: the portal and the back office list the node's tokens (pagoPA payments pages), newest activation
-- first, 50 a page, keyset-paginated on (activated_at, token). An organisation reads the tokens it is
-- party to as PSP, as the notice's EC, or as the owner of the station the EC was called at; the query
-- is one ordered index scan per party, each limited, merged by UNION (payments.read.ts), as the
-- exchange log does. pagopa_payments is never pruned (a paid notice stays held for ever), so without
-- these a page is a scan of every row ever activated, sorted: measured with EXPLAIN ANALYZE on 50,000
-- rows (8 PSPs, 400 ECs, 20 partner stations, skewed), 29-68 ms for an organisation's first page and
-- 57 ms for the back office's, growing with the table; with them 0.2-2.4 ms (every party, a state
-- filter, a second page) and 0.1 ms for the back office's. A notice number or a token was already found by index (the notice's
-- index, the primary key), so no index is added for the searches.
--
-- The price is on the node's hot path: every activation inserts a row and updates it once or twice,
-- and none of those updates is HOT (they change `state`, in the live-notice index's predicate), so each
-- index takes an entry per row version. Measured: about +50 us of execution per activate-to-paid flow
-- (three statements, no commit), under 1 % of the 6-9 ms of PostgreSQL CPU a flow costs in row 5 of
-- docs/benchmarks.md. So the indexes are the fewest that keep every page bounded:
-- - one per party column, none for the searches' other fields (they filter inside a party's scan);
-- - the station owner's only where it is not the EC (a partner's station): when the EC runs its own
--   station the EC's index already has the row, and the simulator's rows have no owner;
-- - the back office's newest-first list, which has no party to start from.
-- Built in the migration's transaction: writes to pagopa_payments wait for the build (seconds for a
-- million rows), as for migration 0036.
CREATE INDEX pagopa_payments_psp_org ON pagopa_payments (psp_organisation_id, activated_at, token);
CREATE INDEX pagopa_payments_ec_org ON pagopa_payments (ec_organisation_id, activated_at, token);
CREATE INDEX pagopa_payments_station_org ON pagopa_payments (station_organisation_id, activated_at, token)
  WHERE station_organisation_id <> ec_organisation_id;
CREATE INDEX pagopa_payments_activated ON pagopa_payments (activated_at, token);
