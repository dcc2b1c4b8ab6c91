-- Why: the platform CAs and client certificates lived in each instance's data/pki, so several Varco instances on one database presented different client certificates; they move here, private keys sealed by the master key (issue 12, docs/adr/0024-platform-module.md).

-- One CA per environment: the anchor organisations' stations trust for Varco's client certificate,
-- and (test) the issuer of each instance's development HTTPS certificate.
CREATE TABLE platform_cas (
  environment text PRIMARY KEY CHECK (environment IN ('test', 'prod')),
  cert_pem text NOT NULL,
  -- secretbox (src/kernel/secretbox.ts) under the master key: never a PEM private key.
  key_sealed text NOT NULL CHECK (key_sealed LIKE 'sb1.%'),
  origin text NOT NULL CHECK (origin IN ('created', 'imported')),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Client certificates of each environment: one current (presented), at most one next (published by
-- `pki rotate-client`, switched in by `pki activate-client`), the replaced ones retired (kept for an
-- operator who must roll back by hand).
CREATE TABLE platform_client_certificates (
  fingerprint_sha256 text PRIMARY KEY,
  environment text NOT NULL REFERENCES platform_cas (environment),
  state text NOT NULL CHECK (state IN ('current', 'next', 'retired')),
  cert_pem text NOT NULL,
  key_sealed text NOT NULL CHECK (key_sealed LIKE 'sb1.%'),
  origin text NOT NULL CHECK (origin IN ('created', 'imported')),
  created_at timestamptz NOT NULL DEFAULT now(),
  activated_at timestamptz,
  retired_at timestamptz
);
CREATE UNIQUE INDEX platform_client_certificates_current ON platform_client_certificates (environment) WHERE state = 'current';
CREATE UNIQUE INDEX platform_client_certificates_next ON platform_client_certificates (environment) WHERE state = 'next';

-- Bumped in every transaction that changes the PKI: instances compare it to their cached copy.
INSERT INTO platform_settings (name, value) VALUES ('pki_version', '0') ON CONFLICT (name) DO NOTHING;
