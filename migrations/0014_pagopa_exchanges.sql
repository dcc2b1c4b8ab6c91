-- Why: the pagoPA exchange log (issue 11): every SOAP message Varco receives from a PSP or sends to an
-- EC station is kept, with its answer, timing and fault, for the organisations party to it to read
-- (psp, ec, station owner) and for the back office. Channel passwords are masked and both messages
-- are bounded before the row is written (src/modules/pagopa-exchanges/exchanges.sanitize.ts); rows go
-- after VARCO_RETENTION_EXCHANGES_DAYS.
--
-- No foreign keys: the node writes one row per message on its hot path and a log row must never be
-- refused (or wait on a lock of an organisation or station row); the ids are those the node routed
-- with, and a row naming an organisation that does not exist is simply visible to nobody but the
-- back office.

CREATE TABLE pagopa_exchanges (
  id text PRIMARY KEY,
  environment text NOT NULL CHECK (environment IN ('test', 'prod')),
  at timestamptz NOT NULL,
  direction text NOT NULL CHECK (direction IN ('in', 'out')),
  operation text NOT NULL,
  -- The parties: who may see the row in the portal.
  psp_organisation_id text,
  ec_organisation_id text,
  station_id text,
  station_code text,
  station_organisation_id text,
  notice_number text,
  fiscal_code text,
  token text,
  outcome text CHECK (outcome IN ('OK', 'KO')),
  fault_code text,
  http_status integer,
  duration_ms integer NOT NULL CHECK (duration_ms >= 0),
  -- What went wrong below SOAP (timeout, TLS, unreachable): the node's words, masked and bounded.
  error text,
  request text NOT NULL,
  -- The size of the message as received or sent, in bytes, before it was bounded.
  request_bytes integer NOT NULL,
  request_truncated boolean NOT NULL,
  response text,
  response_bytes integer,
  response_truncated boolean NOT NULL DEFAULT false
);

-- Newest first, cursor (at, id): the back office list and the retention job (delete by age).
CREATE INDEX pagopa_exchanges_at ON pagopa_exchanges (at, id);
-- The portal: one ordered scan per party column, merged (see exchanges.repository.ts).
CREATE INDEX pagopa_exchanges_psp_org ON pagopa_exchanges (psp_organisation_id, at, id) WHERE psp_organisation_id IS NOT NULL;
CREATE INDEX pagopa_exchanges_ec_org ON pagopa_exchanges (ec_organisation_id, at, id) WHERE ec_organisation_id IS NOT NULL;
CREATE INDEX pagopa_exchanges_station_org ON pagopa_exchanges (station_organisation_id, at, id) WHERE station_organisation_id IS NOT NULL;
-- The searches: notice number, token, fault code.
CREATE INDEX pagopa_exchanges_notice ON pagopa_exchanges (notice_number, at) WHERE notice_number IS NOT NULL;
CREATE INDEX pagopa_exchanges_token ON pagopa_exchanges (token, at) WHERE token IS NOT NULL;
CREATE INDEX pagopa_exchanges_fault ON pagopa_exchanges (fault_code, at) WHERE fault_code IS NOT NULL;
