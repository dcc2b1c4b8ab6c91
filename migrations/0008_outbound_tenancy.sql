-- Why: outbound tenancy (issue 10, items 1, 3, 4). Trusted CAs belong to one organisation (NULL: every
-- organisation, as all CAs were until now); a station host belongs to one organisation per environment
-- unless an administrator allows sharing (stations.shared_host_allowed), looked up through the hosts
-- stored beside each version's URLs; non-public station addresses are refused for everyone, so the
-- per-station private-IP permission goes; portal verifications are counted per station (rate limit).

ALTER TABLE trusted_cas ADD COLUMN organisation_id text REFERENCES organisations (id);
DROP INDEX trusted_cas_active;
CREATE UNIQUE INDEX trusted_cas_active ON trusted_cas (environment, fingerprint_sha256, coalesce(organisation_id, '')) WHERE removed_at IS NULL;

ALTER TABLE stations DROP COLUMN allow_private_ip;
ALTER TABLE stations ADD COLUMN shared_host_allowed boolean NOT NULL DEFAULT false;
ALTER TABLE stations ADD COLUMN portal_verifications timestamptz[] NOT NULL DEFAULT '{}';

-- The host of an https URL: what follows the scheme up to a port, path, query or fragment; lower
-- case, without a trailing dot (as the stations module computes it for new versions).
ALTER TABLE station_versions ADD COLUMN primary_host text, ADD COLUMN secondary_host text;
UPDATE station_versions SET
  primary_host = rtrim(lower(substring(primary_url FROM '^[a-zA-Z]+://([^/:?#]+)')), '.'),
  secondary_host = rtrim(lower(substring(secondary_url FROM '^[a-zA-Z]+://([^/:?#]+)')), '.');
ALTER TABLE station_versions ALTER COLUMN primary_host SET NOT NULL;
ALTER TABLE station_versions ADD CONSTRAINT station_versions_secondary_host CHECK ((secondary_host IS NULL) = (secondary_url IS NULL));
CREATE INDEX station_versions_primary_host ON station_versions (primary_host) WHERE state <> 'superseded';
CREATE INDEX station_versions_secondary_host ON station_versions (secondary_host) WHERE state <> 'superseded' AND secondary_host IS NOT NULL;
