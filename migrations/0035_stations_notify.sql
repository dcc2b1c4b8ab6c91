-- Why: every call to a station read the station and its approved version, and in the test
-- environment whether the institution's simulated station answers instead, from PostgreSQL: 4 of a
-- payment flow's ~26 statements, the station join the costliest of all to plan (issue 15, benchmark
-- row 5). Each instance now keeps those answers in memory (src/modules/stations/station.memo.ts).
-- A change to what they are read from notifies `varco_stations` at commit (never for a rolled-back
-- change, also for rows removed by a cascade or a TRUNCATE), and every instance drops what it kept.
-- Of `stations` only the columns a call reads count; the check bookkeeping (connection state, last
-- check, portal verifications), written on every check, does not.
CREATE FUNCTION varco_notify_stations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('varco_stations', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

CREATE TRIGGER stations_notify
  AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF id, organisation_id, environment, code, approved_version_id, connect_timeout_ms, response_timeout_ms
  ON stations FOR EACH STATEMENT EXECUTE FUNCTION varco_notify_stations();
CREATE TRIGGER station_versions_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON station_versions
  FOR EACH STATEMENT EXECUTE FUNCTION varco_notify_stations();
CREATE TRIGGER pagopa_simulators_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pagopa_simulators
  FOR EACH STATEMENT EXECUTE FUNCTION varco_notify_stations();
