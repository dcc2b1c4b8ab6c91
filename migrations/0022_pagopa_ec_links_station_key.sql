-- Why: a link's station must be of the link's environment. Migration 0013 checked it with a trigger of the registry reading the stations module's table; a composite foreign key to the stations' (id, environment) key (migration 0021) now holds the same rule, so no migration of the registry reads another module's table (issue 12, docs/adr/0011).
DROP TRIGGER pagopa_ec_links_station_environment ON pagopa_ec_links;
DROP FUNCTION pagopa_ec_links_station_environment();
-- The same name as the trigger it replaces, so a refusal still names the rule.
ALTER TABLE pagopa_ec_links ADD CONSTRAINT pagopa_ec_links_station_environment FOREIGN KEY (station_id, environment) REFERENCES stations (id, environment);
-- The composite key implies it.
ALTER TABLE pagopa_ec_links DROP CONSTRAINT pagopa_ec_links_station_id_fkey;
