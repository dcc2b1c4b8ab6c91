-- Why: an expiry warning was claimed per certificate (fingerprint, days_before), and the run skipped a
-- fingerprint it had seen, so a certificate that two organisations' stations serve (one hosting
-- provider, one certificate naming both hosts) warned only the first organisation: the other's
-- station stopped working unannounced. A warning is now claimed per organisation told.
-- organisation_id '' is the administrators' (platform certificates); rows written before this
-- migration keep it: for a platform certificate that is who was told, and for a server certificate
-- it was one organisation, which one unknown, so each organisation serving it is told of that
-- threshold once more (a repeated e-mail rather than a missed one).
-- A column with a constant default: no rewrite of the (small) table.
ALTER TABLE certificate_warnings ADD COLUMN organisation_id text NOT NULL DEFAULT '';
ALTER TABLE certificate_warnings DROP CONSTRAINT certificate_warnings_pkey;
ALTER TABLE certificate_warnings ADD PRIMARY KEY (organisation_id, fingerprint_sha256, days_before);
